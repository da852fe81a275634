package msnscope.intercept;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as a rules file writes them: {@code 250ms}, {@code 3s}, {@code 1.5s}, {@code 2m}. */
public final class Durations {

    private static final Pattern FORM = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,3})?)\\s*(ms|s|m)");
    /** Longer than any client waits for an answer; a bigger number is a typo. */
    static final long MAX_MILLIS = 3_600_000;

    private Durations() {
    }

    /** Milliseconds, or -1 when {@code text} is not a duration from 1 ms to 1 hour. */
    public static long millis(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            return -1;
        }
        double unit = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            default -> 60_000;
        };
        long ms = Math.round(Double.parseDouble(m.group(1)) * unit);
        return ms < 1 || ms > MAX_MILLIS ? -1 : ms;
    }
}

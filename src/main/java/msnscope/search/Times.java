package msnscope.search;

import msnscope.dissect.payload.Decimal;
import msnscope.wire.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times typed by people, to epoch microseconds: an ISO instant ({@code 2024-09-28T17:18:18Z}), a date-time
 * without zone (UTC), a date ({@code 2024-09-28}: its first microsecond, or its last for an upper bound),
 * a relative age ({@code 90s}, {@code 15m}, {@code 2h}, {@code 7d} before now) or a raw number of
 * microseconds.
 */
public final class Times {

    private static final Pattern AGE = Pattern.compile("(\\d+)(s|m|h|d|w)");

    private Times() {
    }

    /**
     * @param upper true for the upper bound of a range: a bare date means the end of that day
     * @throws IllegalArgumentException with a one-line message when the text is no time
     */
    public static long parse(String text, boolean upper, long nowMicros) {
        String t = text.trim();
        Matcher age = AGE.matcher(t);
        if (age.matches()) {
            long unit = switch (age.group(2)) {
                case "s" -> 1L;
                case "m" -> 60L;
                case "h" -> 3600L;
                case "d" -> 86_400L;
                default -> 604_800L;
            };
            Long n = Decimal.unsigned(age.group(1));
            try {
                return Math.subtractExact(nowMicros, Math.multiplyExact(Math.multiplyExact(n == null ? Long.MAX_VALUE : n, unit), 1_000_000L));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is further back than any time");
            }
        }
        if (!t.isEmpty() && t.length() > 8 && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            Long micros = Decimal.unsigned(t);
            if (micros == null) {
                throw new IllegalArgumentException("'" + text + "' is too large for epoch microseconds");
            }
            return micros;
        }
        try {
            return Clock.micros(Instant.parse(t));
        } catch (DateTimeParseException e) {
            // not an instant with a zone
        }
        try {
            return Clock.micros(LocalDateTime.parse(t).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            // not a date-time
        }
        try {
            LocalDate d = LocalDate.parse(t);
            long start = Clock.micros(d.atStartOfDay().toInstant(ZoneOffset.UTC));
            return upper ? start + 86_400_000_000L - 1 : start;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time (use 2024-09-28, 2024-09-28T17:18:18Z, "
                    + "an age such as 2h or 7d, or epoch microseconds)");
        }
    }

}

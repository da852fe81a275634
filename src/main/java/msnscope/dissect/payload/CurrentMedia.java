package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of a {@code <CurrentMedia>} element (§6.6): fields separated by the two characters backslash
 * and zero ({@code \0} as text, not a NUL byte), e.g.
 * {@code \0Music\01\0{0} - {1}\0Song Title\0Song Artist\0Song Album\0\0}.
 *
 * <p>Fields: {@code application} (may be empty), {@code type} ({@code Music}, {@code Games},
 * {@code Office}), {@code enabled} (boolean; as sent if neither 1 nor 0), {@code format} (with {@code {n}}
 * placeholders), {@code values} (list; trailing empty fields dropped), {@code rendered} (the format with
 * the placeholders filled in, what a client shows).
 */
public final class CurrentMedia {

    /** Most fields read; a real CurrentMedia has about ten. */
    static final int MAX_FIELDS = 64;

    private CurrentMedia() {
    }

    public static Decoded decode(String text) {
        Decoded.Builder b = Decoded.builder();
        if (text == null || text.isEmpty()) {
            return b.build();
        }
        List<String> parts = new ArrayList<>(12);
        int fields = 0;
        int start = 0;
        while (true) {
            // Fields are separated by the two characters backslash and zero.
            int sep = text.indexOf("\\0", start);
            fields++;
            if (parts.size() < MAX_FIELDS) {
                parts.add(text.substring(start, sep < 0 ? text.length() : sep));
            }
            if (sep < 0) {
                break;
            }
            start = sep + 2;
        }
        if (fields > MAX_FIELDS) {
            b.problem("CurrentMedia has " + fields + " fields; only the first " + MAX_FIELDS + " are read");
        }
        while (parts.size() > 4 && parts.get(parts.size() - 1).isEmpty()) {
            parts.remove(parts.size() - 1);
        }
        if (parts.size() < 4) {
            b.problem("CurrentMedia has " + parts.size() + " \\0-separated fields; at least 4 (application, type, "
                    + "enabled, format) are expected");
        }
        b.put("application", get(parts, 0));
        b.put("type", get(parts, 1));
        String enabled = get(parts, 2);
        if (enabled != null) {
            b.put("enabled", enabled.equals("1") ? Boolean.TRUE : enabled.equals("0") ? Boolean.FALSE : enabled);
        }
        String format = get(parts, 3);
        b.put("format", format);
        List<String> values = parts.size() > 4 ? parts.subList(4, parts.size()) : List.of();
        b.put("values", values);
        if (format != null) {
            b.put("rendered", render(format, values, b));
        }
        return b.build();
    }

    /** Replaces each {@code {n}} with value n; an unknown index is left as written and reported. */
    static String render(String format, List<String> values, Decoded.Builder b) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            int close = c == '{' ? format.indexOf('}', i) : -1;
            if (close > i + 1 && close - i <= 4) {
                Integer n = Text.parseInt(format.substring(i + 1, close));
                if (n != null && n >= 0) {
                    if (n < values.size()) {
                        out.append(values.get(n));
                    } else {
                        out.append(format, i, close + 1);
                        b.problem("CurrentMedia format refers to {" + n + "} but there are only " + values.size() + " values");
                    }
                    i = close + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static String get(List<String> parts, int index) {
        return index < parts.size() ? parts.get(index) : null;
    }
}

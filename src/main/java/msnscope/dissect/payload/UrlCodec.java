package msnscope.dissect.payload;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Percent-decoding as MSNP uses it (nicknames, MSNObjects, font names): {@code %XX} becomes the byte XX and
 * the resulting bytes are read as UTF-8.
 *
 * <p>Unlike {@link java.net.URLDecoder} this never throws and does not turn {@code +} into a space: MSNP
 * escapes spaces as {@code %20}, and a literal {@code +} is common in tickets and nicknames. A bad escape
 * ({@code %}, {@code %4}, {@code %G1}) is kept literally and reported, since a dissector must show what
 * was sent rather than guess.
 */
public final class UrlCodec {

    /** At most this many bad escapes are listed one by one. */
    private static final int MAX_LISTED_BAD_ESCAPES = 3;

    private UrlCodec() {
    }

    public static DecodedText decode(String s) {
        if (s == null) {
            return DecodedText.clean("");
        }
        if (s.indexOf('%') < 0) {
            return DecodedText.clean(s);
        }
        // Each char becomes at most 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 chars); an escape, 1 byte.
        byte[] bytes = new byte[s.length() * 3];
        int len = 0;
        List<String> problems = null;
        int badEscapes = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '%') {
                if (c < 0x80) {
                    bytes[len++] = (byte) c;
                    i++;
                } else {
                    int end = i + 1;
                    while (end < s.length() && s.charAt(end) >= 0x80) {
                        end++;
                    }
                    len = writeUtf8(bytes, len, s, i, end);
                    i = end;
                }
                continue;
            }
            int hi = i + 1 < s.length() ? Text.hexDigit(s.charAt(i + 1)) : -1;
            int lo = i + 2 < s.length() ? Text.hexDigit(s.charAt(i + 2)) : -1;
            if (hi >= 0 && lo >= 0) {
                bytes[len++] = (byte) (hi << 4 | lo);
                i += 3;
            } else {
                badEscapes++;
                if (badEscapes <= MAX_LISTED_BAD_ESCAPES) {
                    if (problems == null) {
                        problems = new ArrayList<>();
                    }
                    String shown = s.substring(i, Math.min(s.length(), i + 3));
                    problems.add("bad percent escape \"" + shown + "\" at index " + i + " kept literally");
                }
                bytes[len++] = '%';
                i++;
            }
        }
        if (badEscapes > MAX_LISTED_BAD_ESCAPES) {
            problems.add((badEscapes - MAX_LISTED_BAD_ESCAPES) + " more bad percent escapes kept literally");
        }
        DecodedText text = Utf8.decode(bytes, 0, len, "URL-decoded text");
        if (problems == null) {
            return text;
        }
        problems.addAll(text.problems());
        return new DecodedText(text.text(), problems);
    }

    /**
     * Non-ASCII characters pass through as their UTF-8 bytes (a lone surrogate becomes {@code ?}, as
     * {@link String#getBytes} does); returns the new length.
     */
    private static int writeUtf8(byte[] out, int len, String s, int from, int to) {
        byte[] utf8 = s.substring(from, to).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(utf8, 0, out, len, utf8.length);
        return len + utf8.length;
    }
}

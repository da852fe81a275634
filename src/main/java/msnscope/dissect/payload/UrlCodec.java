package msnscope.dissect.payload;

import java.io.ByteArrayOutputStream;
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        List<String> problems = new ArrayList<>();
        int badEscapes = 0;
        int literalStart = 0;
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) != '%') {
                i++;
                continue;
            }
            writeUtf8(bytes, s, literalStart, i);
            int hi = i + 1 < s.length() ? Text.hexDigit(s.charAt(i + 1)) : -1;
            int lo = i + 2 < s.length() ? Text.hexDigit(s.charAt(i + 2)) : -1;
            if (hi >= 0 && lo >= 0) {
                bytes.write(hi << 4 | lo);
                i += 3;
            } else {
                badEscapes++;
                if (badEscapes <= MAX_LISTED_BAD_ESCAPES) {
                    String shown = s.substring(i, Math.min(s.length(), i + 3));
                    problems.add("bad percent escape \"" + shown + "\" at index " + i + " kept literally");
                }
                bytes.write('%');
                i++;
            }
            literalStart = i;
        }
        writeUtf8(bytes, s, literalStart, s.length());
        if (badEscapes > MAX_LISTED_BAD_ESCAPES) {
            problems.add((badEscapes - MAX_LISTED_BAD_ESCAPES) + " more bad percent escapes kept literally");
        }
        DecodedText text = Utf8.decode(bytes.toByteArray(), "URL-decoded text");
        problems.addAll(text.problems());
        return new DecodedText(text.text(), problems);
    }

    /** Unescaped characters pass through as their UTF-8 bytes (a lone surrogate becomes {@code ?}). */
    private static void writeUtf8(ByteArrayOutputStream out, String s, int from, int to) {
        if (from < to) {
            out.writeBytes(s.substring(from, to).getBytes(StandardCharsets.UTF_8));
        }
    }
}

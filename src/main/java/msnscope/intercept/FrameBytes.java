package msnscope.intercept;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Whole frames from a line and a payload, with the payload length recomputed: what lets a rule or a hook
 * change a {@code MSG} body without counting bytes (MSNP puts a payload's byte length in the line's last
 * token, MSNP.md §2).
 */
public final class FrameBytes {

    private FrameBytes() {
    }

    /**
     * {@code line} (without its CRLF) and, when {@code payload} is not null, the payload, with the line's last
     * token set to the payload's byte length: replaced when it is a number, appended when it is not.
     */
    public static byte[] build(String line, byte[] payload) {
        String l = stripEnd(line);
        if (payload != null) {
            int cut = l.lastIndexOf(' ');
            String last = l.substring(cut + 1);
            l = cut > 0 && !last.isEmpty() && last.chars().allMatch(Character::isDigit)
                    ? l.substring(0, cut + 1) + payload.length : l + " " + payload.length;
        }
        return exact(l, payload);
    }

    /** {@code line}, CRLF and {@code payload} (may be null) exactly as given: the line is not touched. */
    public static byte[] exact(String line, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(stripEnd(line).getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
        if (payload != null) {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    private static String stripEnd(String line) {
        int n = line.length();
        while (n > 0 && (line.charAt(n - 1) == '\n' || line.charAt(n - 1) == '\r')) {
            n--;
        }
        return line.substring(0, n);
    }
}

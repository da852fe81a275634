package msnscope.chaos;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts the bytes a peer read into the complete frames it received: a CR LF line (read as ISO-8859-1, one
 * char per byte, so any byte compares exactly), and for {@code MSG} the
 * payload its last parameter declares. {@code MSG} is the only payload command the chat load and the
 * test world speak, so this needs no protocol table; a frame cut short (the proxy died while sending it)
 * was not received and is left out.
 */
final class WireFrames {

    /** One frame as a peer read it: the line without CR LF (ASCII here), and the payload or null. */
    record Frame(String line, byte[] payload) {
    }

    private WireFrames() {
    }

    static List<Frame> split(byte[] bytes) {
        List<Frame> out = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int lf = indexOf(bytes, (byte) '\n', at);
            if (lf < 0) {
                break;
            }
            int end = lf > at && bytes[lf - 1] == '\r' ? lf - 1 : lf;
            String line = new String(bytes, at, end - at, StandardCharsets.ISO_8859_1);
            at = lf + 1;
            int declared = declaredPayload(line);
            if (declared < 0) {
                out.add(new Frame(line, null));
                continue;
            }
            if (bytes.length - at < declared) {
                break;
            }
            out.add(new Frame(line, Arrays.copyOfRange(bytes, at, at + declared)));
            at += declared;
        }
        return out;
    }

    /** One frame's bytes as a store keeps them (line, terminator, payload), even a payload cut short. */
    static Frame one(byte[] frame) {
        int lf = indexOf(frame, (byte) '\n', 0);
        if (lf < 0) {
            return new Frame(new String(frame, StandardCharsets.ISO_8859_1), null);
        }
        int end = lf > 0 && frame[lf - 1] == '\r' ? lf - 1 : lf;
        String line = new String(frame, 0, end, StandardCharsets.ISO_8859_1);
        return new Frame(line, declaredPayload(line) < 0 ? null : Arrays.copyOfRange(frame, lf + 1, frame.length));
    }

    /** The lines of {@link #split}. */
    static List<String> lines(byte[] bytes) {
        return split(bytes).stream().map(Frame::line).toList();
    }

    private static int declaredPayload(String line) {
        if (!line.startsWith("MSG ")) {
            return -1;
        }
        String last = line.substring(line.lastIndexOf(' ') + 1);
        try {
            return Integer.parseInt(last);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int indexOf(byte[] b, byte x, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }
}

package msnscope.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Whole space-separated tokens of a frame's command line replaced in its raw bytes, everything else (the other
 * tokens, the terminator, the payload) kept byte for byte: how the proxy points a referral at itself and how
 * {@code serve} puts a client's TrID into a captured reply.
 */
public final class LineTokens {

    private LineTokens() {
    }

    /**
     * The frame's bytes with token {@code i} (command = 0) replaced by {@code replace.get(i)} (ASCII or UTF-8
     * text); tokens past the line's end are ignored.
     */
    public static byte[] replace(Frame frame, Map<Integer, String> replace) {
        byte[] all = frame.copyBytes();
        int lineLength = frame.lineLength();
        ByteArrayOutputStream out = new ByteArrayOutputStream(all.length + 16);
        int token = 0;
        int start = 0;
        for (int i = 0; i <= lineLength; i++) {
            if (i == lineLength || all[i] == ' ') {
                String r = replace.get(token);
                if (r != null) {
                    out.writeBytes(r.getBytes(StandardCharsets.UTF_8));
                } else {
                    out.write(all, start, i - start);
                }
                if (i < lineLength) {
                    out.write(' ');
                }
                token++;
                start = i + 1;
            }
        }
        out.write(all, lineLength, all.length - lineLength);
        return out.toByteArray();
    }
}

package msnscope.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Frame#isUtf8} replaces the JDK decoder on the hot path, so it must judge every input as the decoder does. */
class FrameUtf8Test {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    private final CharBuffer out = CharBuffer.allocate(64);

    private boolean decoderAccepts(byte[] b, int off, int len) {
        decoder.reset();
        out.clear();
        CoderResult r = decoder.decode(ByteBuffer.wrap(b, off, len), out, true);
        return !r.isError() && !decoder.flush(out).isError();
    }

    @Test
    void judgesEveryShortSequenceAsTheJdkDecoderDoes() {
        // Every 1- and 2-byte input, and every 3-byte input whose first byte is a lead byte at a boundary of
        // the well-formed table (overlongs, surrogates, above U+10FFFF, truncations).
        byte[] b = new byte[3];
        for (int x = 0; x < 256; x++) {
            b[0] = (byte) x;
            assertEquals(decoderAccepts(b, 0, 1), Frame.isUtf8(b, 0, 1), () -> Integer.toHexString(b[0] & 0xFF));
            for (int y = 0; y < 256; y++) {
                b[1] = (byte) y;
                assertEquals(decoderAccepts(b, 0, 2), Frame.isUtf8(b, 0, 2), () -> hex(b, 2));
                if (java.util.Set.of(0x80, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF).contains(x)) {
                    for (int z = 0; z < 256; z++) {
                        b[2] = (byte) z;
                        assertEquals(decoderAccepts(b, 0, 3), Frame.isUtf8(b, 0, 3), () -> hex(b, 3));
                    }
                }
            }
        }
    }

    @Test
    void judgesRandomTextAndNoiseAsTheJdkDecoderDoes() {
        Random r = new Random(10);
        String[] pieces = {"a", "é", "€", "𝄞", "日本", " ", "\r\n"};
        for (int i = 0; i < 200_000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                StringBuilder sb = new StringBuilder();
                for (int k = r.nextInt(12); k > 0; k--) {
                    sb.append(pieces[r.nextInt(pieces.length)]);
                }
                b = sb.toString().getBytes(StandardCharsets.UTF_8);
                if (b.length > 0 && r.nextBoolean()) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256); // one damaged byte
                }
            } else {
                b = new byte[r.nextInt(8)];
                r.nextBytes(b);
            }
            int off = b.length == 0 ? 0 : r.nextInt(b.length);
            int len = b.length - off;
            byte[] copy = b;
            assertEquals(decoderAccepts(b, off, len), Frame.isUtf8(b, off, len), () -> hex(copy, copy.length));
        }
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x ", b[i] & 0xFF));
        }
        return sb.toString();
    }
}

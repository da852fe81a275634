package msnscope.wire;

import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.SpecLoader;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz: random bytes (pure noise, and noise mixed with real command fragments) never make the framer or
 * the dissector throw, every byte comes out in some frame, and no frame exceeds the hard limits — so
 * memory stays bounded whatever a peer sends.
 */
class FramerFuzzTest {

    private static final FramerLimits LIMITS = new FramerLimits(256, 4096);
    private static final String[] FRAGMENTS = {
            "MSG 1 N 10\r\n", "UUX 2 999999\r\n", "\r\n", "\n", "VER 1 MSNP11 CVR0\r\n", "QRY 3 PROD 32\r\n", "ADL 0 5\r\n",
            "241 4 12\r\n", "MSG a b 3", "\u00ff\u00fe", "\0\0\0", "CHL 0 123\r\n", " ", "XFR 3 NS 1.2.3.4:1863 U D\r\n"};

    @RepeatedTest(300)
    void randomBytesNeverThrowAndLoseNothing(RepetitionInfo info) {
        Random rnd = new Random(104729L * info.getCurrentRepetition());
        byte[] data = noise(rnd, 1 + rnd.nextInt(20_000));
        int[] cuts = rnd.ints(rnd.nextInt(50), 0, data.length + 1).sorted().toArray();
        Direction dir = rnd.nextBoolean() ? Direction.C2S : Direction.S2C;
        StreamDissector stream = new Dissector(SpecLoader.builtIn()).stream(new SessionContext("fuzz"), "c1", null);
        List<Frame> frames = FramerTestSupport.inPieces(data, cuts, dir, stream.oracle(), LIMITS);
        assertArrayEquals(data, FramerTestSupport.join(frames), "every byte is in exactly one frame, in order");
        for (Frame f : frames) {
            assertTrue(f.size() <= LIMITS.maxLineLength() + 2 + LIMITS.maxPayloadLength(), "frame of " + f.size() + " bytes");
            stream.dissect(f, dir, null);
        }
        stream.close();
    }

    private static byte[] noise(Random rnd, int n) {
        byte[] out = new byte[n];
        int i = 0;
        while (i < n) {
            if (rnd.nextInt(3) == 0) {
                byte[] frag = FRAGMENTS[rnd.nextInt(FRAGMENTS.length)].getBytes(StandardCharsets.ISO_8859_1);
                int len = Math.min(frag.length, n - i);
                System.arraycopy(frag, 0, out, i, len);
                i += len;
            } else {
                out[i++] = (byte) rnd.nextInt(256);
            }
        }
        return out;
    }
}

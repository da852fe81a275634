package msnscope.wire;

import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Property: any stream of valid commands — payload or not, text or binary payloads, CR LF or bare LF —
 * delivered in random pieces, frames back into exactly the commands that were written, byte for byte.
 * Seeds are fixed per repetition so a failure is reproducible.
 */
class FramerPropertyTest {

    private static final ProtocolSpec SPEC = SpecLoader.builtIn();
    private static final PayloadOracle V11 = (key, dir, tokens) -> SPEC.expectsPayload(key, dir, tokens, 11);

    private static final String[] PLAIN = {
            "CHG %d NLN 1073791084", "PNG", "XFR %d SB", "CAL %d bob@example.com", "OUT", "SYN %d 0 0",
            "USR %d TWN I alice@example.com", "ADC %d FL N=bob@example.com F=bob", "GCF %d Shields.xml", "BLP %d AL"};

    @RepeatedTest(200)
    void randomValidStreamsRoundTripByteExact(RepetitionInfo info) {
        Random rnd = new Random(7919L * info.getCurrentRepetition());
        List<byte[]> written = new ArrayList<>();
        int commands = 1 + rnd.nextInt(40);
        for (int i = 0; i < commands; i++) {
            written.add(command(rnd, i + 1));
        }
        byte[] stream = FramerTestSupport.concat(written.toArray(new byte[0][]));
        int[] cuts = rnd.ints(rnd.nextInt(20), 0, stream.length + 1).sorted().toArray();
        List<Frame> frames = FramerTestSupport.inPieces(stream, cuts, Direction.C2S, V11, FramerLimits.DEFAULT);
        assertEquals(written.size(), frames.size(), "frame count");
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(written.get(i), frames.get(i).copyBytes(), "frame " + i);
        }
    }

    private static byte[] command(Random rnd, int trid) {
        String eol = rnd.nextInt(10) == 0 ? "\n" : "\r\n";
        switch (rnd.nextInt(4)) {
            case 0, 1 -> {
                String line = String.format(PLAIN[rnd.nextInt(PLAIN.length)], trid).replace("%d", "");
                return (line + eol).getBytes(StandardCharsets.US_ASCII);
            }
            case 2 -> {
                byte[] payload = new byte[rnd.nextInt(2000)];
                rnd.nextBytes(payload);
                String mode = new String[]{"U", "N", "A", "D"}[rnd.nextInt(4)];
                return FramerTestSupport.concat(("MSG " + trid + " " + mode + " " + payload.length + eol).getBytes(StandardCharsets.US_ASCII), payload);
            }
            default -> {
                char[] text = new char[rnd.nextInt(300)];
                Arrays.fill(text, 'x');
                for (int i = 0; i < text.length; i += 1 + rnd.nextInt(40)) {
                    text[i] = rnd.nextBoolean() ? '\n' : '\r';
                }
                byte[] payload = ("<Data><PSM>" + new String(text) + "</PSM></Data>").getBytes(StandardCharsets.UTF_8);
                return FramerTestSupport.concat(("UUX " + trid + " " + payload.length + eol).getBytes(StandardCharsets.US_ASCII), payload);
            }
        }
    }
}

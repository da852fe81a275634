package msnscope.wire;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.support.Captures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every capture, each direction of each connection, re-framed from its bytes cut at every byte boundary
 * (and byte by byte) gives the same frames as the transcript declares.
 */
class FramerSplitTest {

    private static final ProtocolSpec SPEC = SpecLoader.builtIn();

    static List<Path> transcripts() {
        return Captures.transcripts();
    }

    @ParameterizedTest
    @MethodSource("transcripts")
    void everySplitPointGivesTheSameFrames(Path transcript) {
        SessionAssembler session = Captures.dissect(transcript);
        int checked = 0;
        for (ConnectionLog c : session.connections()) {
            int version = c.version();
            PayloadOracle oracle = (key, dir, tokens) -> SPEC.expectsPayload(key, dir, tokens, version);
            for (Direction dir : Direction.values()) {
                List<Frame> expected = new ArrayList<>();
                for (Dissection d : c.frames()) {
                    if (d.direction() == dir) {
                        expected.add(d.frame());
                    }
                }
                if (expected.isEmpty()) {
                    continue;
                }
                byte[] bytes = FramerTestSupport.join(expected);
                assertEquals(expected, FramerTestSupport.byteByByte(bytes, dir, oracle, FramerLimits.DEFAULT),
                        transcript + " " + c.id() + " " + dir + " byte by byte");
                for (int cut = 1; cut < bytes.length; cut++) {
                    List<Frame> got = FramerTestSupport.inPieces(bytes, new int[]{cut}, dir, oracle, FramerLimits.DEFAULT);
                    assertEquals(expected, got, transcript + " " + c.id() + " " + dir + " cut at " + cut);
                }
                checked++;
            }
        }
        assertEquals(true, checked > 0, "no frames in " + transcript);
    }
}

package msnscope.transcript;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.Warning;
import msnscope.support.Captures;
import msnscope.wire.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the wiki transcript format, and writing it back byte for byte. */
class TranscriptTest {

    @Test
    void seedGivesTwoConnectionsAndTheProfileIsExactly465Bytes() {
        SessionAssembler s = Captures.dissect(Captures.DIR.resolve("msnp11-wiki-example.txt"));
        assertEquals(2, s.connections().size());
        assertEquals("10.0.0.5:1863", s.connections().get(1).server());
        Dissection profile = s.connections().get(1).frames().stream()
                .filter(d -> d.frame().line().equals("MSG Hotmail Hotmail 465")).findFirst().orElseThrow();
        assertEquals(465, profile.frame().payloadLength());
        assertEquals("text/x-msmsgsprofile", ((java.util.Map<?, ?>) profile.fields().get("payload")).get("content-type"));
        for (ConnectionLog c : s.connections()) {
            for (Dissection d : c.frames()) {
                assertTrue(d.warnings().stream().noneMatch(w -> w.code().equals(Warning.PAYLOAD_LENGTH_MISMATCH)), d.toString());
            }
        }
    }

    @Test
    void continuationLinesAreJoinedWithOneSpace() {
        SessionAssembler s = Captures.dissect(Captures.DIR.resolve("msnp11-wiki-example.txt"));
        String cvr = s.connections().get(0).frames().get(3).frame().line();
        assertTrue(cvr.endsWith("SetupDl.exe http://messenger.msn.com"), cvr);
    }

    @Test
    void payloadThatCannotReachItsLengthIsFlagged() {
        SessionAssembler s = read("C: VER 1 MSNP11 CVR0\nS: VER 1 MSNP11\nC: UUX 2 99\n<Data></Data>\nC: PNG\n");
        Dissection uux = s.connections().get(0).frames().get(2);
        assertTrue(uux.warnings().stream().anyMatch(w -> w.code().equals(Warning.PAYLOAD_LENGTH_MISMATCH)), uux.warnings().toString());
        assertEquals("PNG", s.connections().get(0).frames().get(3).command(), "the next command is not swallowed");
    }

    static List<Path> transcripts() {
        return Captures.transcripts();
    }

    @ParameterizedTest
    @MethodSource("transcripts")
    void writingAndReadingBackGivesByteIdenticalFrames(Path transcript) {
        SessionAssembler first = Captures.dissect(transcript);
        StringBuilder text = new StringBuilder();
        TranscriptWriter w = new TranscriptWriter(text);
        for (ConnectionLog c : first.connections()) {
            w.connection(c.server());
            for (Dissection d : c.frames()) {
                w.frame(d.direction(), d.frame(), d.timeMicros());
            }
        }
        SessionAssembler second = read(text.toString());
        assertEquals(frames(first), frames(second));
    }

    @Test
    void framesThePlainFormatCannotHoldSurviveAsExtensions() {
        StringBuilder text = new StringBuilder();
        TranscriptWriter w = new TranscriptWriter(text);
        w.connection("127.0.0.1:1864");
        List<Frame> frames = List.of(
                Frame.of("MSG 4 D 6".getBytes(), false, new byte[]{0, 1, '\r', '\n', (byte) 0xff, '\n'}, 6, "MSG", 0),
                Frame.of("QNG 60".getBytes(), true, null, -1, "QNG", 0),
                Frame.of(new byte[]{(byte) 0xc3, 0x28, 'x'}, false, null, -1, null, 0));
        for (Frame f : frames) {
            w.frame(msnscope.wire.Direction.C2S, f, 1_700_000_000_123_456L);
        }
        SessionAssembler back = read(text.toString());
        List<Frame> got = back.connections().get(0).frames().stream().map(Dissection::frame).toList();
        assertEquals(frames, got);
        assertEquals(1_700_000_000_123_456L, back.connections().get(0).frames().get(0).timeMicros());
    }

    private static SessionAssembler read(String text) {
        SessionAssembler s = new SessionAssembler(new msnscope.dissect.Dissector(msnscope.dissect.spec.SpecLoader.builtIn()), "t",
                msnscope.wire.FramerLimits.DEFAULT);
        new TranscriptReader(msnscope.wire.FramerLimits.DEFAULT).read(text, s);
        return s;
    }

    private static List<List<Frame>> frames(SessionAssembler s) {
        List<List<Frame>> out = new ArrayList<>();
        for (ConnectionLog c : s.connections()) {
            out.add(c.frames().stream().map(Dissection::frame).toList());
        }
        return out;
    }
}

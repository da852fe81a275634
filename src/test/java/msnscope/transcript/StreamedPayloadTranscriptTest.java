package msnscope.transcript;

import msnscope.dissect.spec.SpecLoader;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import msnscope.wire.PayloadOracle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A payload the proxy streamed in pieces (over --max-payload) is written to a transcript as raw blocks and
 * read back as the payload its line declares: the same bytes, and the command lines inside it never become
 * commands, whatever limits the reader has.
 */
class StreamedPayloadTranscriptTest {

    private static final PayloadOracle ORACLE = (key, dir, tokens) -> SpecLoader.builtIn().expectsPayload(key, dir, tokens, 11);

    private static byte[] stream() {
        StringBuilder payload = new StringBuilder("MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n");
        while (payload.length() < 9000) {
            payload.append("XFR 9 SB 127.0.0.1:1 CKI evil\r\nRNG 1 127.0.0.1:2 CKI evil a@b c\r\n");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("MSG 4 N ".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes((payload.length() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("PNG\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static List<Frame> readBack(String transcript, FramerLimits limits) {
        List<Frame> frames = new ArrayList<>();
        new TranscriptReader(limits).read(transcript, new TranscriptSink() {
            @Override
            public PayloadOracle open(String server) {
                return ORACLE;
            }

            @Override
            public void frame(Direction direction, Frame frame, Long timeMicros) {
                frames.add(frame);
            }

            @Override
            public void close() {
            }
        });
        return frames;
    }

    private static byte[] concat(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frames.forEach(f -> out.writeBytes(f.copyBytes()));
        return out.toByteArray();
    }

    @Test
    void aStreamedPayloadReadsBackAsItsPayloadNeverAsCommands() {
        FramerLimits small = new FramerLimits(1024, 4096);
        List<Frame> proxied = Framer.frameAll(stream(), Direction.C2S, ORACLE, small);
        assertTrue(proxied.size() > 3, "the payload was streamed in pieces");
        StringBuilder transcript = new StringBuilder();
        TranscriptWriter w = new TranscriptWriter(transcript);
        w.connection("10.0.0.7:1864");
        proxied.forEach(f -> w.frame(Direction.C2S, f, null));

        List<Frame> same = readBack(transcript.toString(), small);
        assertArrayEquals(stream(), concat(same));
        assertEquals(proxied.stream().map(Frame::command).toList(), same.stream().map(Frame::command).toList(),
                "with the proxy's limits, the same framing");

        List<Frame> roomy = readBack(transcript.toString(), FramerLimits.DEFAULT);
        assertArrayEquals(stream(), concat(roomy));
        assertEquals(List.of("MSG", "PNG"), roomy.stream().map(Frame::command).toList(),
                "with room for it, the payload is whole again and nothing in it is a command");
    }
}

package msnscope.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.Warning;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A payload is the payload it declares, whatever its size and whatever memory is left: above the payload
 * limit or without budget it is streamed through in flagged pieces, none of its bytes is ever read as a
 * command, and framing resumes exactly after it (issue 9, item 4: a chat peer's payload must not steer
 * the framing; item 7: partial payloads are paid from one shared budget).
 */
class FramerStreamingTest {

    private static final ProtocolSpec SPEC = SpecLoader.builtIn();
    private static final PayloadOracle V11 = (key, dir, tokens) -> SPEC.expectsPayload(key, dir, tokens, 11);
    private static final FramerLimits SMALL = new FramerLimits(64, 1024);

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A chat message whose body carries lines a proxy must never take for referrals. */
    private static byte[] hostilePayload(int size) {
        StringBuilder b = new StringBuilder("MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n");
        while (b.length() < size) {
            b.append("XFR 9 SB 127.0.0.1:4444 CKI x\r\nRNG 77 127.0.0.1:4444 CKI y evil@example.com Evil\r\nQNG 1\r\n");
        }
        b.setLength(size);
        return ascii(b.toString());
    }

    @RepeatedTest(50)
    void oversizedPayloadIsStreamedAndFramingResumesExactlyAfterIt(RepetitionInfo info) {
        Random rnd = new Random(31L * info.getCurrentRepetition());
        byte[] payload = hostilePayload(3000 + rnd.nextInt(5000));
        byte[] stream = FramerTestSupport.concat(ascii("MSG alice@example.com Alice " + payload.length + "\r\n"), payload,
                ascii("ACK 2\r\nMSG bob@example.com Bob 5\r\nhello"));
        int[] cuts = rnd.ints(rnd.nextInt(30), 0, stream.length + 1).sorted().toArray();

        List<Frame> frames = FramerTestSupport.inPieces(stream, cuts, Direction.S2C, V11, SMALL);

        assertArrayEquals(stream, FramerTestSupport.join(frames), "every byte in exactly one frame, in order");
        Frame line = frames.get(0);
        assertTrue(line.has(Frame.PAYLOAD_TOO_LARGE) && line.has(Frame.PAYLOAD_STREAMED), line.toString());
        assertFalse(line.hasPayload(), "the line frame holds no payload");
        List<Frame> parts = frames.subList(1, frames.size() - 2);
        int streamed = 0;
        for (Frame p : parts) {
            assertTrue(p.has(Frame.PAYLOAD_PART), "payload bytes are parts: " + p);
            assertNull(p.command(), "payload bytes are never a command");
            assertTrue(p.size() <= SMALL.partLength(), "a part is bounded: " + p.size());
            streamed += p.size();
        }
        assertEquals(payload.length, streamed);
        assertEquals("ACK 2", frames.get(frames.size() - 2).line());
        Frame next = frames.get(frames.size() - 1);
        assertEquals("MSG", next.command());
        assertArrayEquals(ascii("hello"), next.payload(), "a payload after the streamed one is framed as usual");
    }

    @Test
    void partsComeOutAsBytesArriveNothingLargeIsBuffered() {
        Framer framer = new Framer(Direction.C2S, V11, SMALL, new PartialBudget(0));
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(ascii("UUX 2 1048576\r\n"));
        Frame line = framer.decode(in);
        assertNotNull(line);
        assertTrue(line.has(Frame.PAYLOAD_STREAMED));
        for (int i = 0; i < 10; i++) {
            in.writeBytes(new byte[100]);
            Frame part = framer.decode(in);
            assertNotNull(part, "each arrival comes out at once");
            assertEquals(100, part.size());
            assertNull(framer.decode(in));
            assertEquals(0, in.readableBytes());
        }
        assertEquals(0, framer.buffered());
    }

    @Test
    void lengthsBeyondIntegerAndLongAreCountedNotWrapped() {
        for (String declared : new String[]{"2147483648", "4294967297", "99999999999999999999999999999"}) {
            byte[] stream = ascii("MSG 1 N " + declared + "\r\nXFR 9 SB 127.0.0.1:4444 CKI x\r\nPNG\r\n");
            List<Frame> frames = Framer.frameAll(stream, Direction.C2S, V11, FramerLimits.DEFAULT);
            assertArrayEquals(stream, FramerTestSupport.join(frames));
            assertTrue(frames.get(0).has(Frame.PAYLOAD_TOO_LARGE), declared);
            for (Frame f : frames.subList(1, frames.size())) {
                assertTrue(f.has(Frame.PAYLOAD_PART), declared + ": " + f);
                assertNull(f.command());
            }
        }
    }

    @Test
    void payloadWithoutBudgetIsStreamedAndItsBudgetGivenBack() {
        PartialBudget budget = new PartialBudget(200);
        Framer framer = new Framer(Direction.C2S, V11, FramerLimits.DEFAULT, budget);
        byte[] payload = hostilePayload(1000);
        byte[] stream = FramerTestSupport.concat(ascii("MSG 3 N 1000\r\n"), payload, ascii("PNG\r\n"));
        ByteBuf in = Unpooled.buffer();
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < stream.length; i += 50) {
            in.writeBytes(stream, i, Math.min(50, stream.length - i));
            for (Frame f; (f = framer.decode(in)) != null; ) {
                frames.add(f);
            }
            assertTrue(budget.used() <= budget.limit());
        }
        assertArrayEquals(stream, FramerTestSupport.join(frames));
        Frame line = frames.get(0);
        assertTrue(line.has(Frame.PAYLOAD_STREAMED));
        assertFalse(line.has(Frame.PAYLOAD_TOO_LARGE), "within the limit, only the budget was short");
        assertEquals("PNG", frames.get(frames.size() - 1).command());
        assertTrue(frames.subList(1, frames.size() - 1).stream().allMatch(f -> f.has(Frame.PAYLOAD_PART) && f.command() == null));
        assertTrue(budget.refusals() > 0);
        assertEquals(0, budget.used(), "nothing held once the payload went through");
    }

    @Test
    void bufferedPayloadPaysForWhatItHoldsAndReleasesItWhenComplete() {
        PartialBudget budget = new PartialBudget(1 << 20);
        Framer framer = new Framer(Direction.C2S, V11, FramerLimits.DEFAULT, budget);
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(ascii("UUX 2 100000\r\n"));
        in.writeBytes(new byte[30_000]);
        assertNull(framer.decode(in));
        assertEquals(0, in.readableBytes(), "the partial payload moved out of the read buffer");
        assertEquals(framer.buffered(), budget.used(), "the budget counts what the framer holds");
        assertTrue(budget.used() >= 30_000 && budget.used() < 2 * 30_100, "grown to what arrived, not to what was declared");
        in.writeBytes(new byte[70_000]);
        Frame f = framer.decode(in);
        assertNotNull(f);
        assertEquals(100_000, f.payloadLength());
        assertFalse(f.has(Frame.PAYLOAD_STREAMED));
        assertEquals(0, budget.used());

        in.writeBytes(ascii("UUX 3 100000\r\n"));
        in.writeBytes(new byte[10]);
        assertNull(framer.decode(in));
        assertTrue(budget.used() > 0);
        framer.release();
        assertEquals(0, budget.used(), "a connection that ends gives its partial payload's budget back");
    }

    @Test
    void streamedLineAndPartsAreDissectedAsSuchAndNeverDecoded() {
        StreamDissector stream = new Dissector(SPEC).stream(new SessionContext("s"), "c1", null);
        byte[] payload = hostilePayload(2000);
        byte[] wire = FramerTestSupport.concat(ascii("MSG 2 A " + payload.length + "\r\n"), payload, ascii("PNG\r\n"));
        stream.dissect(Framer.frameAll(ascii("VER 1 MSNP11 CVR0\r\n"), Direction.C2S, V11, SMALL).get(0), Direction.C2S, 1L);
        List<Dissection> ds = new ArrayList<>();
        for (Frame f : Framer.frameAll(wire, Direction.C2S, stream.oracle(), SMALL)) {
            ds.add(stream.dissect(f, Direction.C2S, 2L));
        }
        Dissection line = ds.get(0);
        assertEquals("MSG", line.command());
        Warning w = line.warnings().stream().filter(x -> x.code().equals(Warning.PAYLOAD_TOO_LARGE)).findFirst().orElseThrow();
        assertTrue(w.message().contains("streamed through undissected"), w.message());
        for (Dissection part : ds.subList(1, ds.size() - 1)) {
            assertNull(part.command());
            assertTrue(part.warnings().stream().anyMatch(x -> x.code().equals(Warning.PAYLOAD_TOO_LARGE)), part.warnings().toString());
            assertFalse(part.warnings().stream().anyMatch(x -> x.code().equals(Warning.NOT_A_COMMAND)), part.warnings().toString());
            assertTrue(part.summary().startsWith("Piece of a streamed payload"), part.summary());
        }
        assertEquals("PNG", ds.get(ds.size() - 1).command());
        assertTrue(ds.get(ds.size() - 1).warnings().isEmpty(), ds.get(ds.size() - 1).warnings().toString());
    }
}

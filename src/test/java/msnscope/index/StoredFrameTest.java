package msnscope.index;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.export.FrameJson;
import msnscope.support.Captures;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoredFrameTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    private static void assertRoundTrip(Dissection d) {
        Map<String, String> extra = java.util.Collections.singletonMap("account", d.account());
        String expected = FrameJson.toLine(d, extra);
        byte[] stored = StoredFrame.encode(d);
        assertEquals(expected, StoredFrame.json(new org.apache.lucene.util.BytesRef(stored)), () -> "frame: " + d.frame());
        // The map search holds: written back, the same object.
        assertEquals(expected, FrameJson.toLine(StoredFrame.object(new org.apache.lucene.util.BytesRef(stored))), () -> "map: " + d.frame());
    }

    /** Dissects {@code wire} as one direction of a fresh connection: garbage, binary and all. */
    private static List<Dissection> dissect(byte[] wire, Direction dir) {
        StreamDissector stream = DISSECTOR.stream(new SessionContext("t"), "c1", null);
        List<Frame> frames = Framer.frameAll(wire, dir, stream.oracle(), new FramerLimits(64, 256));
        return frames.stream().map(f -> stream.dissect(f, dir, 1_700_000_000_123_456L)).toList();
    }

    @Test
    void rebuildsTheJsonObjectOfEveryFrameOfTheSampleSessions() {
        int frames = 0;
        for (Path t : Captures.transcripts()) {
            for (ConnectionLog c : Captures.dissect(t).connections()) {
                for (Dissection d : c.frames()) {
                    assertRoundTrip(d);
                    frames++;
                }
            }
        }
        assertTrue(frames > 300, "the samples were read: " + frames);
    }

    @Test
    void rebuildsGarbageBinaryPayloadsAndBrokenLinesExactly() {
        String wire = "VER 1 MSNP11 CVR0\r\n"
                + "CHG  2  NLN 0\r\n"                                  // double spaces: params are not single-space words
                + "MSG 3 N 5\r\n\u0000\u0001\u00ff\u0080x"              // binary payload
                + "bare lf line\n"
                + "PNG\r\n"
                + "garbage \u00e9\u00e8 \u00ff\r\n"
                + "X".repeat(200) + "\r\n"                          // longer than the line limit: cut into pieces
                + "MSG 4 A 999999\r\nshort";                         // truncated payload at the end
        for (Direction dir : Direction.values()) {
            List<Dissection> ds = dissect(wire.getBytes(StandardCharsets.ISO_8859_1), dir);
            assertTrue(ds.size() >= 8);
            ds.forEach(StoredFrameTest::assertRoundTrip);
        }
    }

    @Test
    void rebuildsRandomBytesExactly() {
        Random r = new Random(5);
        byte[] alphabet = "MSG 1 N 3\r\n\u00e9\u0000 USR".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 300; i++) {
            byte[] wire = new byte[r.nextInt(200)];
            for (int k = 0; k < wire.length; k++) {
                wire[k] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
            }
            dissect(wire, r.nextBoolean() ? Direction.C2S : Direction.S2C).forEach(StoredFrameTest::assertRoundTrip);
        }
    }

    @Test
    void keepsEveryKindOfFieldValue() {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("min", Long.MIN_VALUE);
        fields.put("max", Long.MAX_VALUE);
        fields.put("negative", -1);
        fields.put("yes", true);
        fields.put("no", false);
        fields.put("nothing", null);
        fields.put("list", java.util.Arrays.asList("a", 2, null, List.of(Map.of("k", "v"))));
        fields.put("text", "é 😀 \"quoted\" \t");
        fields.put("other", new StringBuilder("kept as the mapper writes it"));
        Frame f = Framer.frameAll("CHG 9 NLN\r\n".getBytes(StandardCharsets.US_ASCII), Direction.C2S, (k, d, t) -> false,
                FramerLimits.DEFAULT).get(0);
        Dissection d = Dissection.restored("s1", "c2", 7, -5L, Direction.C2S, null, 18, null, f, "CHG", Long.MAX_VALUE,
                List.of("9", "NLN"), null, fields, 3, List.of(new msnscope.dissect.Warning("w", "why")));
        assertRoundTrip(d);
    }

    @Test
    void aDamagedStoredFrameFailsWithOneLineThatSaysReindex() {
        byte[] stored = StoredFrame.encode(dissect("VER 1 MSNP11 CVR0\r\n".getBytes(StandardCharsets.US_ASCII), Direction.C2S).get(0));
        // Cut short; another version; empty; a string length of 2^31-1 (must not allocate it).
        byte[] huge = {StoredFrame.VERSION, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
        for (byte[] bad : new byte[][] {java.util.Arrays.copyOf(stored, stored.length / 2), {9, 1, 2}, {}, huge}) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> StoredFrame.decode(new org.apache.lucene.util.BytesRef(bad)));
            assertTrue(e.getMessage().endsWith("run msnscope reindex"), e.getMessage());
        }
    }

    @Test
    void paramsThatAreTheLinesWordsAreNotStoredTwice() {
        assertTrue(StoredFrame.sameAsLine(List.of("1", "MSNP11"), "VER 1 MSNP11"));
        assertTrue(StoredFrame.sameAsLine(List.of(), "PNG"));
        assertTrue(StoredFrame.sameAsLine(List.of("", "2"), "CHG  2"));
        assertTrue(StoredFrame.sameAsLine(List.of(""), "QNG "));
        assertEquals(false, StoredFrame.sameAsLine(List.of("1"), "VER 1 MSNP11"));
        assertEquals(false, StoredFrame.sameAsLine(List.of("1", "MSNP11", "x"), "VER 1 MSNP11"));
        assertEquals(false, StoredFrame.sameAsLine(List.of(), "VER 1"));
        assertEquals(List.of("", "2"), StoredFrame.lineWords("CHG  2"));
    }
}

package msnscope.capture;

import msnscope.support.CaptureFiles;
import msnscope.wire.Direction;
import msnscope.wire.Edit;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import msnscope.wire.PayloadOracle;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The recorder's frames of one read go into one run record ({@link CaptureFormat#FRAME_RUN}): each frame's size
 * and bytes, the rest derived on reading. What the framer made must come back exactly, whatever the bytes were.
 */
class FrameRunTest {

    private static final byte[] C1 = "c1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] C2 = "c2".getBytes(StandardCharsets.UTF_8);
    private static final long TIME = 1_700_000_000_000_000L;

    @TempDir
    Path dir;

    private static List<Frame> frames(String stream) {
        return frames(stream.getBytes(StandardCharsets.UTF_8), FramerLimits.DEFAULT);
    }

    /** Only {@code MSG} with four tokens carries a payload here. */
    private static List<Frame> frames(byte[] stream, FramerLimits limits) {
        PayloadOracle oracle = (key, d, tokens) -> tokens >= 4 && key == msnscope.wire.CommandKeys.of("MSG");
        return Framer.frameAll(stream, Direction.C2S, oracle, limits);
    }

    /** Frame's equals leaves out the command and where the payload starts: a run derives both, so both are compared. */
    private static void assertSameFrame(Frame expected, Frame actual, String what) {
        assertEquals(expected, actual, what);
        assertEquals(expected.command(), actual.command(), what + ": command");
        assertEquals(expected.terminatorLength(), actual.terminatorLength(), what + ": terminator");
        assertEquals(expected.flags(), actual.flags(), what + ": flags");
        assertEquals(expected.declaredLength(), actual.declaredLength(), what + ": declared length");
    }

    private static List<CaptureRecord.FrameRecord> frameRecords(Path file) throws IOException {
        List<CaptureRecord.FrameRecord> out = new ArrayList<>();
        for (CaptureRecord r : CaptureReader.readAll(file)) {
            out.add((CaptureRecord.FrameRecord) r);
        }
        return out;
    }

    @Test
    void theFramesOfOneReadAreOneRunAndReadBackAsTheFramerMadeThem() throws IOException {
        List<Frame> read = frames("VER 1 MSNP11 CVR0\r\nPNG\r\nMSG 4 N 5\r\nhello\nbare LF\r\nno command here\r\n"
                + "ünïcode ÜSR line\r\n404 7\r\nMSG 5 N 0\r\nCHG 6 NLN\n\r\n\n");
        assertTrue(read.stream().allMatch(CaptureFormat::fitsRun), "every frame here frames plainly");
        Path f = dir.resolve("s1.msncap");
        try (CaptureWriter w = CaptureWriter.create(f, false)) {
            for (Frame frame : read) {
                w.appendFrame(C1, TIME, Direction.S2C, frame, null, null);
            }
        }
        assertEquals(List.of(CaptureFormat.FRAME_RUN), CaptureFiles.recordTypes(f));
        List<CaptureRecord.FrameRecord> back = frameRecords(f);
        assertEquals(read.size(), back.size());
        for (int i = 0; i < read.size(); i++) {
            assertEquals(new CaptureRecord.FrameRecord("c1", TIME, Direction.S2C, read.get(i), null), back.get(i));
            assertSameFrame(read.get(i), back.get(i).frame(), read.get(i).line());
        }
    }

    @Test
    void aRunTakesAVarintAndTheBytesPerFrame() throws IOException {
        Path f = dir.resolve("s1.msncap");
        List<Frame> read = frames("PNG\r\n".repeat(100));
        try (CaptureWriter w = CaptureWriter.create(f, false)) {
            for (Frame frame : read) {
                w.appendFrame(C1, TIME, Direction.C2S, frame, null, null);
            }
        }
        // A record of its own takes 35 bytes for a PNG; in a run it takes 6 (the 5 bytes and their size), after
        // one header: length, type, connection (varint and "c1"), time, direction, and the CRC.
        long header = 4 + 1 + (1 + 2) + 8 + 1 + 4;
        assertEquals(CaptureFormat.MAGIC.length + header + 100 * 6, Files.size(f));
    }

    @Test
    void aChangedOrFlaggedFrameIsARecordOfItsOwnAndKeepsItsPlace() throws IOException {
        List<Frame> read = new ArrayList<>(frames("PNG\r\nXFR 9 NS 10.0.0.1:1863 0\r\nOUT\r\nQRY 3 x 2\r\nCHG 4 NLN 0\r\n"));
        read.add(frames("cut sho".getBytes(StandardCharsets.US_ASCII), FramerLimits.DEFAULT).get(0));
        assertTrue(read.get(5).has(Frame.LINE_TRUNCATED));
        byte[] rewritten = "XFR 9 NS 127.0.0.1:1863 0\r\n".getBytes(StandardCharsets.US_ASCII);
        Edit edit = new Edit("rule 1 (rules.yaml)", "replace", false);
        Path f = dir.resolve("s1.msncap");
        try (CaptureWriter w = CaptureWriter.create(f, false)) {
            w.appendFrame(C1, TIME, Direction.S2C, read.get(0), null, null);
            w.appendFrame(C1, TIME, Direction.S2C, read.get(1), rewritten, null);
            w.appendFrame(C1, TIME, Direction.S2C, read.get(2), null, null);
            w.appendFrame(C1, TIME, Direction.S2C, read.get(3), null, edit);
            w.appendFrame(C1, TIME, Direction.S2C, read.get(4), null, null);
            w.appendFrame(C1, TIME, Direction.S2C, read.get(5), null, null);
        }
        assertEquals(List.of(CaptureFormat.FRAME_RUN, CaptureFormat.FRAME_COMPACT, CaptureFormat.FRAME_RUN,
                CaptureFormat.FRAME_EDITED, CaptureFormat.FRAME_RUN, CaptureFormat.FRAME_COMPACT), CaptureFiles.recordTypes(f));
        List<CaptureRecord.FrameRecord> back = frameRecords(f);
        assertArrayEquals(rewritten, back.get(1).rewritten());
        assertEquals(List.of(
                new CaptureRecord.FrameRecord("c1", TIME, Direction.S2C, read.get(0), null),
                new CaptureRecord.FrameRecord("c1", TIME, Direction.S2C, read.get(1), back.get(1).rewritten()),
                new CaptureRecord.FrameRecord("c1", TIME, Direction.S2C, read.get(2), null),
                new CaptureRecord.FrameRecord("c1", TIME, Direction.S2C, read.get(3), null, edit),
                new CaptureRecord.FrameRecord("c1", TIME, Direction.S2C, read.get(4), null),
                new CaptureRecord.FrameRecord("c1", TIME, Direction.S2C, read.get(5), null)), back);
    }

    @Test
    void anotherConnectionDirectionOrReadStartsANewRun() throws IOException {
        List<Frame> read = frames("PNG\r\nPNG\r\n");
        Path f = dir.resolve("s1.msncap");
        try (CaptureWriter w = CaptureWriter.create(f, false)) {
            w.appendFrame(C1, TIME, Direction.C2S, read.get(0), null, null);
            w.appendFrame(C1, TIME, Direction.C2S, read.get(1), null, null);
            w.appendFrame(C2, TIME, Direction.C2S, read.get(0), null, null);
            w.appendFrame(C2, TIME, Direction.S2C, read.get(0), null, null);
            w.appendFrame(C2, TIME + 1, Direction.S2C, read.get(0), null, null);
            w.append(new CaptureRecord.ConnectionClosed("c2", TIME + 2, "end"));
            w.appendFrame(C2, TIME + 1, Direction.S2C, read.get(0), null, null);
            w.flush();
            // A flush ends the run: what is on disk is whole records.
            assertEquals(Files.size(f), w.length());
            w.appendFrame(C2, TIME + 1, Direction.S2C, read.get(0), null, null);
        }
        assertEquals(List.of(7, 7, 7, 7, CaptureFormat.CLOSE, 7, 7), CaptureFiles.recordTypes(f));
        List<CaptureRecord> back = CaptureReader.readAll(f);
        assertEquals(List.of(
                new CaptureRecord.FrameRecord("c1", TIME, Direction.C2S, read.get(0), null),
                new CaptureRecord.FrameRecord("c1", TIME, Direction.C2S, read.get(1), null),
                new CaptureRecord.FrameRecord("c2", TIME, Direction.C2S, read.get(0), null),
                new CaptureRecord.FrameRecord("c2", TIME, Direction.S2C, read.get(0), null),
                new CaptureRecord.FrameRecord("c2", TIME + 1, Direction.S2C, read.get(0), null),
                new CaptureRecord.ConnectionClosed("c2", TIME + 2, "end"),
                new CaptureRecord.FrameRecord("c2", TIME + 1, Direction.S2C, read.get(0), null),
                new CaptureRecord.FrameRecord("c2", TIME + 1, Direction.S2C, read.get(0), null)), back);
    }

    @RepeatedTest(100)
    void anyFramedBytesRoundTripThroughRuns(RepetitionInfo info) throws IOException {
        Random rnd = new Random(104_729L * info.getCurrentRepetition());
        // Small limits, so over-long lines and streamed payloads (never in a run) come between the runs.
        FramerLimits limits = new FramerLimits(64, 300);
        List<Frame> read = frames(hostileStream(rnd), limits);
        Path f = dir.resolve("s" + info.getCurrentRepetition() + ".msncap");
        List<CaptureRecord.FrameRecord> written = new ArrayList<>();
        try (CaptureWriter w = CaptureWriter.create(f, false)) {
            long time = TIME;
            for (Frame frame : read) {
                if (rnd.nextInt(20) == 0) {
                    time++;
                }
                Direction d = rnd.nextInt(10) == 0 ? Direction.S2C : Direction.C2S;
                w.appendFrame(C1, time, d, frame, null, null);
                written.add(new CaptureRecord.FrameRecord("c1", time, d, frame, null));
                if (rnd.nextInt(50) == 0) {
                    w.flush();
                }
            }
        }
        assertTrue(CaptureFiles.recordTypes(f).contains(CaptureFormat.FRAME_RUN), "runs were written");
        List<CaptureRecord.FrameRecord> back = frameRecords(f);
        assertEquals(written, back);
        for (int i = 0; i < written.size(); i++) {
            assertSameFrame(written.get(i).frame(), back.get(i).frame(), "frame " + i);
        }
    }

    /** Commands with and without payloads, CR LF and bare LF, garbage, NULs, invalid UTF-8, over-long lines. */
    private static byte[] hostileStream(Random rnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pieces = 20 + rnd.nextInt(200);
        for (int i = 0; i < pieces; i++) {
            String eol = rnd.nextInt(4) == 0 ? "\n" : "\r\n";
            switch (rnd.nextInt(6)) {
                case 0 -> out.writeBytes(("PNG" + eol).getBytes(StandardCharsets.US_ASCII));
                case 1, 2 -> {
                    byte[] payload = new byte[rnd.nextInt(rnd.nextInt(10) == 0 ? 600 : 150)];
                    rnd.nextBytes(payload);
                    out.writeBytes(("MSG " + i + " A " + payload.length + eol).getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(payload);
                }
                case 3 -> {
                    byte[] garbage = new byte[1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 200 : 30)];
                    rnd.nextBytes(garbage);
                    out.writeBytes(garbage);
                    out.writeBytes(eol.getBytes(StandardCharsets.US_ASCII));
                }
                case 4 -> out.writeBytes(("CHG " + i + " NLN 0 \u00fc\u0000" + eol).getBytes(StandardCharsets.UTF_8));
                default -> out.writeBytes(("50" + rnd.nextInt(10) + " " + i + eol).getBytes(StandardCharsets.US_ASCII));
            }
        }
        if (rnd.nextBoolean()) {
            out.writeBytes("MSG 9 A 40\r\ncut inside".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    @Test
    void aRunEndsAfterAFewKibSoDamageInOneLosesOnlyItsFrames() throws IOException {
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            stream.append(i % 2 == 0 ? "PNG\r\n" : "MSG " + i + " A 20\r\n" + "x".repeat(20));
        }
        List<Frame> read = frames(stream.toString());
        Path f = dir.resolve("s1.msncap");
        List<Long> runStarts = new ArrayList<>();
        List<Integer> firstFrame = new ArrayList<>();
        try (CaptureWriter w = CaptureWriter.create(f, false)) {
            for (int i = 0; i < read.size(); i++) {
                long before = w.length();
                w.appendFrame(C1, TIME, Direction.C2S, read.get(i), null, null);
                if (w.length() - before > read.get(i).size() + 2) {
                    runStarts.add(before);
                    firstFrame.add(i);
                }
            }
        }
        int runs = CaptureFiles.recordTypes(f).size();
        assertEquals(runStarts.size(), runs);
        assertTrue(runs >= 5, runs + " runs for " + Files.size(f) + " bytes");
        // Damage in the third run: its frames are lost, the frames before and after it are all read.
        byte[] all = Files.readAllBytes(f);
        int hit = (int) (runStarts.get(2) + 40);
        all[hit] ^= 0x10;
        Files.write(f, all);
        CaptureReader.Contents c = CaptureReader.read(f);
        List<Frame> expected = new ArrayList<>(read.subList(0, firstFrame.get(2)));
        expected.addAll(read.subList(firstFrame.get(3), read.size()));
        assertEquals(expected, c.records().stream().map(r -> ((CaptureRecord.FrameRecord) r).frame()).toList());
        assertEquals(List.of(new FileDamage.Range(runStarts.get(2), runStarts.get(3))), c.damage().ranges());
    }

    @Test
    void aReaderInsideARunSaysSoAndResumesAfterItWithNothingLostOrTwice() throws IOException {
        List<Frame> read = frames("PNG\r\nOUT\r\nCHG 1 NLN 0\r\n");
        Path f = dir.resolve("s1.msncap");
        try (CaptureWriter w = CaptureWriter.create(f, false)) {
            w.append(new CaptureRecord.SessionStarted("s1", TIME, "test"));
            for (Frame frame : read) {
                w.appendFrame(C1, TIME, Direction.C2S, frame, null, null);
            }
            w.append(new CaptureRecord.ConnectionClosed("c1", TIME + 1, "end"));
        }
        long afterRun;
        try (CaptureReader r = CaptureReader.open(f, 0)) {
            assertInstanceOf(CaptureRecord.SessionStarted.class, r.next());
            assertFalse(r.midRecord());
            assertEquals(read.get(0), ((CaptureRecord.FrameRecord) r.next()).frame());
            assertTrue(r.midRecord(), "two frames of the run are still to come");
            assertEquals(read.get(1), ((CaptureRecord.FrameRecord) r.next()).frame());
            assertEquals(read.get(2), ((CaptureRecord.FrameRecord) r.next()).frame());
            assertFalse(r.midRecord());
            afterRun = r.offset();
        }
        try (CaptureReader r = CaptureReader.open(f, afterRun)) {
            assertEquals(new CaptureRecord.ConnectionClosed("c1", TIME + 1, "end"), r.next());
            assertNull(r.next());
        }
    }

    @Test
    void aRunWhoseFrameDoesNotFrameAsRecordedIsDamage() throws IOException {
        // A frame said to carry a payload whose line is no command: no framer makes that, so the record is refused.
        byte[] body = runBody("hello\r\nxy", true);
        assertThrows(IOException.class, () -> CaptureFormat.decodeAll(CaptureFormat.FRAME_RUN, body));
        // Nor one whose line has bytes after its end without a payload, nor one without a line end.
        byte[] noPayload = runBody("PNG\r\nxy", false);
        assertThrows(IOException.class, () -> CaptureFormat.decodeAll(CaptureFormat.FRAME_RUN, noPayload));
        byte[] noEnd = runBody("PNG", false);
        assertThrows(IOException.class, () -> CaptureFormat.decodeAll(CaptureFormat.FRAME_RUN, noEnd));
        // The same frames, framed as recorded, are read.
        assertEquals(1, CaptureFormat.decodeAll(CaptureFormat.FRAME_RUN, runBody("MSG 1 A 2\r\nxy", true)).size());
        assertEquals(1, CaptureFormat.decodeAll(CaptureFormat.FRAME_RUN, runBody("PNG\r\n", false)).size());
    }

    private static byte[] runBody(String frame, boolean payload) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(256);
        CaptureFormat.startRun(buf, C1, TIME, Direction.C2S);
        byte[] b = frame.getBytes(StandardCharsets.US_ASCII);
        buf.put((byte) (b.length << 1 | (payload ? 1 : 0)));
        buf.put(b);
        return java.util.Arrays.copyOfRange(buf.array(), 5, buf.position());
    }
}

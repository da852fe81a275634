package msnscope.capture;

import msnscope.support.Captures;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CaptureFormatTest {

    @TempDir
    Path dir;

    private static Frame frame(String bytes) {
        return Framer.frameAll(bytes.getBytes(StandardCharsets.UTF_8), Direction.C2S, (k, d, t) -> t == 4, FramerLimits.DEFAULT).get(0);
    }

    private static Frame garbage() {
        byte[] b = {(byte) 0xff, 0, 'x', '\n'};
        return Framer.frameAll(b, Direction.S2C, (k, d, t) -> false, FramerLimits.DEFAULT).get(0);
    }

    @Test
    void aFrameEncodedInPlaceIsByteForByteTheFrameRecord() {
        byte[] stream = ("VER 1 MSNP11\r\nMSG 4 N 5\r\nhello\nbare LF\r\nXFR 9 SB 10.0.0.7:1864 CKI x\r\n"
                + "ünïcode line\r\nMSG 5 N 10\r\ncut").getBytes(StandardCharsets.UTF_8);
        List<Frame> frames = Framer.frameAll(stream, Direction.S2C, (k, d, t) -> true, FramerLimits.DEFAULT);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        long time = 1_700_000_000_000_000L;
        for (Frame f : frames) {
            for (byte[] rewritten : new byte[][] {null, "XFR 9 SB 127.0.0.1:4 CKI x\r\n".getBytes(StandardCharsets.US_ASCII)}) {
                byte[] connection = "c12".getBytes(StandardCharsets.UTF_8);
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(CaptureFormat.frameRecordBound(connection, f, rewritten, null) + 3);
                buf.put(new byte[] {1, 2, 3});
                CaptureFormat.encodeFrame(buf, crc, connection, time, Direction.S2C, f, rewritten, null);
                byte[] inPlace = java.util.Arrays.copyOfRange(buf.array(), 3, buf.position());
                byte[] record = CaptureFormat.encode(new CaptureRecord.FrameRecord("c12", time, Direction.S2C, f, rewritten));
                assertArrayEquals(record, inPlace, f.line());
            }
        }
    }

    @Test
    void aSmallFrameTakesAFewBytesMoreThanItselfAndAnOldStyleRecordStillReads() throws IOException {
        Frame png = Frame.of("PNG".getBytes(StandardCharsets.US_ASCII), false, null, -1, "PNG", 0);
        CaptureRecord.FrameRecord r = new CaptureRecord.FrameRecord("c1", 1_700_000_000_000_000L, Direction.C2S, png, null);
        byte[] compact = CaptureFormat.encode(r);
        assertEquals(CaptureFormat.FRAME_COMPACT, compact[4]);
        // The recorder's cost is the bytes it hands the kernel: 9 of framing, 8 of time, a few of lengths.
        assertTrue(compact.length <= png.size() + 32, compact.length + " bytes for a " + png.size() + "-byte PNG");
        CaptureRecord back = CaptureFormat.decode(compact[4], java.util.Arrays.copyOfRange(compact, 5, compact.length - 4));
        assertEquals(r.toString().replaceAll("@[0-9a-f]+", ""), back.toString().replaceAll("@[0-9a-f]+", ""));
        // A hostile declared length (the framer keeps up to Integer.MAX_VALUE) survives too.
        Frame huge = Frame.ofRaw("UUX 6 2147483647\r\n".getBytes(StandardCharsets.US_ASCII), 16, 18, Integer.MAX_VALUE,
                Frame.PAYLOAD_STREAMED | Frame.PAYLOAD_TOO_LARGE, "UUX");
        byte[] h = CaptureFormat.encode(new CaptureRecord.FrameRecord("c1", null, Direction.C2S, huge, new byte[] {1, 2}));
        CaptureRecord.FrameRecord hb = (CaptureRecord.FrameRecord) CaptureFormat.decode(h[4], java.util.Arrays.copyOfRange(h, 5, h.length - 4));
        assertEquals(Integer.MAX_VALUE, hb.frame().declaredLength());
        assertEquals(huge.flags(), hb.frame().flags());
        assertArrayEquals(new byte[] {1, 2}, hb.rewritten());

        // Type 3, as files written before the compact record hold it: i32 lengths, the same fields.
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(body);
        out.writeInt(2);
        out.write("c1".getBytes(StandardCharsets.US_ASCII));
        out.writeLong(Long.MIN_VALUE);
        out.writeByte(1);
        out.writeInt(3);
        out.writeInt(5);
        out.writeInt(-1);
        out.writeInt(0);
        out.writeInt(3);
        out.write("QNG".getBytes(StandardCharsets.US_ASCII));
        out.writeInt(5);
        out.write("QNG\r\n".getBytes(StandardCharsets.US_ASCII));
        out.writeInt(-1);
        CaptureRecord.FrameRecord old = (CaptureRecord.FrameRecord) CaptureFormat.decode(CaptureFormat.FRAME, body.toByteArray());
        assertEquals("QNG", old.frame().line());
        assertEquals(Direction.S2C, old.direction());
        assertNull(old.timeMicros());
    }

    @Test
    void recordsReadBackByteExactWithFramingAndRewrittenBytes() throws IOException {
        Path f = dir.resolve("s1.msncap");
        ConnectionInfo info = new ConnectionInfo("p7", "NS", "127.0.0.1:5000", "127.0.0.1:1863", "msn.example:1863", "10.1.1.1:1863",
                new ConnectionInfo.StoredReferral("NS", "c1", "bob@example.com", "10.0.0.5:1863", "127.0.0.1:1863", null, null,
                        "XFR 3 NS 10.0.0.5:1863 0 10.0.0.1:1863", 42L), 1_000L);
        Frame msg = frame("MSG 4 A 5\r\nhello");
        Frame bad = garbage();
        try (CaptureWriter w = CaptureWriter.create(f, false)) {
            w.append(new CaptureRecord.SessionStarted("s1", 7L, "test"));
            w.append(new CaptureRecord.ConnectionOpened("c1", info));
            w.append(new CaptureRecord.FrameRecord("c1", 1_000_001L, Direction.C2S, msg, null));
            w.append(new CaptureRecord.FrameRecord("c1", null, Direction.S2C, bad, "rewritten\r\n".getBytes(StandardCharsets.UTF_8)));
            w.append(new CaptureRecord.ConnectionClosed("c1", 2_000_000L, "client closed"));
        }
        List<CaptureRecord> back = CaptureReader.readAll(f);
        assertEquals(5, back.size());
        assertEquals(new CaptureRecord.SessionStarted("s1", 7L, "test"), back.get(0));
        assertEquals(info, ((CaptureRecord.ConnectionOpened) back.get(1)).info());
        CaptureRecord.FrameRecord m = (CaptureRecord.FrameRecord) back.get(2);
        assertEquals(msg, m.frame(), "same bytes and same framing (line length, declared payload, flags)");
        assertEquals(1_000_001L, m.timeMicros());
        assertNull(m.rewritten());
        CaptureRecord.FrameRecord g = (CaptureRecord.FrameRecord) back.get(3);
        assertEquals(bad, g.frame());
        assertNull(g.timeMicros());
        assertArrayEquals("rewritten\r\n".getBytes(StandardCharsets.UTF_8), g.rewritten());
        assertEquals(new CaptureRecord.ConnectionClosed("c1", 2_000_000L, "client closed"), back.get(4));
    }

    @Test
    void everyFrameOfEveryTranscriptSurvivesTheFormat() throws IOException {
        for (Path t : Captures.transcripts()) {
            Path f = dir.resolve(Captures.name(t) + ".msncap");
            List<Frame> frames = Captures.dissect(t).connections().stream().flatMap(c -> c.frames().stream()).map(d -> d.frame()).toList();
            try (CaptureWriter w = CaptureWriter.create(f, false)) {
                for (Frame fr : frames) {
                    w.append(new CaptureRecord.FrameRecord("c1", 5L, Direction.C2S, fr, null));
                }
            }
            List<Frame> back = CaptureReader.readAll(f).stream().map(r -> ((CaptureRecord.FrameRecord) r).frame()).toList();
            assertEquals(frames, back, t.toString());
        }
    }

    /** {@code s1.msncap} holding a session start and one frame. */
    private Path sessionWithOneFrame() throws IOException {
        Path f = dir.resolve("s1.msncap");
        try (CaptureWriter w = CaptureWriter.create(f, false)) {
            w.append(new CaptureRecord.SessionStarted("s1", 1L, "test"));
            w.append(new CaptureRecord.FrameRecord("c1", 2L, Direction.C2S, frame("VER 1 MSNP8 CVR0\r\n"), null));
        }
        return f;
    }

    @Test
    void tornTailIsIgnoredOnReadAndCutBeforeAppending() throws IOException {
        Path f = sessionWithOneFrame();
        long good = Files.size(f);
        byte[] next = CaptureFormat.encode(new CaptureRecord.FrameRecord("c1", 3L, Direction.C2S, frame("CVR 2 x\r\n"), null));
        Files.write(f, java.util.Arrays.copyOf(next, next.length - 3), java.nio.file.StandardOpenOption.APPEND);
        try (CaptureReader r = CaptureReader.open(f, 0)) {
            int n = 0;
            while (r.next() != null) {
                n++;
            }
            assertEquals(2, n);
            assertEquals(good, r.offset());
            assertEquals(next.length - 3, r.tornBytes());
        }
        try (CaptureWriter w = CaptureWriter.append(f, false)) {
            w.append(new CaptureRecord.ConnectionClosed("c1", 4L, "end"));
        }
        List<CaptureRecord> back = CaptureReader.readAll(f);
        assertEquals(3, back.size(), "the torn record is gone and the new one follows the last good one");
        assertInstanceOf(CaptureRecord.ConnectionClosed.class, back.get(2));
    }

    @Test
    void aFlippedBitFailsTheCrcAndEndsTheRead() throws IOException {
        Path f = sessionWithOneFrame();
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(raf.length() - 8);
            int b = raf.read();
            raf.seek(raf.length() - 8);
            raf.write(b ^ 0x10);
        }
        assertEquals(1, CaptureReader.readAll(f).size());
    }

    @Test
    void aFileKilledInsideItsMagicIsAnEmptyCaptureThatAppendingRestarts() throws IOException {
        Path f = dir.resolve("s1.msncap");
        Files.write(f, java.util.Arrays.copyOf(CaptureFormat.MAGIC, 3));
        assertEquals(List.of(), CaptureReader.readAll(f));
        try (CaptureWriter w = CaptureWriter.append(f, false)) {
            w.append(new CaptureRecord.SessionStarted("s1", 1L, "again"));
        }
        assertEquals(List.of(new CaptureRecord.SessionStarted("s1", 1L, "again")), CaptureReader.readAll(f));
    }

    @Test
    void aFileWithoutTheMagicIsRefused() throws IOException {
        Path f = dir.resolve("x.msncap");
        Files.writeString(f, "hello world, not a capture");
        IOException e = assertThrows(IOException.class, () -> CaptureReader.readAll(f));
        assertTrue(e.getMessage().contains("not a capture file"));
    }
}

package msnscope.capture;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.wire.Direction;
import msnscope.wire.Edit;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/** What a rule or the hook did to a frame is kept in the capture with the frame, and read back by the store. */
class EditedFrameRecordTest {

    @TempDir
    Path dir;

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    private static Frame frame(String text, Direction dir) {
        return Framer.frameAll(text.getBytes(StandardCharsets.UTF_8), dir, (k, x, v) -> false, FramerLimits.DEFAULT).get(0);
    }

    private static List<CaptureRecord.FrameRecord> frameRecords(CaptureStore store) {
        List<CaptureRecord.FrameRecord> out = new ArrayList<>();
        for (CaptureRecord r : store.records("s1")) {
            if (r instanceof CaptureRecord.FrameRecord f) {
                out.add(f);
            }
        }
        return out;
    }

    private static CaptureRecord.FrameRecord byLine(List<CaptureRecord.FrameRecord> records, String line, Direction dir) {
        return records.stream().filter(f -> f.frame().line().equals(line) && f.direction() == dir).findFirst()
                .orElseThrow(() -> new AssertionError("no " + dir + " " + line));
    }

    @Test
    void everyKindOfEditTheRelayHandsTheRecorderIsInTheCaptureFile() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        EditedSession.record(store);
        List<CaptureRecord.FrameRecord> records = frameRecords(store);

        CaptureRecord.FrameRecord png = records.stream().filter(f -> f.frame().line().equals("PNG") && !EditedSession.INJECT.equals(f.edit()))
                .findFirst().orElseThrow();
        assertEquals(EditedSession.REPLY, png.edit());
        assertArrayEquals(new byte[0], png.rewritten(), "answered locally: the server received nothing (empty, not null)");
        CaptureRecord.FrameRecord answer = byLine(records, "QNG 50", Direction.S2C);
        assertEquals(EditedSession.REPLY_MADE, answer.edit());
        assertNull(answer.rewritten());
        assertTrue(records.indexOf(answer) == records.indexOf(png) + 1, "the answer follows the frame it answered, as sent");

        CaptureRecord.FrameRecord qng = byLine(records, "QNG 60", Direction.S2C);
        assertEquals(EditedSession.DROP, qng.edit());
        assertArrayEquals(new byte[0], qng.rewritten());

        CaptureRecord.FrameRecord joi = byLine(records, "JOI bob@example.com Bob", Direction.S2C);
        assertEquals(EditedSession.DELAY, joi.edit());
        assertNull(joi.rewritten(), "delayed: delivered as it arrived");

        CaptureRecord.FrameRecord msg = byLine(records, "MSG bob@example.com Bob 150", Direction.S2C);
        assertEquals(EditedSession.REPLACE, msg.edit());
        String delivered = new String(msg.rewritten(), StandardCharsets.UTF_8);
        assertTrue(delivered.startsWith(EditedSession.REPLACED_LINE + "\r\n"), delivered);
        assertTrue(delivered.contains(EditedSession.REPLACED_TEXT), delivered);

        CaptureRecord.FrameRecord injected = records.get(records.indexOf(byLine(records, "GCF 9 Shields.xml", Direction.C2S)) + 1);
        assertEquals("PNG", injected.frame().line());
        assertEquals(Direction.C2S, injected.direction());
        assertEquals(EditedSession.INJECT, injected.edit());

        // Every other frame: no edit, and only the rewritten referrals carry forwarded bytes.
        List<CaptureRecord.FrameRecord> rest = new ArrayList<>(records);
        rest.removeAll(List.of(png, answer, qng, joi, msg, injected));
        assertTrue(rest.stream().allMatch(f -> f.edit() == null));
        assertEquals(2, rest.stream().filter(f -> f.rewritten() != null).count(), "XFR NS and XFR SB are rewritten, not edited");
    }

    @Test
    void aLoadedSessionCarriesEachEditAndWhatWasDeliveredOnItsDissection() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        EditedSession.record(store);
        List<Dissection> frames = new ArrayList<>();
        for (ConnectionLog c : store.load("s1", DISSECTOR, FramerLimits.DEFAULT).connections()) {
            frames.addAll(c.frames());
        }
        Dissection qng = frames.stream().filter(d -> d.frame().line().equals("QNG 60")).findFirst().orElseThrow();
        assertEquals(EditedSession.DROP, qng.edit());
        assertArrayEquals(new byte[0], qng.forwarded(), "a dropped frame stays distinguishable from an unchanged one");
        assertEquals("", qng.rewritten());
        Dissection made = frames.stream().filter(d -> d.frame().line().equals("QNG 50")).findFirst().orElseThrow();
        assertEquals(EditedSession.REPLY_MADE, made.edit());
        assertNull(made.forwarded());
        assertEquals("QNG", made.command(), "a made frame is dissected like any other");
        Dissection msg = frames.stream().filter(d -> d.frame().line().equals("MSG bob@example.com Bob 150")).findFirst().orElseThrow();
        assertEquals(EditedSession.REPLACED_LINE, msg.rewritten());
        assertEquals(6, frames.stream().filter(d -> d.edit() != null).count());
    }

    @Test
    void anUneditedFrameIsStillTheCompactRecordAndAnEditedOneTheEditedRecord() throws Exception {
        Frame png = frame("PNG\r\n", Direction.C2S);
        byte[] plain = CaptureFormat.encode(new CaptureRecord.FrameRecord("c1", 1_700_000_000_000_000L, Direction.C2S, png, null));
        assertEquals(CaptureFormat.FRAME_COMPACT, plain[4]);
        assertEquals(35, plain.length, "an unedited PNG costs the 35 bytes it cost before edits existed");
        byte[] edited = CaptureFormat.encode(new CaptureRecord.FrameRecord("c1", 1L, Direction.C2S, png, new byte[0],
                new Edit("rule 4 (rules.yaml)", "drop", false)));
        assertEquals(CaptureFormat.FRAME_EDITED, edited[4]);
        CaptureRecord.FrameRecord back = (CaptureRecord.FrameRecord) CaptureFormat.decode(edited[4],
                java.util.Arrays.copyOfRange(edited, 5, edited.length - 4));
        assertEquals(new Edit("rule 4 (rules.yaml)", "drop", false), back.edit());
        assertArrayEquals(new byte[0], back.rewritten());
        // In place (the recorder's path) and through encode: the same bytes, with or without an edit, null names included.
        for (Edit e : new Edit[] {null, new Edit("hook", "inject", true), new Edit(null, null, false), new Edit("régle ☺", "replace+delay", false)}) {
            byte[] connection = "c1".getBytes(StandardCharsets.UTF_8);
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(CaptureFormat.frameRecordBound(connection, png, null, e));
            CaptureFormat.encodeFrame(buf, new CRC32(), connection, 5L, Direction.S2C, png, null, e);
            byte[] record = CaptureFormat.encode(new CaptureRecord.FrameRecord("c1", 5L, Direction.S2C, png, null, e));
            assertArrayEquals(record, java.util.Arrays.copyOf(buf.array(), buf.position()), String.valueOf(e));
            Path f = dir.resolve("e" + (e == null ? "none" : Integer.toHexString(e.hashCode())) + ".msncap");
            Files.write(f, concat(CaptureFormat.MAGIC, record));
            assertEquals(e, ((CaptureRecord.FrameRecord) CaptureReader.readAll(f).get(0)).edit());
        }
    }

    @Test
    void anEditedRecordWithAnImpossibleMadeFlagIsDamageAndTheRecordsAroundItAreRead() throws Exception {
        Frame png = frame("PNG\r\n", Direction.C2S);
        byte[] before = CaptureFormat.encode(new CaptureRecord.SessionStarted("s1", 1L, "test"));
        byte[] edited = CaptureFormat.encode(new CaptureRecord.FrameRecord("c1", 2L, Direction.C2S, png, null, new Edit("hook", "inject", true)));
        // made = 2, with the CRC made right again: only the body's own rules can refuse it.
        edited[edited.length - 5] = 2;
        CRC32 crc = new CRC32();
        crc.update(edited, 4, edited.length - 8);
        CaptureFormat.putInt(edited, edited.length - 4, (int) crc.getValue());
        byte[] after = CaptureFormat.encode(new CaptureRecord.FrameRecord("c1", 3L, Direction.S2C, frame("QNG 50\r\n", Direction.S2C), null,
                new Edit("rule 1 (rules.yaml)", "reply", true)));
        Path f = dir.resolve("s1.msncap");
        Files.write(f, concat(CaptureFormat.MAGIC, before, edited, after));
        CaptureReader.Contents c = CaptureReader.read(f);
        assertEquals(2, c.records().size());
        assertEquals(edited.length, c.damage().skippedBytes());
        assertEquals(new Edit("rule 1 (rules.yaml)", "reply", true), ((CaptureRecord.FrameRecord) c.records().get(1)).edit(),
                "the scan after damage finds an edited record");
    }

    @Test
    void garbageBeforeAnEditedRecordIsSkippedToIt() throws Exception {
        byte[] edited = CaptureFormat.encode(new CaptureRecord.FrameRecord("c1", 2L, Direction.S2C, frame("QNG 60\r\n", Direction.S2C),
                new byte[0], new Edit("rule 4 (rules.yaml)", "drop", false)));
        Path f = dir.resolve("s1.msncap");
        Files.write(f, concat(CaptureFormat.MAGIC, new byte[] {0, 0, 0, 9, 6, (byte) 0x80, 1, 2, 3, 4, 5}, edited));
        List<CaptureRecord> back = CaptureReader.readAll(f);
        assertEquals(1, back.size());
        CaptureRecord.FrameRecord r = (CaptureRecord.FrameRecord) back.get(0);
        assertEquals("QNG 60", r.frame().line());
        assertArrayEquals(new byte[0], r.rewritten());
    }

    @Test
    void aCaptureWrittenBeforeEditsExistedStillReadsWithNoEdits() throws Exception {
        // The bytes an msnscope before edits wrote, laid out by hand from docs/capture-format.md: a session, an
        // opened connection, a compact frame (type 5) with a rewritten referral, an old frame (type 3), a close.
        CaptureStore store = new CaptureStore(dir);
        Files.createDirectories(store.file("s1").getParent());
        byte[] xfr = "XFR 3 NS 10.0.0.5:1863 0 10.0.0.1:1863\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] xfrRewritten = "XFR 3 NS 127.0.0.1:1865 0 10.0.0.1:1863\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] ver = "VER 1 MSNP11 CVR0\r\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(store.file("s1"), concat(CaptureFormat.MAGIC,
                CaptureFormat.encode(new CaptureRecord.SessionStarted("s1", 1_800_000_000_000_000L, "proxy")),
                CaptureFormat.encode(new CaptureRecord.ConnectionOpened("c1", new ConnectionInfo("p1", "DS", "127.0.0.1:4000",
                        "127.0.0.1:1863", "10.0.0.1:1863", "10.0.0.1:1863", null, 1_800_000_000_000_000L))),
                oldFrame3("c1", 1_800_000_000_000_001L, 0, ver, "VER"),
                oldCompactFrame("c1", 1_800_000_000_000_002L, 1, xfr, "XFR", xfrRewritten),
                CaptureFormat.encode(new CaptureRecord.ConnectionClosed("c1", 1_800_000_000_000_003L, "client closed"))));
        List<CaptureRecord.FrameRecord> records = frameRecords(store);
        assertEquals(2, records.size());
        assertTrue(records.stream().allMatch(r -> r.edit() == null));
        assertArrayEquals(xfrRewritten, records.get(1).rewritten());
        List<Dissection> loaded = store.load("s1", DISSECTOR, FramerLimits.DEFAULT).connections().get(0).frames();
        assertEquals(List.of("VER", "XFR"), loaded.stream().map(Dissection::command).toList());
        assertNull(loaded.get(1).edit());
        assertEquals("XFR 3 NS 127.0.0.1:1865 0 10.0.0.1:1863", loaded.get(1).rewritten());
        assertEquals(List.of(), store.notes().drain(), "no damage, nothing repaired");
    }

    /** A type-5 record as the recorder wrote it before edits: no payload, a line ending in CR LF. */
    private static byte[] oldCompactFrame(String conn, long time, int dir, byte[] frame, String command, byte[] rewritten) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(5);
        varint(body, conn.length());
        body.writeBytes(conn.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(java.nio.ByteBuffer.allocate(8).putLong(time).array());
        varint(body, dir);
        varint(body, frame.length - 2);
        varint(body, 2);
        varint(body, 1); // zigzag of -1: no payload
        varint(body, command.length() + 1);
        body.writeBytes(command.getBytes(StandardCharsets.US_ASCII));
        varint(body, frame.length);
        body.writeBytes(frame);
        varint(body, rewritten.length + 1);
        body.writeBytes(rewritten);
        return framed(body.toByteArray());
    }

    /** A type-3 record (before the compact one): i32 lengths and strings. */
    private static byte[] oldFrame3(String conn, long time, int dir, byte[] frame, String command) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(256);
        b.put((byte) 3).putInt(conn.length()).put(conn.getBytes(StandardCharsets.UTF_8)).putLong(time).put((byte) dir)
                .putInt(frame.length - 2).putInt(frame.length).putInt(-1).putInt(0).putInt(command.length())
                .put(command.getBytes(StandardCharsets.US_ASCII)).putInt(frame.length).put(frame).putInt(-1);
        return framed(java.util.Arrays.copyOf(b.array(), b.position()));
    }

    private static byte[] framed(byte[] typeAndBody) {
        CRC32 crc = new CRC32();
        crc.update(typeAndBody);
        return java.nio.ByteBuffer.allocate(typeAndBody.length + 8).putInt(typeAndBody.length).put(typeAndBody).putInt((int) crc.getValue())
                .array();
    }

    private static void varint(ByteArrayOutputStream out, int v) {
        while ((v & ~0x7F) != 0) {
            out.write(v & 0x7F | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}

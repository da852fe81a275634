package msnscope.capture;

import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/** Damage inside a capture file: the reader steps over it to the next valid record and says what it skipped. */
class CaptureDamageTest {

    @TempDir
    Path dir;

    private static Frame frame(String line) {
        byte[] b = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
        return Framer.frameAll(b, Direction.C2S, (k, d, t) -> false, FramerLimits.DEFAULT).get(0);
    }

    private static List<CaptureRecord> session(int frames) {
        List<CaptureRecord> out = new ArrayList<>();
        out.add(new CaptureRecord.SessionStarted("s1", 1L, "test"));
        out.add(new CaptureRecord.ConnectionOpened("c1", ConnectionRepair.UNKNOWN));
        for (int i = 0; i < frames; i++) {
            out.add(new CaptureRecord.FrameRecord("c1", 10L + i, Direction.C2S, frame("PNG " + i), null));
        }
        out.add(new CaptureRecord.ConnectionClosed("c1", 99L, "end"));
        return out;
    }

    /** Writes the records; returns the offset where each record starts, and the file length last. */
    private static long[] write(Path f, List<CaptureRecord> records) throws IOException {
        long[] at = new long[records.size() + 1];
        try (CaptureWriter w = CaptureWriter.create(f, false)) {
            for (int i = 0; i < records.size(); i++) {
                at[i] = w.length();
                w.append(records.get(i));
            }
            at[records.size()] = w.length();
        }
        return at;
    }

    private static void poke(Path f, long at, byte... bytes) throws IOException {
        byte[] all = Files.readAllBytes(f);
        System.arraycopy(bytes, 0, all, (int) at, bytes.length);
        Files.write(f, all);
    }

    private static int indexOf(byte[] in, byte[] what) {
        for (int i = 0; i + what.length <= in.length; i++) {
            if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    @Test
    void aFlippedMagicByteIsSkippedAndEveryRecordIsRead() throws IOException {
        Path f = dir.resolve("s1.msncap");
        List<CaptureRecord> records = session(5);
        write(f, records);
        poke(f, 2, (byte) ('C' ^ 0x20));
        CaptureReader.Contents c = CaptureReader.read(f);
        assertEquals(records, c.records());
        assertEquals(new FileDamage(8, 1, List.of(new FileDamage.Range(0, 8)), false), c.damage());
        assertEquals(0, c.tornBytes());
    }

    @Test
    void aFlippedByteMidFileLosesOnlyItsRecordAndTheSkipIsReportedWhereItIs() throws IOException {
        Path f = dir.resolve("s1.msncap");
        List<CaptureRecord> records = session(20);
        long[] at = write(f, records);
        int hit = 10;
        byte[] all = Files.readAllBytes(f);
        long inside = at[hit] + 12;
        poke(f, inside, (byte) (all[(int) inside] ^ 0x04));
        CaptureReader.Contents c = CaptureReader.read(f);
        List<CaptureRecord> expected = new ArrayList<>(records);
        expected.remove(hit);
        assertEquals(expected, c.records(), "every record after the damaged one is read");
        assertEquals(List.of(new FileDamage.Range(at[hit], at[hit + 1])), c.damage().ranges());
        assertEquals(at[hit + 1] - at[hit], c.damage().skippedBytes());
        assertEquals("s1: skipped " + (at[hit + 1] - at[hit]) + " damaged bytes at offset " + at[hit]
                + " (1 range); the records after it were read", c.damage().describe("s1"));
    }

    @Test
    void aDamagedLengthMidFileDoesNotHideTheRecordsAfterIt() throws IOException {
        Path f = dir.resolve("s1.msncap");
        List<CaptureRecord> records = session(20);
        long[] at = write(f, records);
        // Plausible but running past the end of the file: looks like a torn tail, and is not one.
        poke(f, at[5], intBytes(1_000_000));
        CaptureReader.Contents c = CaptureReader.read(f);
        List<CaptureRecord> expected = new ArrayList<>(records);
        expected.remove(5);
        assertEquals(expected, c.records());
        assertEquals(List.of(new FileDamage.Range(at[5], at[6])), c.damage().ranges());
        assertEquals(0, c.tornBytes());
        // And a length no record can have is plain damage.
        poke(f, at[5], intBytes(-7));
        assertEquals(expected, CaptureReader.read(f).records());
    }

    @Test
    void aTailCutAnywhereIsATornTailNotDamage() throws IOException {
        Path f = dir.resolve("s1.msncap");
        List<CaptureRecord> records = session(3);
        // The last record's payload holds a whole valid record, as a chat peer could send: a cut right after
        // it must still not be taken for a damaged length followed by records.
        byte[] inner = CaptureFormat.encode(new CaptureRecord.ConnectionClosed("c9", 1L, "fake"));
        byte[] payload = new byte[inner.length + 40];
        System.arraycopy(inner, 0, payload, 20, inner.length);
        String head = "MSG 9 U " + payload.length + "\r\n";
        byte[] raw = new byte[head.length() + payload.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, raw, 0, head.length());
        System.arraycopy(payload, 0, raw, head.length(), payload.length);
        Frame msg = Framer.frameAll(raw, Direction.C2S, (k, d, t) -> t == 4, FramerLimits.DEFAULT).get(0);
        records.add(new CaptureRecord.FrameRecord("c1", 50L, Direction.C2S, msg, null));
        long[] at = write(f, records);
        byte[] whole = Files.readAllBytes(f);
        long good = at[records.size() - 1];
        long embeddedEnd = indexOf(whole, inner) + inner.length;
        for (long cut = good + 1; cut < whole.length; cut++) {
            Files.write(f, Arrays.copyOf(whole, (int) cut));
            try (CaptureReader r = CaptureReader.open(f, 0)) {
                int n = 0;
                while (r.next() != null) {
                    n++;
                }
                if (cut == embeddedEnd) {
                    // The one cut where the embedded record's chain ends exactly at the end of the file: the rule's
                    // accepted false positive (a peer's bytes and a crash at that very byte).
                    continue;
                }
                assertEquals(records.size() - 1, n, "cut at " + cut);
                assertEquals(good, r.offset(), "cut at " + cut);
                assertEquals(cut - good, r.tornBytes(), "cut at " + cut);
                assertFalse(r.damage().any(), "cut at " + cut);
            }
            // An appender keeps every valid record, the embedded one included once it is whole: it prefers
            // leaving a peer's bytes in place to cutting a record that may be real.
            assertEquals(cut < embeddedEnd ? good : embeddedEnd, CaptureReader.validEnd(f), "cut at " + cut);
        }
    }

    @Test
    void validEndKeepsTheRecordsAfterADamagedLengthWhenTheFileAlsoHasATornTail() throws IOException {
        Path f = dir.resolve("s1.msncap");
        List<CaptureRecord> records = session(10);
        long[] at = write(f, records);
        poke(f, at[4], intBytes(1_000_000));
        byte[] torn = CaptureFormat.encode(new CaptureRecord.ConnectionClosed("c1", 5L, "half"));
        Files.write(f, Arrays.copyOf(torn, torn.length / 2), java.nio.file.StandardOpenOption.APPEND);
        // A reader cannot tell this damaged length from a tail being written, so it stops there ...
        try (CaptureReader r = CaptureReader.open(f, 0)) {
            while (r.next() != null) {
                // read on
            }
            assertEquals(at[4], r.offset());
        }
        // ... but an appender must not cut there: the valid records after it would go.
        long end = CaptureReader.validEnd(f);
        assertEquals(at[records.size()], end);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(end);
        }
        List<CaptureRecord> expected = new ArrayList<>(records);
        expected.remove(4);
        assertEquals(expected, CaptureReader.read(f).records(), "once the tail is cut, the damaged length is skipped");
    }

    @Test
    void manyDamagedRangesAreCountedAndTheFirstOnesListed() throws IOException {
        Path f = dir.resolve("s1.msncap");
        List<CaptureRecord> records = session(100);
        long[] at = write(f, records);
        byte[] all = Files.readAllBytes(f);
        int damaged = 0;
        for (int i = 3; i < 100; i += 3) {
            all[(int) at[i] + 10] ^= 0x01;
            damaged++;
        }
        Files.write(f, all);
        CaptureReader.Contents c = CaptureReader.read(f);
        assertEquals(records.size() - damaged, c.records().size());
        assertEquals(damaged, c.damage().rangeCount());
        assertEquals(FileDamage.MAX_RANGES, c.damage().ranges().size());
        assertEquals(at[3], c.damage().ranges().get(0).from());
        assertTrue(c.damage().describe("s1").contains(", …"), c.damage().describe("s1"));
    }

    @Test
    void aValidCrcAroundAFieldLongerThanItsRecordIsDamageNotAnAllocation() throws IOException {
        Path f = dir.resolve("s1.msncap");
        List<CaptureRecord> records = session(2);
        write(f, records);
        // type FRAME, then a connection string claiming 2 GB: CRC-correct, so only decoding can refuse it.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(CaptureFormat.FRAME);
        body.writeBytes(intBytes(Integer.MAX_VALUE));
        body.writeBytes(new byte[16]);
        byte[] tb = body.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(tb);
        ByteArrayOutputStream rec = new ByteArrayOutputStream();
        rec.writeBytes(intBytes(tb.length));
        rec.writeBytes(tb);
        rec.writeBytes(intBytes((int) crc.getValue()));
        Files.write(f, rec.toByteArray(), java.nio.file.StandardOpenOption.APPEND);
        byte[] after = CaptureFormat.encode(new CaptureRecord.ConnectionClosed("c2", 7L, "after"));
        Files.write(f, after, java.nio.file.StandardOpenOption.APPEND);
        CaptureReader.Contents c = CaptureReader.read(f);
        assertEquals(records.size() + 1, c.records().size());
        assertEquals(new CaptureRecord.ConnectionClosed("c2", 7L, "after"), c.records().get(records.size()));
        assertEquals(rec.size(), c.damage().skippedBytes());
    }

    @Test
    void megabytesOfGarbageAreSkippedQuicklyAndInBoundedMemory() throws IOException {
        Path f = dir.resolve("s1.msncap");
        List<CaptureRecord> records = session(3);
        write(f, records);
        byte[] garbage = new byte[8 << 20];
        new Random(9).nextBytes(garbage);
        Files.write(f, garbage, java.nio.file.StandardOpenOption.APPEND);
        byte[] after = CaptureFormat.encode(new CaptureRecord.ConnectionClosed("c2", 7L, "after"));
        Files.write(f, after, java.nio.file.StandardOpenOption.APPEND);
        CaptureReader.Contents c = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> CaptureReader.read(f));
        assertEquals(records.size() + 1, c.records().size());
        assertEquals(garbage.length, c.damage().skippedBytes());
    }

    @Test
    void aDamagedPayloadFullOfFakeRecordHeadersIsScannedInLinearTime() throws IOException {
        Path f = dir.resolve("s1.msncap");
        List<CaptureRecord> records = session(3);
        // A peer's 4 MB payload: every 16 bytes a header whose length claims the rest of the payload, with a
        // plausible type and first string, so each one passes the cheap checks and costs a CRC over the rest.
        int size = 4 << 20;
        byte[] payload = new byte[size];
        for (int i = 0; i + 16 <= size; i += 16) {
            System.arraycopy(intBytes(size - i - 8), 0, payload, i, 4);
            payload[i + 4] = CaptureFormat.FRAME;
            System.arraycopy(intBytes(2), 0, payload, i + 5, 4);
        }
        String head = "MSG 9 U " + size + "\r\n";
        byte[] raw = new byte[head.length() + size];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, raw, 0, head.length());
        System.arraycopy(payload, 0, raw, head.length(), size);
        Frame msg = Framer.frameAll(raw, Direction.C2S, (k, d, t) -> t == 4, new FramerLimits(8192, 8 << 20)).get(0);
        records.add(new CaptureRecord.FrameRecord("c1", 50L, Direction.C2S, msg, null));
        CaptureRecord after = new CaptureRecord.ConnectionClosed("c2", 7L, "after");
        records.add(after);
        long[] at = write(f, records);
        int hit = records.size() - 2;
        byte[] all = Files.readAllBytes(f);
        all[(int) at[hit] + 9] ^= 0x01;
        Files.write(f, all);
        CaptureReader.Contents c = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> CaptureReader.read(f));
        assertEquals(after, c.records().get(c.records().size() - 1), "the record after the damaged payload is read");
        assertEquals(records.size() - 1, c.records().size());
        assertEquals(at[hit + 1] - at[hit], c.damage().skippedBytes());
    }

    @Test
    void aFileWithNeitherMagicNorRecordsIsNotACaptureAndValidEndRefusesToCutIt() throws IOException {
        Path f = dir.resolve("s1.msncap");
        Files.writeString(f, "these are someone's notes, not a capture; an appender must not truncate them");
        assertThrows(CaptureReader.NotACaptureFile.class, () -> CaptureReader.read(f));
        assertThrows(CaptureReader.NotACaptureFile.class, () -> CaptureReader.validEnd(f));
        Path empty = dir.resolve("s2.msncap");
        Files.write(empty, new byte[0]);
        assertEquals(0, CaptureReader.validEnd(empty));
    }
}

package msnscope.cli;

import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.capture.CaptureWriter;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.index.CaptureIndex;
import msnscope.support.Captures;
import msnscope.wire.Direction;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A damaged store as a user meets it: damaged capture files, stray names, a session cut short, a damaged
 * index. Every command still works and says in one line on standard error what it stepped over.
 */
class StoreDamageCliTest {

    @TempDir
    Path dir;
    String data;
    Path capture;

    @BeforeEach
    void importTheCaptures() {
        data = dir.resolve("store").toString();
        capture = Path.of(data, "capture");
        CliRunner r = CliRunner.run("import", Captures.DIR.resolve("escargot-msnp12.pcap").toString(),
                Captures.DIR.resolve("msnp11-chat.txt").toString(), "--data", data);
        assertEquals(0, r.code(), r.err());
    }

    /** Where each record of a capture file starts, and the file's length last. */
    private static List<Long> recordOffsets(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        List<Long> at = new ArrayList<>();
        for (int off = 8; off < b.length; ) {
            at.add((long) off);
            off += 8 + ((b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff));
        }
        at.add((long) b.length);
        return at;
    }

    private static void flip(Path f, long at, int mask) throws IOException {
        byte[] b = Files.readAllBytes(f);
        b[(int) at] ^= (byte) mask;
        Files.write(f, b);
    }

    private long frames(String session) {
        CliRunner r = CliRunner.run("sessions", "session:" + session, "--format", "jsonl", "--data", data);
        assertEquals(0, r.code(), r.err());
        String line = r.out().lines().findFirst().orElseThrow();
        return Long.parseLong(line.replaceAll(".*\"frames\":(\\d+).*", "$1"));
    }

    private static void assertNoExceptionNames(CliRunner r) {
        assertFalse(r.err().contains("Exception") || r.out().contains("Exception"), r.err());
    }

    @Test
    void aFlippedMagicByteStopsNoCommandAndSessionsSaysWhatWasSkipped() throws IOException {
        String before = CliRunner.run("search", "session:s2", "--limit", "100", "--data", data).out();
        flip(capture.resolve("s2.msncap"), 3, 0x01);
        String note = "msnscope: s2: skipped 8 damaged bytes at offset 0 (1 range); the records after it were read";
        CliRunner sessions = CliRunner.run("sessions", "--data", data);
        assertEquals(0, sessions.code(), sessions.err());
        assertTrue(sessions.out().contains("bob@example.com"), sessions.out());
        assertTrue(sessions.err().lines().anyMatch(note::equals), sessions.err());
        CliRunner search = CliRunner.run("search", "session:s2", "--limit", "100", "--data", data);
        assertEquals(0, search.code(), search.err());
        assertEquals(before, search.out(), "every record after the damaged magic is still found");
        for (String[] args : List.of(new String[] {"show", "s2"}, new String[] {"export", "s2"}, new String[] {"reindex"},
                new String[] {"import", Captures.DIR.resolve("msnp8-twn.txt").toString()})) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("--data", data));
            CliRunner r = CliRunner.run(all.toArray(String[]::new));
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertNoExceptionNames(r);
        }
        CliRunner show = CliRunner.run("show", "s2", "--data", data);
        assertEquals(List.of(note), show.err().lines().toList());
    }

    @Test
    void aFlippedByteMidFileLosesOneFrameAndSessionsShowAndReindexSayWhere() throws IOException {
        long all = frames("s3");
        Path f = capture.resolve("s3.msncap");
        List<Long> at = recordOffsets(f);
        int hit = at.size() / 2;
        flip(f, at.get(hit) + 30, 0x20);
        String note = "msnscope: s3: skipped " + (at.get(hit + 1) - at.get(hit)) + " damaged bytes at offset " + at.get(hit)
                + " (1 range); the records after it were read";
        CliRunner sessions = CliRunner.run("sessions", "--data", data);
        assertEquals(0, sessions.code(), sessions.err());
        assertEquals(List.of(note), sessions.err().lines().toList());
        assertEquals(List.of(note), CliRunner.run("sessions", "--data", data).err().lines().toList(),
                "the index remembers the damage: the next listing says it again without reading the file");
        assertEquals(all - 1, frames("s3"), "only the damaged frame is lost");
        CliRunner show = CliRunner.run("show", "s3", "--data", data);
        assertEquals(0, show.code(), show.err());
        assertEquals(List.of(note), show.err().lines().toList());
        assertTrue(show.out().contains("Grüße aus Köln"), "frames after the damage are shown");
        CliRunner reindex = CliRunner.run("reindex", "--data", data);
        assertEquals(0, reindex.code(), reindex.err());
        assertEquals(List.of(note), reindex.err().lines().toList());
        CliRunner jsonl = CliRunner.run("sessions", "--format", "jsonl", "--data", data);
        assertEquals(3, jsonl.out().lines().count(), "notes never go to standard output: " + jsonl.out());
    }

    @Test
    void aDamagedLengthFieldMidFileDoesNotHideTheRestOfTheSession() throws IOException {
        long all = frames("s1");
        Path f = capture.resolve("s1.msncap");
        List<Long> at = recordOffsets(f);
        int hit = at.size() / 3;
        byte[] b = Files.readAllBytes(f);
        int off = (int) (long) at.get(hit);
        b[off] = 0;
        b[off + 1] = 0x0f; // about a megabyte: plausible, and past the end of the file
        Files.write(f, b);
        CliRunner sessions = CliRunner.run("sessions", "--data", data);
        assertEquals(0, sessions.code(), sessions.err());
        assertTrue(sessions.err().contains("s1: skipped " + (at.get(hit + 1) - at.get(hit)) + " damaged bytes at offset " + at.get(hit)),
                sessions.err());
        assertEquals(all - 1, frames("s1"));
    }

    @Test
    void aPartialRecordLeftByAFullDiskHidesNothingRecordedAfterIt() throws IOException {
        long all = frames("s3");
        Path f = capture.resolve("s3.msncap");
        List<Long> at = recordOffsets(f);
        byte[] b = Files.readAllBytes(f);
        int k = at.size() / 2;
        int from = (int) (long) at.get(k);
        int half = (int) (at.get(k + 1) - at.get(k)) / 2;
        // The write of record k failed half-way (ENOSPC); once space came back, the recorder went on appending.
        byte[] damaged = new byte[b.length + half];
        System.arraycopy(b, 0, damaged, 0, from);
        System.arraycopy(b, from, damaged, from, half);
        System.arraycopy(b, from, damaged, from + half, b.length - from);
        Files.write(f, damaged);
        CliRunner r = CliRunner.run("sessions", "--data", data);
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("msnscope: s3: skipped " + half + " damaged bytes at offset " + from + " (1 range); the records after it were read"),
                r.err().lines().toList());
        assertEquals(all, frames("s3"), "every whole record is still read");
        assertTrue(CliRunner.run("show", "s3", "--data", data).out().contains("Grüße aus Köln"));
    }

    @Test
    void strayNamesInTheStoreAreIgnoredWithOneNoteByEveryCommand() throws IOException {
        Files.createFile(capture.resolve("s99999999999999999999.msncap"));
        Files.writeString(capture.resolve("foo.txt"), "notes");
        Files.createFile(capture.resolve("s01.msncap"));
        Files.createDirectory(capture.resolve("s7.msncap"));
        for (String[] args : List.of(new String[] {"sessions"}, new String[] {"search", "cmd:USR"}, new String[] {"reindex"},
                new String[] {"import", Captures.DIR.resolve("msnp8-twn.txt").toString()})) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("--data", data));
            CliRunner r = CliRunner.run(all.toArray(String[]::new));
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertNoExceptionNames(r);
            List<String> lines = r.err().lines().toList();
            assertEquals(4, lines.size(), String.join(" ", args) + ": " + r.err());
            assertTrue(lines.contains("msnscope: ignored capture/s99999999999999999999.msncap (not a session file: those are named s<N>.msncap)"),
                    r.err());
        }
        assertTrue(CliRunner.run("sessions", "--data", data).out().lines().anyMatch(l -> l.startsWith("s4 ")), "the import took s4");
    }

    @Test
    void aFileThatIsNotACaptureIsReportedOnceAndSkippedByListingCommands() throws IOException {
        Files.writeString(capture.resolve("s2.msncap"), "this was overwritten by something else entirely");
        CliRunner sessions = CliRunner.run("sessions", "--data", data);
        assertEquals(0, sessions.code(), sessions.err());
        assertEquals(List.of("msnscope: s2: not a capture file (its header is damaged and no valid record follows); ignored"),
                sessions.err().lines().toList());
        assertEquals(List.of("s1", "s3"), sessions.out().lines().skip(1).map(l -> l.split(" ")[0]).toList());
        CliRunner search = CliRunner.run("search", "cmd:USR", "--data", data);
        assertEquals(0, search.code(), search.err());
        assertTrue(search.out().contains("matching frames"));
    }

    @Test
    void aSessionWithoutAConnectionRecordExportsInEveryFormat() throws IOException {
        CaptureStore store = new CaptureStore(Path.of(data));
        try (CaptureWriter w = CaptureWriter.create(store.file("s4"), false)) {
            // Killed after the session record and the first frames, before the connection record was flushed.
            w.append(new CaptureRecord.SessionStarted("s4", 1L, "proxy"));
            for (String[] l : List.of(new String[] {"C", "VER 1 MSNP8 CVR0"}, new String[] {"S", "VER 1 MSNP8"},
                    new String[] {"C", "USR 2 MD5 I carol@example.com"})) {
                Direction d = l[0].equals("C") ? Direction.C2S : Direction.S2C;
                byte[] b = (l[1] + "\r\n").getBytes(StandardCharsets.UTF_8);
                w.append(new CaptureRecord.FrameRecord("c1", 1_000L, d, Framer.frameAll(b, d, (k, x, t) -> false, FramerLimits.DEFAULT).get(0), null));
            }
        }
        for (String format : List.of("transcript", "text", "jsonl", "html")) {
            CliRunner r = CliRunner.run("export", "s4", "--format", format, "--data", data);
            assertEquals(0, r.code(), format + ": " + r.err());
            assertNoExceptionNames(r);
            assertTrue(r.out().contains("carol@example.com"), format + ": " + r.out());
            assertEquals(List.of("msnscope: s4: no connection record for c1 (recording cut short?); its frames are shown with unknown endpoints"),
                    r.err().lines().toList(), format);
        }
        assertEquals(3, CliRunner.run("export", "s4", "--format", "jsonl", "--data", data).out().lines().count());
        CliRunner show = CliRunner.run("show", "s4", "--data", data);
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("USR 2 MD5 I carol@example.com"), show.out());
        assertEquals(3, frames("s4"), "the index keeps the frames too");
        assertTrue(CliRunner.run("search", "account:carol@example.com", "--data", data).out().contains("s4/c1"));
    }

    /** Index files other than the lock and the commit point, largest first. */
    private List<Path> indexFiles() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(data, "index"))) {
            return s.filter(p -> !p.getFileName().toString().equals("write.lock") && !p.getFileName().toString().startsWith("segments"))
                    .sorted(Comparator.comparingLong((Path p) -> p.toFile().length()).reversed()).toList();
        }
    }

    @Test
    void everyTruncatedIndexFileIsRepairedByAPlainSearch() throws IOException {
        String before = CliRunner.run("search", "cmd:USR", "--limit", "50", "--data", data).out();
        Path pristine = dir.resolve("pristine");
        copy(Path.of(data, "index"), pristine);
        for (Path file : indexFiles()) {
            restore(pristine, Path.of(data, "index"));
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }
            CliRunner r = CliRunner.run("search", "cmd:USR", "--limit", "50", "--data", data);
            assertEquals(0, r.code(), file.getFileName() + ": " + r.err());
            assertEquals(before, r.out(), file.getFileName().toString());
            assertEquals(1, r.err().lines().count(), file.getFileName() + ": " + r.err());
            assertTrue(r.err().startsWith("msnscope: the index in ") && r.err().contains(" cannot be used (" + file.getFileName() + " is ")
                    && r.err().contains("rebuil"), r.err());
            assertNoExceptionNames(r);
        }
    }

    @Test
    void reindexRebuildsAnIndexWithTruncatedGarbledAndMissingFiles() throws IOException {
        String before = CliRunner.run("search", "cmd:USR", "--limit", "50", "--data", data).out();
        List<Path> files = indexFiles();
        try (var ch = java.nio.channels.FileChannel.open(files.get(0), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 3);
        }
        Files.write(files.get(1), "garbage".repeat(20).getBytes(StandardCharsets.US_ASCII));
        Files.delete(files.get(2));
        CliRunner r = CliRunner.run("reindex", "--data", data);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("reindexed 3 sessions"), r.out());
        assertEquals("", r.err());
        CliRunner after = CliRunner.run("search", "cmd:USR", "--limit", "50", "--data", data);
        assertEquals(before, after.out());
        assertEquals("", after.err());
        // Without its commit point the folder is a heap of orphan files: reindex still starts from nothing.
        try (Stream<Path> s = Files.list(Path.of(data, "index"))) {
            for (Path seg : s.filter(p -> p.getFileName().toString().startsWith("segments")).toList()) {
                Files.delete(seg);
            }
        }
        Files.write(indexFiles().get(0), "garbage".getBytes(StandardCharsets.US_ASCII));
        CliRunner again = CliRunner.run("reindex", "--data", data);
        assertEquals(0, again.code(), again.err());
        assertEquals(before, CliRunner.run("search", "cmd:USR", "--limit", "50", "--data", data).out());
    }

    @Test
    void garbageInsideStoredFieldsIsFoundWhenSearchReadsItAndTheIndexIsRebuilt() throws IOException {
        String before = CliRunner.run("search", "cmd:USR", "--limit", "50", "--data", data).out();
        Path stored;
        try (Stream<Path> s = Files.list(Path.of(data, "index"))) {
            stored = s.filter(p -> p.getFileName().toString().endsWith(".fdt")).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(stored);
        // Past the header, before the footer: opening the index does not read it, a search does.
        for (int i = b.length / 3; i < b.length / 3 + 64; i++) {
            b[i] ^= 0x5a;
        }
        Files.write(stored, b);
        CliRunner r = CliRunner.run("search", "cmd:USR", "--limit", "50", "--data", data);
        assertEquals(0, r.code(), r.err());
        assertEquals(before, r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("cannot be used") && r.err().contains("rebuilt it from the capture files"), r.err());
        assertEquals("", CliRunner.run("search", "cmd:USR", "--data", data).err(), "rebuilt once, for good");
    }

    @Test
    void aBrokenDissectorsFolderIsNotMistakenForADamagedIndex() throws IOException {
        Path segments;
        try (Stream<Path> s = Files.list(Path.of(data, "index"))) {
            segments = s.filter(p -> p.getFileName().toString().startsWith("segments")).findFirst().orElseThrow();
        }
        // A changed capture file makes the next command catch up, which needs the dissectors.
        Path s1 = capture.resolve("s1.msncap");
        Files.setLastModifiedTime(s1, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(s1).toMillis() + 5_000));
        Path bogus = Files.createDirectories(dir.resolve("bogus-dissectors"));
        Files.writeString(bogus.resolve("msnp.yaml"), "commands: [unclosed");
        CliRunner r = CliRunner.run("search", "cmd:USR", "--dissectors", bogus.toString(), "--data", data);
        assertEquals(2, r.code(), r.err());
        assertFalse(r.err().contains("rebuil"), r.err());
        assertTrue(Files.exists(segments), "the index was left alone");
        CliRunner again = CliRunner.run("search", "cmd:USR", "--data", data);
        assertEquals(0, again.code(), again.err());
        assertEquals("", again.err());
    }

    @Test
    void reindexWhileAnotherProcessHoldsTheIndexIsOneLine() throws IOException {
        try (CaptureIndex held = CaptureIndex.open(new CaptureStore(Path.of(data)), new Dissector(SpecLoader.builtIn()))) {
            assertFalse(held.readOnly());
            CliRunner r = CliRunner.run("reindex", "--data", data);
            assertEquals(1, r.code());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("msnscope reindex: another msnscope holds the index"), r.err());
        }
    }

    @Test
    void aDamagedIndexThatAnotherProcessHoldsIsOneNoteAndTheCommandsStillRun() throws IOException {
        try (CaptureIndex held = CaptureIndex.open(new CaptureStore(Path.of(data)), new Dissector(SpecLoader.builtIn()))) {
            Path stored;
            try (Stream<Path> s = Files.list(Path.of(data, "index"))) {
                stored = s.filter(p -> p.getFileName().toString().endsWith(".fdt")).findFirst().orElseThrow();
            }
            // In place, same length: the holder maps the file.
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(stored.toFile(), "rw")) {
                raf.seek(8);
                raf.write("garbage".getBytes(StandardCharsets.US_ASCII));
            }
            CliRunner r = CliRunner.run("search", "cmd:USR", "--data", data);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("no frames matched"), r.out());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("cannot be used (_") && r.err().contains("is damaged) and another msnscope"), r.err());
            CliRunner sessions = CliRunner.run("sessions", "--data", data);
            assertEquals(0, sessions.code(), sessions.err());
            assertNoExceptionNames(sessions);
        }
        CliRunner after = CliRunner.run("search", "cmd:USR", "--data", data);
        assertEquals(0, after.code(), after.err());
        assertTrue(after.out().contains("matching frames"), "rebuilt once the holder let go: " + after.out());
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void restore(Path pristine, Path index) throws IOException {
        try (Stream<Path> s = Files.list(index)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        copy(pristine, index);
    }
}

package msnscope.capture;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.wire.Direction;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The store lists, reads and loads around whatever it finds in its folder; it says what it stepped over. */
class CaptureStoreDamageTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    @TempDir
    Path dir;

    private static CaptureRecord.FrameRecord frame(String conn, Direction dir, String line) {
        byte[] b = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
        return new CaptureRecord.FrameRecord(conn, 5L, dir, Framer.frameAll(b, dir, (k, d, t) -> false, FramerLimits.DEFAULT).get(0), null);
    }

    @Test
    void strayNamesInTheCaptureFolderAreIgnoredWithOneNoteEachAndNeverOverflowAnId() throws IOException {
        CaptureStore store = new CaptureStore(dir);
        store.newSession(1L, "test", false).close();
        Path capture = dir.resolve("capture");
        Files.createFile(capture.resolve("s99999999999999999999.msncap"));
        Files.createFile(capture.resolve("foo.txt"));
        Files.createFile(capture.resolve("s01.msncap"));
        Files.createDirectory(capture.resolve("s7.msncap"));
        Files.createFile(capture.resolve(".lock"));
        assertEquals(List.of("s1"), store.sessions());
        assertEquals(List.of("s1"), store.sessions(), "listing twice notes nothing twice");
        List<String> notes = store.notes().drain();
        assertEquals(4, notes.size(), notes.toString());
        assertTrue(notes.contains("ignored capture/s99999999999999999999.msncap (not a session file: those are named s<N>.msncap)"), notes.toString());
        assertTrue(notes.contains("ignored capture/s7.msncap (not a regular file)"), notes.toString());
        assertTrue(notes.stream().noneMatch(n -> n.contains(".lock")), "hidden files are the store's own business");
        assertFalse(store.exists("s01"));
        CaptureStore again = new CaptureStore(dir);
        try (CaptureWriter w = again.newSession(2L, "test", false)) {
            assertEquals("s2", CaptureStore.sessionOf(w));
        }
    }

    @Test
    void anIdAtTheEndOfTheRangeMakesNewSessionsFillTheGaps() throws IOException {
        CaptureStore store = new CaptureStore(dir);
        Files.createFile(dir.resolve("capture").resolve("s999999999999999999.msncap"));
        try (CaptureWriter w = store.newSession(1L, "test", false)) {
            assertEquals("s1", CaptureStore.sessionOf(w));
        }
    }

    @Test
    void aFileThatIsNotACaptureReadsAsNothingWithANote() throws IOException {
        CaptureStore store = new CaptureStore(dir);
        Files.writeString(store.file("s1"), "not a capture at all");
        assertEquals(List.of(), store.records("s1"));
        CaptureStore.Loaded l = store.load("s1", DISSECTOR, FramerLimits.DEFAULT);
        assertTrue(l.connections().isEmpty());
        assertTrue(l.damage().notCapture());
        assertEquals(List.of("s1: not a capture file (its header is damaged and no valid record follows); ignored"), store.notes().drain());
    }

    @Test
    void framesOfAConnectionWithoutItsRecordLoadUnderASynthesizedConnection() throws IOException {
        CaptureStore store = new CaptureStore(dir);
        try (CaptureWriter w = CaptureWriter.create(store.file("s1"), false)) {
            w.append(new CaptureRecord.SessionStarted("s1", 1L, "test"));
            w.append(frame("c1", Direction.C2S, "VER 1 MSNP8 CVR0"));
            w.append(frame("c1", Direction.S2C, "VER 1 MSNP8"));
            w.append(new CaptureRecord.ConnectionClosed("c2", 9L, "a close for a connection never seen"));
            w.append(new CaptureRecord.ConnectionClosed("c1", 9L, "end"));
        }
        CaptureStore.Loaded l = store.load("s1", DISSECTOR, FramerLimits.DEFAULT);
        assertEquals(2, l.connections().size());
        ConnectionLog c1 = l.connections().get(0);
        assertEquals(2, c1.frames().size());
        assertEquals("VER 1 MSNP8 CVR0", c1.frames().get(0).frame().line());
        assertEquals(ConnectionRepair.UNKNOWN, l.infos().get(c1.id()));
        assertEquals(List.of("s1: no connection record for c1, c2 (recording cut short?); their frames are shown with unknown endpoints"),
                store.notes().drain());
    }
}

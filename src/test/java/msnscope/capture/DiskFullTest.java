package msnscope.capture;

import msnscope.support.Captures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real full disk: the store lives on a 256 KiB tmpfs mounted for the test (CI and the development
 * machines run as root), filled up while the recorder writes. No stand-in: the writes fail with the
 * kernel's own ENOSPC, partial writes included (the capture file's last page still has room).
 */
@EnabledOnOs(OS.LINUX)
class DiskFullTest {

    @TempDir
    Path dir;
    private Path disk;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        disk = dir.resolve("disk");
        Files.createDirectories(disk);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.toString()) == 0,
                "mounting a tmpfs needs root (CI has it)");
    }

    @AfterEach
    void unmount() throws Exception {
        run("umount", "-l", disk.toString());
    }

    @Test
    void framesRecordedWhileTheDiskIsFullAreWrittenWhenSpaceReturnsAndNoTornRecordHidesThem() throws Exception {
        int sent;
        CaptureStore store = new CaptureStore(disk);
        List<ProxyReplay.Conn> login = ProxyReplay.connections(Captures.DIR.resolve("msnp11-chat.txt"), "p", 1L, true);
        ProxyReplay.Conn ds = login.get(0);
        ProxyReplay.Conn ns = login.get(1);
        Path filler = disk.resolve("filler");
        try (Recorder r = new Recorder(store, false, null)) {
            play(r, ds);
            r.connectionOpened(ns.pc());
            r.beforeForward();
            assertNull(r.failure());

            fill(filler);
            // While the disk is full: frames until a write fails (the capture file's last page may still have
            // room for a few), then a few more that wait in memory.
            List<Object[]> nsFrames = ns.frames();
            sent = 0;
            int afterFailure = 0;
            while (afterFailure < 3 && sent < 100_000) {
                ProxyReplay.send(r, ns, nsFrames.get(sent % nsFrames.size()));
                r.beforeForward();
                sent++;
                if (r.failure() != null) {
                    afterFailure++;
                }
            }
            assertNotNull(r.failure(), "the disk is full: writes fail");
            assertEquals(0, tornBytes(store), "a failed write is cut back to the last whole record");

            Files.delete(filler);
            Thread.sleep(1_100);
            do {
                ProxyReplay.send(r, ns, nsFrames.get(sent % nsFrames.size()));
                r.beforeForward();
                sent++;
            } while (sent % nsFrames.size() != 0);
            r.connectionClosed(ns.pc(), "closed");
            r.sync();
            assertNull(r.failure(), "recording resumed by itself");
            assertEquals(0, r.lost());
            assertEquals(r.received(), r.acknowledged());
        }
        long frames = store.records("s1").stream().filter(x -> x instanceof CaptureRecord.FrameRecord).count();
        assertEquals(ds.frames().size() + sent, frames, "every frame, those from while the disk was full too");
        assertEquals(0, tornBytes(store));
    }

    @Test
    void aSessionThatCannotBeCreatedOnAFullDiskIsRecordedOnceSpaceReturns() throws Exception {
        CaptureStore store = new CaptureStore(disk);
        List<ProxyReplay.Conn> login = ProxyReplay.connections(Captures.DIR.resolve("msnp11-chat.txt"), "p", 1L, true);
        ProxyReplay.Conn ds = login.get(0);
        Path filler = disk.resolve("filler");
        fill(filler);
        try (Recorder r = new Recorder(store, false, null)) {
            r.connectionOpened(ds.pc());
            List<Object[]> frames = ds.frames();
            ProxyReplay.send(r, ds, frames.get(0));
            r.beforeForward();
            assertNotNull(r.failure());
            Files.delete(filler);
            Thread.sleep(1_100);
            for (Object[] f : frames.subList(1, frames.size())) {
                ProxyReplay.send(r, ds, f);
                r.beforeForward();
            }
            r.connectionClosed(ds.pc(), "closed");
            r.sync();
            assertNull(r.failure());
            assertEquals(0, r.lost());
        }
        long recorded = 0;
        for (String s : store.sessions()) {
            recorded += store.records(s).stream().filter(x -> x instanceof CaptureRecord.FrameRecord).count();
        }
        assertEquals(ds.frames().size(), recorded);
    }

    private static void play(Recorder r, ProxyReplay.Conn c) {
        r.connectionOpened(c.pc());
        for (Object[] f : c.frames()) {
            ProxyReplay.send(r, c, f);
            r.beforeForward();
        }
        r.connectionClosed(c.pc(), "closed");
        r.beforeForward();
    }

    /** Writes until the file system refuses. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int i = 0; i < 1_000; i++) {
                out.write(block);
                out.flush();
            }
            fail("a 256 KiB disk took 4 MB");
        } catch (IOException full) {
            // full
        }
    }

    private static long tornBytes(CaptureStore store) throws IOException {
        long torn = 0;
        for (String s : store.sessions()) {
            try (CaptureReader reader = CaptureReader.open(store.file(s), 0)) {
                while (reader.next() != null) {
                    // to the end
                }
                torn += reader.tornBytes();
            }
        }
        return torn;
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}

package msnscope.chaos;

import msnscope.wire.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real full disk under a running proxy: its store is a 32 MiB tmpfs mounted for the test, filled up
 * while chat goes through. The proxy must keep relaying, recording must resume by itself (the frames of
 * the full spell written once space is back), live indexing too (a search while the proxy still runs finds
 * frames relayed after the disk was freed), and afterwards every frame a peer received is in the store.
 */
@Tag("chaos")
@EnabledOnOs(OS.LINUX)
class DiskFullChaosTest {

    @TempDir
    Path dir;
    private Path disk;

    @AfterEach
    void unmount() throws Exception {
        if (disk != null) {
            run("umount", "-l", disk.toString());
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aFullDiskStopsNeitherTheRelayNorRecordingOrIndexingOnceSpaceIsBack() throws Exception {
        disk = dir.resolve("disk");
        Files.createDirectories(disk);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", disk.toString()) == 0, "mounting a tmpfs needs root (CI has it)");
        Path store = disk.resolve("store");
        Findings findings = new Findings();
        FrameLedger received;
        try (ChaosRun run = new ChaosRun(store, findings, 512, 5)) {
            if (!run.startProxy("start")) {
                findings.assertNone();
            }
            run.load.start(3);
            run.awaitLoad(100, "before the disk fills");
            Path filler = disk.resolve("filler");
            fill(filler);
            run.awaitLoad(200, "while the disk is full (the relay must go on)");
            Files.delete(filler);
            long freed = Clock.nowMicros();
            run.awaitLoad(200, "after the disk was freed");
            StoreCommands live = new StoreCommands(store, findings);
            boolean indexedAfter = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!indexedAfter && System.nanoTime() < deadline) {
                Thread.sleep(500);
                List<Map<String, Object>> hits = live.search("cmd:MSG", "--since", Instant.ofEpochSecond(freed / 1_000_000 + 1).toString());
                indexedAfter = !hits.isEmpty();
            }
            findings.check(indexedAfter, "no frame relayed after the disk was freed became searchable while the proxy ran: "
                    + "live indexing did not resume");
            received = run.received();
            run.terminate("after the load");
            findings.check(run.proxyStderr().contains("capture write failed"), "the proxy never said that capture writes failed");
            run.proxyStderr().lines().filter(l -> l.contains("index") || l.contains("capture")).limit(10)
                    .forEach(l -> System.out.println("proxy: " + l));
        }
        StoreCommands cli = new StoreCommands(store, findings);
        Map<String, Integer> missing = received.missingFrom(FrameLedger.stored(cli.export(cli.sessions())), Map.of());
        findings.check(missing.isEmpty(), FrameLedger.describe(missing, received.total(), "the store (export)"));
        Map<String, Integer> unindexed = received.missingFrom(FrameLedger.stored(cli.search(StoreCommands.ALL_FRAMES)), Map.of());
        findings.check(unindexed.isEmpty(), FrameLedger.describe(unindexed, received.total(), "search (the index the proxy kept)"));
        findings.assertNone();
    }

    /** Writes until the file system refuses. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int i = 0; i < 10_000; i++) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            return;
        }
        throw new IllegalStateException("a 32 MiB disk took 640 MB");
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}

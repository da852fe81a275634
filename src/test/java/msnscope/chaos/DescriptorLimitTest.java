package msnscope.chaos;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A proxy with just enough file descriptors for the sockets it relays (set with {@code prlimit} once it
 * listens, from what it holds then): it must still record every frame, although it has more live sessions
 * than descriptors to spare for their capture files (issue 9: "under ulimit -n 256, connections are relayed
 * but not recorded").
 */
@Tag("chaos")
class DescriptorLimitTest {

    private static final int PAIRS = 20;
    /** Descriptors a pair's open connections take in the proxy: two NS and two SB, client and server side each. */
    private static final int PER_PAIR = 8;
    /** Left for everything else: the index's files, a DS connection while it logs in, a capture file or a few. */
    private static final int SPARE = 8;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aProxyShortOfFileDescriptorsStillRecordsEveryFrameItRelays() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux)");
        Findings findings = new Findings();
        FrameLedger received;
        try (ChaosRun run = new ChaosRun(dir, findings, 512, 5)) {
            if (!run.startProxy("start")) {
                findings.assertNone();
            }
            long pid = run.proxyPid();
            int limit = openDescriptors(pid) + PAIRS * PER_PAIR + SPARE;
            Process prlimit = new ProcessBuilder("prlimit", "--pid", String.valueOf(pid), "--nofile=" + limit + ":" + limit)
                    .redirectErrorStream(true).start();
            assertEquals(0, prlimit.waitFor(), new String(prlimit.getInputStream().readAllBytes()));
            run.load.start(PAIRS);
            run.awaitLoad(1_000, "with " + limit + " descriptors for " + PAIRS * 2 + " live sessions");
            System.out.printf("descriptor limit: %d; the proxy holds %d under load%n", limit, openDescriptors(pid));
            received = run.received();
            run.terminate("after the load");
        }
        StoreCommands cli = new StoreCommands(dir, findings);
        Map<String, Integer> missing = received.missingFrom(FrameLedger.stored(cli.export(cli.sessions())), Map.of());
        findings.check(missing.isEmpty(), FrameLedger.describe(missing, received.total(), "the store (export)"));
        findings.assertNone();
    }

    private static int openDescriptors(long pid) throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) fds.count();
        }
    }
}

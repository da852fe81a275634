package msnscope.chaos;

import msnscope.capture.CaptureStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM while chat load runs (issue 9, item 8): the proxy exits within its grace period, having recorded
 * every frame it relayed during shutdown (the ACKs the clients saw) and a close record for every connection.
 */
@Tag("chaos")
class ShutdownTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sigtermUnderLoadRecordsEveryRelayedFrameAndEveryConnectionCloseBeforeExiting() throws Exception {
        Findings findings = new Findings();
        FrameLedger received;
        try (ChaosRun run = new ChaosRun(dir, findings, 2048, 0)) {
            if (!run.startProxy("start")) {
                findings.assertNone();
            }
            run.load.start(6);
            run.awaitLoad(300, "before SIGTERM");
            run.terminate("SIGTERM under load");
            received = run.received();
        }
        StoreCommands cli = new StoreCommands(dir, findings);
        Map<String, Integer> missing = received.missingFrom(FrameLedger.stored(cli.export(cli.sessions())), Map.of());
        long acks = missing.entrySet().stream().filter(e -> e.getKey().contains("|S2C|ACK ")).mapToInt(Map.Entry::getValue).sum();
        findings.check(missing.isEmpty(), "after SIGTERM, " + acks + " ACKs that clients saw are not recorded; "
                + FrameLedger.describe(missing, received.total(), "the store (export)"));
        List<String> unclosed = CloseRecords.unclosed(new CaptureStore(dir), Long.MIN_VALUE, Set.of());
        findings.check(unclosed.isEmpty(), unclosed.size() + " connections have no close record after SIGTERM: " + unclosed);
        findings.assertNone();
    }
}

package msnscope.chaos;

import msnscope.capture.CaptureStore;
import msnscope.cli.CliRunner;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.index.CaptureIndex;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code delete} of a session that a proxy is recording (issue 9, item 3): the proxy started "recording
 * only" because another msnscope held the index lock, which it has released since; {@code delete} must
 * still refuse, in one line with exit code 2, and the live session's frames must all stay.
 */
@Tag("chaos")
class LiveSessionDeleteTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void deleteRefusesASessionBeingRecordedByAProxyThatStartedRecordingOnly() throws Exception {
        Findings findings = new Findings();
        FrameLedger received;
        CliRunner delete;
        String live;
        CaptureStore store = new CaptureStore(dir);
        try (ChaosRun run = new ChaosRun(dir, findings, 256, 10)) {
            // Another msnscope (here: this JVM) holds the index while the proxy starts.
            try (CaptureIndex held = CaptureIndex.open(store, new Dissector(SpecLoader.builtIn()))) {
                if (!run.startProxy("start while another process holds the index")) {
                    findings.assertNone();
                }
            }
            run.load.start(1);
            run.awaitLoad(30, "before delete");
            live = liveSession(store);
            delete = CliRunner.run("delete", live, "--data", dir.toString());
            run.awaitLoad(30, "after delete");
            // Shutdown has its own test (ShutdownTest): here the load ends before the signal.
            run.load.stop();
            Quiet.settleCapture(dir);
            run.terminate("SIGTERM");
            received = run.received();
        }
        findings.check(delete.code() == 2, "delete " + live + " of a session being recorded exited with " + delete.code()
                + " (want 2, a refusal): " + delete.out().strip() + " " + delete.err().strip());
        findings.check(delete.code() == 0 || delete.err().strip().lines().count() == 1 && !delete.err().contains("Exception"),
                "delete's refusal is not one line: '" + delete.err() + "'");
        findings.check(Files.exists(store.file(live)), "the capture file of the live session " + live + " is gone");
        StoreCommands cli = new StoreCommands(dir, findings);
        Map<String, Integer> missing = received.missingFrom(FrameLedger.stored(cli.export(store.sessions())), Map.of());
        findings.check(missing.isEmpty(), "after delete of the live session " + live + ": "
                + FrameLedger.describe(missing, received.total(), "the store (export)"));
        findings.assertNone();
    }

    /** The session of alice's login: her notification and switchboard connections are open while the load runs. */
    private static String liveSession(CaptureStore store) throws Exception {
        for (String s : store.sessions()) {
            if (RecordedFrames.read(store.file(s)).stream().anyMatch(h -> h.key().startsWith("NS|alice0-1" + ChatLoad.DOMAIN + "|"))) {
                return s;
            }
        }
        throw new AssertionError("no session in " + store.sessions() + " holds alice0-1's login");
    }
}

package msnscope.chaos;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * kill -9 of the proxy under chat load, {@value #KILLS} times, restarting on the same store: every frame
 * a client or a server received must be in the capture files (write before forward). Prints the measured
 * loss per kill for the closing note.
 */
@Tag("chaos")
class KillNineTest {

    private static final int KILLS = 3;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void killNineUnderLoadLosesNoFrameThatAPeerReceived() throws Exception {
        Findings findings = new Findings();
        FrameLedger received;
        long messages;
        // Big messages and no pause: the recorder has the most to do when the kill lands.
        try (ChaosRun run = new ChaosRun(dir, findings, 8192, 0)) {
            for (int k = 1; k <= KILLS; k++) {
                if (!run.startProxy("start " + k + " on the store" + (k > 1 ? " after kill -9" : ""))) {
                    break;
                }
                if (k == 1) {
                    run.load.start(6);
                }
                run.awaitLoad(300, "before kill " + k);
                run.kill();
            }
            received = run.received();
            messages = run.load.messages();
        }
        StoreCommands store = new StoreCommands(dir, findings);
        FrameLedger stored = FrameLedger.stored(store.export(store.sessions()));
        Map<String, Integer> missing = received.missingFrom(stored, Map.of());
        int lost = FrameLedger.count(missing);
        System.out.printf("kill -9 under load: %.1f frames lost per kill (%d lost over %d kills; %d frames received by peers, %d messages)%n",
                (double) lost / KILLS, lost, KILLS, received.total(), messages);
        findings.assertNone();
        assertEquals(0, lost, "kill -9 under load: " + FrameLedger.describe(missing, received.total(), "the capture files (export)"));
    }
}

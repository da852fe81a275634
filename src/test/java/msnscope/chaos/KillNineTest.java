package msnscope.chaos;

import msnscope.proxy.MsnWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the proxy under chat load, twice, restarting on the same store: every frame a client or a
 * server received must be in the capture files (write before forward). Prints the measured loss per kill.
 */
class KillNineTest {

    private static final int KILLS = 2;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void killNineUnderLoadLosesNoFrameThatAPeerReceived() throws Exception {
        AtomicReference<ProxyProcess> proxy = new AtomicReference<>();
        try (MsnWorld world = new MsnWorld(); ChatLoad load = new ChatLoad(() -> proxy.get().address(), 1024, 0)) {
            try {
                for (int k = 1; k <= KILLS; k++) {
                    proxy.set(ProxyProcess.start(world.dsAddress(), dir));
                    if (k == 1) {
                        load.start(4);
                    }
                    assertTrue(load.awaitMore(300, 20_000), "the chat load runs through proxy " + k + ": " + load.anomalies());
                    proxy.get().kill();
                }
            } finally {
                load.stop();
                if (proxy.get() != null) {
                    proxy.get().close();
                }
            }
            Quiet.settle(world);
            FrameLedger received = FrameLedger.received(load.clients, world.all);
            Findings findings = new Findings();
            StoreCommands store = new StoreCommands(dir, findings);
            FrameLedger stored = FrameLedger.stored(store.export(store.sessions()));
            Map<String, Integer> missing = received.missingFrom(stored, Map.of());
            int lost = FrameLedger.count(missing);
            System.out.printf("kill -9 under load: %.1f frames lost per kill (%d lost over %d kills; %d frames received by peers, %d messages)%n",
                    (double) lost / KILLS, lost, KILLS, received.total(), load.messages());
            findings.assertNone();
            assertEquals(0, lost, "kill -9 under load: " + FrameLedger.describe(missing, received.total(), "the capture files (export)"));
        }
    }
}

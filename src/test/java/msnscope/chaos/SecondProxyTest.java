package msnscope.chaos;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A second {@code proxy --data DIR} on a store a running proxy records into (issue 9, "one writer, stated
 * rules"): it either refuses in one line, or both record correctly side by side — every frame a peer of
 * either proxy received is in the store and found by search once both have stopped.
 */
@Tag("chaos")
class SecondProxyTest {

    private static final Pattern EXCEPTION = Pattern.compile("\\b[A-Za-z]+(Exception|Error)\\b");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void secondProxyOnTheSameStoreRefusesInOneLineOrBothRecordEverything() throws Exception {
        Findings findings = new Findings();
        FrameLedger first;
        FrameLedger second = null;
        try (ChaosRun run = new ChaosRun(dir, findings, 512, 5)) {
            if (!run.startProxy("first proxy")) {
                findings.assertNone();
            }
            run.load.start(2);
            run.awaitLoad(50, "first proxy");
            ProxyProcess other = null;
            try {
                other = ProxyProcess.start(run.world.dsAddress(), dir);
            } catch (ProxyProcess.StartFailed refused) {
                String why = refused.stderr.strip();
                findings.check(refused.exitCode != null, "the second proxy neither listened nor refused: " + refused.getMessage());
                findings.check(why.lines().count() == 1 && !EXCEPTION.matcher(why).find(),
                        "the second proxy refused, but not in one line: " + why);
            }
            if (other != null) {
                ProxyProcess p = other;
                try (ChatLoad load = new ChatLoad(p::address, "second-", 512, 5)) {
                    load.start(2);
                    findings.check(load.awaitMore(50, 20_000), "no chat through the second proxy: " + load.anomalies());
                    run.awaitLoad(50, "first proxy, beside the second");
                    // Shutdown has its own test (ShutdownTest): here the loads end before the signals.
                    load.stop();
                    run.load.stop();
                    Quiet.settleCapture(dir);
                    p.terminate();
                    findings.check(p.awaitExit(ChaosRun.GRACE_SECONDS) != null, "the second proxy ignored SIGTERM");
                    load.stop();
                    second = FrameLedger.received(load.clients, run.world.all.stream().filter(r -> r.key != null && r.key.contains(":second-")).toList());
                } finally {
                    p.close();
                }
            }
            run.load.stop();
            Quiet.settleCapture(dir);
            run.terminate("first proxy");
            Quiet.settle(run.world);
            first = FrameLedger.received(run.load.clients, run.world.all.stream().filter(r -> r.key == null || !r.key.contains(":second-")).toList());
        }
        StoreCommands cli = new StoreCommands(dir, findings);
        FrameLedger exported = FrameLedger.stored(cli.export(cli.sessions()));
        FrameLedger searched = FrameLedger.stored(cli.search(StoreCommands.ALL_FRAMES));
        for (FrameLedger peers : second == null ? new FrameLedger[] {first} : new FrameLedger[] {first, second}) {
            String which = peers == first ? "first" : "second";
            Map<String, Integer> lost = peers.missingFrom(exported, Map.of());
            findings.check(lost.isEmpty(), "peers of the " + which + " proxy: " + FrameLedger.describe(lost, peers.total(), "export"));
            Map<String, Integer> unfound = peers.missingFrom(searched, Map.of());
            findings.check(unfound.isEmpty(), "peers of the " + which + " proxy: " + FrameLedger.describe(unfound, peers.total(), "search '" + StoreCommands.ALL_FRAMES + "'"));
        }
        findings.assertNone();
    }
}

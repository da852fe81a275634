package msnscope.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --idle-timeout}: a connection silent both ways is closed with one reason; a talking one never is; off by default. */
@ExtendWith(LeakWatch.class)
class ProxyIdleTimeoutTest {

    @Test
    void connectionSilentBothWaysIsClosedAndATalkingOneIsNot() throws Exception {
        try (ProxyFixture fx = new ProxyFixture(c -> c.withIdleTimeout(Duration.ofSeconds(1)));
             ScriptClient quiet = ScriptClient.connect("quiet", fx.address);
             ScriptClient busy = ScriptClient.connect("busy", fx.address)) {
            quiet.send("VER 1 MSNP11 CVR0");
            quiet.expect("VER 1 MSNP11");
            busy.send("VER 1 MSNP11 CVR0");
            busy.expect("VER 1 MSNP11");
            long start = System.nanoTime();
            for (int i = 0; i < 8; i++) {
                Thread.sleep(300);
                busy.send("PNG");
                busy.expect("QNG 60");
            }
            assertTrue(System.nanoTime() - start > 2_000_000_000L, "the busy client talked for longer than the timeout");
            assertTrue(quiet.closedWithin(3000), "the silent connection was closed");
            busy.send("PNG");
            busy.expect("QNG 60");
            fx.events.awaitClosed(1, 5000);
            assertEquals(1, fx.events.closed.size(), "only the silent connection ended: " + fx.events.closed);
            String reason = fx.events.closed.values().iterator().next();
            assertTrue(reason.startsWith("idle for 1 s"), reason);
        }
    }

    @Test
    void noIdleTimeoutUnlessAskedFor() throws Exception {
        ProxyConfig config = ProxyConfig.of(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 1));
        assertNull(config.idleTimeout(), "notification connections idle for hours: no timeout by default");
        try (ProxyFixture fx = new ProxyFixture(); ScriptClient quiet = ScriptClient.connect("quiet", fx.address)) {
            quiet.send("VER 1 MSNP11 CVR0");
            quiet.expect("VER 1 MSNP11");
            assertFalse(quiet.closedWithin(1500));
            quiet.send("PNG");
            quiet.expect("QNG 60");
        }
    }
}

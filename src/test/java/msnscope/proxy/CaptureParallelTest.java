package msnscope.proxy;

import msnscope.capture.CaptureStore;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.index.LiveCapture;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Many logins at once from one client host, recorded: every login (its dispatch connection, the
 * notification server it was referred to, its switchboards) must be one session of its own, although all
 * of them come from 127.0.0.1 and are referred to the same notification-server listener at the same time.
 */
@ExtendWith(LeakWatch.class)
class CaptureParallelTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    @TempDir
    Path dir;

    @Test
    void concurrentLoginsFromOneHostAreRecordedAsOneSessionEachWithEveryFrame() throws Exception {
        int pairs = 40;
        long frames;
        try (ProxyFixture fx = new ProxyFixture(); LiveCapture live = LiveCapture.open(dir, DISSECTOR)) {
            fx.proxy.addWireListener(live);
            Conversation talk = new Conversation(fx);
            talk.pairsInParallel(pairs, 16);
            fx.events.awaitClosed(talk.clients.size(), 10_000);
            frames = fx.settled().frames.size();
        }
        CaptureStore store = new CaptureStore(dir);
        assertEquals(2 * pairs, store.sessions().size(), "one session per login: " + store.sessions().size());
        Set<String> accounts = new HashSet<>();
        long recorded = 0;
        for (String s : store.sessions()) {
            CaptureStore.Loaded l = store.load(s, DISSECTOR, FramerLimits.DEFAULT);
            String owner = l.connections().get(0).account();
            assertNotNull(owner, s);
            assertTrue(accounts.add(owner), owner + " has one session");
            assertEquals(FormSpec.Role.DS, l.connections().get(0).role(), s);
            assertTrue(l.connections().stream().anyMatch(c -> c.role() == FormSpec.Role.NS), s + " has its notification server");
            for (ConnectionLog c : l.connections()) {
                if (c.role() != FormSpec.Role.SB) {
                    assertEquals(owner, c.account(), "every DS/NS connection of " + s + " belongs to " + owner);
                }
                recorded += c.frames().size();
            }
        }
        assertEquals(frames, recorded, "every frame the proxy relayed is in the store");
    }
}

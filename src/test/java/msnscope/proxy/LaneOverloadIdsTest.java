package msnscope.proxy;

import msnscope.capture.CaptureStore;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.index.LiveCapture;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frames the analysis lane had no room for keep their places: what it shows afterwards names the stored frames. */
class LaneOverloadIdsTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    @TempDir
    Path dir;

    @Test
    void afterTheLaneSkippedFramesTheLinesItShowsStillNameTheStoredFrames() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Map<String, String> shown = new ConcurrentHashMap<>();
        ProxyListener slow = new ProxyListener() {
            @Override
            public void frame(ProxyConnection c, Dissection d, byte[] forwarded) {
                if ("PNG".equals(d.command()) || "QNG".equals(d.command())) {
                    try {
                        release.await(30, TimeUnit.SECONDS); // a terminal that stopped reading
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                shown.put(d.session() + "/" + d.stream() + "#" + d.seq(), d.frame().line());
            }
        };
        long skipped;
        try (ProxyFixture fx = new ProxyFixture(); LiveCapture live = LiveCapture.open(dir, DISSECTOR)) {
            fx.proxy.addWireListener(live);
            fx.proxy.addListener(slow);
            Conversation talk = new Conversation(fx);
            Conversation.User alice = talk.login("alice@example.com", 11);
            int pings = 2 * 65_536;
            byte[] many = "PNG\r\n".repeat(1024).getBytes(StandardCharsets.US_ASCII);
            Thread reader = new Thread(() -> {
                try {
                    for (int i = 0; i < pings; i++) {
                        alice.ns.readLine();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            reader.start();
            for (int i = 0; i < pings / 1024; i++) {
                alice.ns.sendRaw(many);
            }
            reader.join(60_000);
            release.countDown();
            alice.ns.send("CHG 99 NLN 0");
            alice.ns.expect("CHG 99 NLN 0");
            talk.logout(alice);
            fx.settled();
            skipped = fx.proxy.framesNotDissected();
        }
        assertTrue(skipped > 0, "the lane had to skip frames");
        CaptureStore store = new CaptureStore(dir);
        Map<String, Map<String, ConnectionLog>> sessions = new java.util.HashMap<>();
        for (String s : store.sessions()) {
            Map<String, ConnectionLog> byId = new java.util.HashMap<>();
            store.load(s, DISSECTOR, FramerLimits.DEFAULT).connections().forEach(c -> byId.put(c.id(), c));
            sessions.put(s, byId);
        }
        int checked = 0;
        for (Map.Entry<String, String> e : shown.entrySet()) {
            String[] at = e.getKey().split("[/#]");
            ConnectionLog c = sessions.getOrDefault(at[0], Map.of()).get(at[1]);
            assertNotNull(c, e.getKey());
            List<Dissection> frames = c.frames();
            int seq = Integer.parseInt(at[2]);
            assertTrue(seq < frames.size(), e.getKey() + " is past the connection's " + frames.size() + " frames");
            assertEquals(frames.get(seq).frame().line(), e.getValue(), e.getKey() + " is the stored frame");
            checked++;
        }
        assertTrue(shown.values().contains("CHG 99 NLN 0"), "the frames after the overload were shown");
        assertTrue(checked > 10, "checked " + checked);
    }
}

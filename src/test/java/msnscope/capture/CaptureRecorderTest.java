package msnscope.capture;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.support.Captures;
import msnscope.wire.Frame;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CaptureRecorderTest {

    @TempDir
    Path dir;

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    private Recorder recorder(CaptureStore store) {
        return new Recorder(store, false, null);
    }

    private static List<Frame> frames(List<ConnectionLog> logs) {
        List<Frame> out = new ArrayList<>();
        for (ConnectionLog c : logs) {
            for (Dissection d : c.frames()) {
                out.add(d.frame());
            }
        }
        return out;
    }

    @Test
    void recordedFramesReadBackByteExactWithTheRewrittenReferrals() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        Path t = Captures.DIR.resolve("msnp11-chat.txt");
        List<ProxyReplay.Conn> conns = ProxyReplay.connections(t, "p", 1_700_000_000_000_000L, true);
        try (Recorder r = recorder(store)) {
            ProxyReplay.play(conns, r);
            r.sync();
            assertEquals(r.received(), r.acknowledged());
            assertEquals(0, r.lost());
        }
        assertEquals(List.of("s1"), store.sessions());
        List<CaptureRecord> records = store.records("s1");
        List<byte[]> original = new ArrayList<>();
        List<byte[]> rewritten = new ArrayList<>();
        for (CaptureRecord rec : records) {
            if (rec instanceof CaptureRecord.FrameRecord f) {
                original.add(f.frame().copyBytes());
                rewritten.add(f.rewritten());
            }
        }
        List<Frame> expected = frames(Captures.dissect(t).connections());
        assertEquals(expected.size(), original.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).copyBytes(), original.get(i), "frame " + i);
        }
        assertEquals(2, rewritten.stream().filter(b -> b != null).count(), "XFR NS and XFR SB were rewritten");
        assertTrue(rewritten.stream().filter(b -> b != null).allMatch(b -> new String(b).contains("127.0.0.1:18")));
        // Re-dissected from the store: the same frames, connection by connection.
        CaptureStore.Loaded loaded = store.load("s1", DISSECTOR, FramerLimits.DEFAULT);
        assertEquals(expected, frames(loaded.connections()));
    }

    @Test
    void dispatchNotificationAndSwitchboardOfOneLoginAreOneSessionWithReferralsAndEndpoints() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        try (Recorder r = recorder(store)) {
            ProxyReplay.play(ProxyReplay.connections(Captures.DIR.resolve("msnp11-chat.txt"), "p", 1L, true), r);
            ProxyReplay.play(ProxyReplay.connections(Captures.DIR.resolve("msnp8-twn.txt"), "q", 1L, true), r);
            r.sync();
        }
        assertEquals(List.of("s1", "s2"), store.sessions());
        CaptureStore.Loaded chat = store.load("s1", DISSECTOR, FramerLimits.DEFAULT);
        assertEquals(List.of("DS", "NS", "SB"), chat.connections().stream().map(c -> c.role().name()).toList());
        ConnectionInfo ns = chat.infos().get("c2");
        assertEquals("c1", ns.referral().fromConnection(), "the NS was referred by the DS (XFR NS)");
        assertEquals("10.0.0.5:1863", ns.referral().original());
        assertEquals("127.0.0.1:1865", ns.referral().rewritten());
        assertEquals("127.0.0.1:40002", ns.client());
        assertEquals("127.0.0.1:1865", ns.proxy());
        ConnectionInfo sb = chat.infos().get("c3");
        assertEquals("c2", sb.referral().fromConnection(), "the SB was opened by XFR SB on the NS");
        assertEquals("27410938.1727102366.18852", sb.referral().cookie());
        CaptureStore.Loaded rng = store.load("s2", DISSECTOR, FramerLimits.DEFAULT);
        assertEquals(List.of("DS", "NS", "SB"), rng.connections().stream().map(c -> c.role().name()).toList());
        assertTrue(rng.infos().get("c3").referral().line().startsWith("RNG "), "the SB was joined from an RNG");
    }

    @Test
    void switchboardsWithoutAProxyReferralJoinTheSessionThatIssuedTheirCookie() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        List<ProxyReplay.Conn> alice = ProxyReplay.connections(Captures.DIR.resolve("msnp11-chat.txt"), "a", 1L, false);
        List<ProxyReplay.Conn> bob = ProxyReplay.connections(Captures.DIR.resolve("msnp11-invited.txt"), "b", 1L, false);
        try (Recorder r = recorder(store)) {
            // Two logins at once, their events interleaved as on a busy proxy.
            for (ProxyReplay.Conn c : alice) {
                r.connectionOpened(c.pc());
            }
            for (ProxyReplay.Conn c : bob) {
                r.connectionOpened(c.pc());
            }
            int max = Math.max(alice.stream().mapToInt(c -> c.frames().size()).max().orElse(0),
                    bob.stream().mapToInt(c -> c.frames().size()).max().orElse(0));
            for (List<ProxyReplay.Conn> login : List.of(alice, bob)) {
                for (ProxyReplay.Conn c : login) {
                    if (c.pc().role() != msnscope.dissect.spec.FormSpec.Role.SB) {
                        c.frames().forEach(f -> ProxyReplay.send(r, c, f));
                    }
                }
            }
            for (int i = 0; i < max; i++) {
                for (List<ProxyReplay.Conn> login : List.of(alice, bob)) {
                    for (ProxyReplay.Conn c : login) {
                        if (c.pc().role() == msnscope.dissect.spec.FormSpec.Role.SB && i < c.frames().size()) {
                            ProxyReplay.send(r, c, c.frames().get(i));
                        }
                    }
                }
            }
            for (List<ProxyReplay.Conn> login : List.of(alice, bob)) {
                login.forEach(c -> r.connectionClosed(c.pc(), "closed"));
            }
            r.sync();
        }
        List<String> accounts = new ArrayList<>();
        for (String s : store.sessions()) {
            CaptureStore.Loaded l = store.load(s, DISSECTOR, FramerLimits.DEFAULT);
            long sbs = l.connections().stream().filter(c -> c.role() == msnscope.dissect.spec.FormSpec.Role.SB).count();
            if (sbs > 0) {
                String owner = l.connections().stream().filter(c -> c.role() != msnscope.dissect.spec.FormSpec.Role.SB)
                        .map(ConnectionLog::account).findFirst().orElse(null);
                for (ConnectionLog c : l.connections()) {
                    assertEquals(owner, c.account(), "every connection of " + s + " belongs to " + owner);
                }
                accounts.add(owner);
            }
        }
        assertTrue(accounts.containsAll(List.of("alice@example.com", "bob@example.com")), accounts.toString());
    }

    @Test
    void aFrameIsInTheCaptureFileWhenBeforeForwardReturns() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        List<ProxyReplay.Conn> conns = ProxyReplay.connections(Captures.DIR.resolve("msnp11-chat.txt"), "p", 1L, true);
        ProxyReplay.Conn ds = conns.get(0);
        try (Recorder r = recorder(store)) {
            r.connectionOpened(ds.pc());
            for (Object[] f : ds.frames()) {
                ProxyReplay.send(r, ds, f);
                r.beforeForward();
                // What a kill -9 would leave: the file as the operating system has it, read by another reader.
                long onDisk = store.records("s1").stream().filter(x -> x instanceof CaptureRecord.FrameRecord).count();
                assertEquals(r.received(), onDisk, "every frame handed in is on disk before the proxy forwards it");
            }
            assertEquals(r.received(), r.acknowledged());
        }
    }

    @Test
    void concurrentLoginsFromOneHostAreStitchedByTheAccountTheyName() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        List<ProxyReplay.Conn> alice = ProxyReplay.connections(Captures.DIR.resolve("msnp11-chat.txt"), "a", 1L, false);
        Path carolLogin = dir.resolve("carol.txt");
        java.nio.file.Files.writeString(carolLogin, Captures.read(Captures.DIR.resolve("msnp8-twn.txt"))
                .replace("alice@example.com", "carol@example.com"));
        List<ProxyReplay.Conn> bob = ProxyReplay.connections(carolLogin, "b", 1L, false);
        try (Recorder r = recorder(store)) {
            // Both dispatch connections are referred to the same notification server from the same host ...
            ProxyReplay.play(List.of(alice.get(0)), r);
            ProxyReplay.play(List.of(bob.get(0)), r);
            // ... and both notification-server connections open before either names its account; bob's speaks first.
            r.connectionOpened(alice.get(1).pc());
            r.connectionOpened(bob.get(1).pc());
            for (ProxyReplay.Conn c : List.of(bob.get(1), alice.get(1))) {
                for (Object[] f : c.frames()) {
                    ProxyReplay.send(r, c, f);
                    r.beforeForward();
                }
            }
            for (List<ProxyReplay.Conn> login : List.of(alice, bob)) {
                r.connectionClosed(login.get(1).pc(), "closed");
                ProxyReplay.play(login.subList(2, login.size()), r);
            }
            r.sync();
            assertEquals(r.received(), r.acknowledged());
        }
        assertEquals(2, store.sessions().size(), "one session per login, the provisional ones moved: " + store.sessions());
        for (String s : store.sessions()) {
            CaptureStore.Loaded l = store.load(s, DISSECTOR, FramerLimits.DEFAULT);
            assertEquals(List.of("DS", "NS", "SB"), l.connections().stream().map(c -> c.role().name()).toList(), s);
            String owner = l.connections().get(0).account();
            for (ConnectionLog c : l.connections()) {
                assertEquals(owner, c.account(), "every connection of " + s + " belongs to " + owner);
            }
            assertEquals("c1", l.infos().get("c2").referral().fromConnection(), "the NS came by the DS's XFR NS");
        }
    }

    @Test
    void manyOpenSessionsKeepOnlyABoundedNumberOfFilesOpen() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        List<ProxyReplay.Conn> template = ProxyReplay.connections(Captures.DIR.resolve("msnp11-chat.txt"), "p", 1L, true);
        ProxyReplay.Conn ds = template.get(0);
        int sessions = Recorder.MAX_OPEN_FILES * 3;
        try (Recorder r = recorder(store)) {
            for (int i = 0; i < sessions; i++) {
                msnscope.proxy.ProxyConnection pc = new msnscope.proxy.ProxyConnection("x" + i, ds.pc().role(), ds.pc().client(),
                        ds.pc().proxy(), ds.pc().upstreamName(), ds.pc().upstream(), null, ds.pc().openedMicros());
                r.connectionOpened(pc);
                ProxyReplay.send(r, new ProxyReplay.Conn(pc, ds.frames()), ds.frames().get(0));
                r.beforeForward();
            }
            assertEquals(sessions, store.sessions().size());
            assertTrue(openCaptureFiles() <= Recorder.MAX_OPEN_FILES,
                    openCaptureFiles() + " capture files open for " + sessions + " live sessions");
            // A session whose file was closed meanwhile is written again where it ended.
            msnscope.proxy.ProxyConnection first = new msnscope.proxy.ProxyConnection("x0", ds.pc().role(), ds.pc().client(),
                    ds.pc().proxy(), ds.pc().upstreamName(), ds.pc().upstream(), null, ds.pc().openedMicros());
            ProxyReplay.send(r, new ProxyReplay.Conn(first, ds.frames()), ds.frames().get(1));
            r.beforeForward();
        }
        assertEquals(2, store.records("s1").stream().filter(x -> x instanceof CaptureRecord.FrameRecord).count());
    }

    private static long openCaptureFiles() throws java.io.IOException {
        long n = 0;
        try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (java.nio.file.Files.readSymbolicLink(fd).toString().endsWith(CaptureStore.EXTENSION)) {
                        n++;
                    }
                } catch (java.io.IOException e) {
                    // closed meanwhile
                }
            }
        }
        return n;
    }
}

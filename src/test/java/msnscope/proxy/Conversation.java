package msnscope.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scripted conversations, as a client would have them through the proxy: login via the dispatch
 * server, chat on a switchboard, invitation by RNG. Every referral a client receives is checked to point
 * at the proxy. Every client connection is kept by key (same keys as {@link MsnWorld.Record}) for the
 * byte-exactness check.
 */
public final class Conversation {

    final ProxyFixture fx;
    final Map<String, ScriptClient> clients = new ConcurrentHashMap<>();

    public Conversation(ProxyFixture fx) {
        this.fx = fx;
    }

    /** A logged-in user: the notification connection and the next TrID. */
    public static final class User {
        public final String handle;
        final int version;
        public ScriptClient ns;
        int trid = 5;
        byte[] profile;

        User(String handle, int version) {
            this.handle = handle;
            this.version = version;
        }
    }

    /** Checks a referral address points at the proxy (its host, one of its listeners), not at the world. */
    void assertProxied(String addr, String what) {
        HostPort hp = HostPort.parse(addr);
        assertEquals("127.0.0.1", hp.host(), what + " must point at msnscope: " + addr);
        boolean listener = fx.proxy.routes().routes().stream().anyMatch(r -> r.listenAddress().getPort() == hp.port());
        assertTrue(listener, what + " must name a proxy listener: " + addr);
        assertNotEquals(fx.world.ns.getLocalPort(), hp.port(), what + " leaked the real NS");
        assertNotEquals(fx.world.sb.getLocalPort(), hp.port(), what + " leaked the real SB");
        assertNotEquals(fx.world.ds.getLocalPort(), hp.port(), what + " leaked the real DS");
    }

    private ScriptClient open(String key, String addr) throws IOException {
        ScriptClient c = ScriptClient.connect(key, addr);
        clients.put(key, c);
        return c;
    }

    public User login(String handle, int v) throws IOException {
        User u = new User(handle, v);
        String pkg = v < 8 ? "MD5" : "TWN";
        try (ScriptClient ds = open("DS:" + handle, fx.address)) {
            ds.send("VER 1 MSNP" + v + " CVR0");
            ds.expect("VER 1 MSNP" + v);
            if (v >= 8) {
                ds.send("CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0816 MSMSGS " + handle);
                ds.expectPrefix("CVR 2 ");
            }
            ds.send("USR 3 " + pkg + " I " + handle);
            String xfr = ds.readLine();
            String[] t = xfr.split(" ");
            assertEquals("XFR 3 NS", t[0] + " " + t[1] + " " + t[2], xfr);
            assertProxied(t[3], "XFR NS");
            if (v >= 13) {
                assertEquals(List.of("U", "D"), List.of(t[4], t[5]), xfr);
            } else if (v >= 7) {
                assertEquals("0", t[4]);
                assertProxied(t[5], "XFR NS current server");
            } else if (v >= 3) {
                assertEquals(5, t.length, xfr);
            } else {
                assertEquals(4, t.length, xfr);
            }
            u.ns = open("NS:" + handle, t[3]);
        }
        ScriptClient ns = u.ns;
        ns.send("VER 1 MSNP" + v + " CVR0");
        ns.expect("VER 1 MSNP" + v);
        if (v >= 8) {
            ns.send("CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0816 MSMSGS " + handle);
            ns.expectPrefix("CVR 2 ");
        }
        ns.send("USR 3 " + pkg + " I " + handle);
        ns.expectPrefix("USR 3 " + pkg + " S ");
        ns.send("USR 4 " + pkg + " S " + (v < 8 ? "e0f1c0e2b9b3a3a4c5d6e7f8091a2b3c" : "t=ticket&p=profile"));
        String ok = ns.readLine();
        assertTrue(ok.startsWith("USR 4 OK " + handle), ok);
        if (v >= 8) {
            String msg = ns.readLine();
            assertTrue(msg.startsWith("MSG Hotmail Hotmail "), msg);
            u.profile = ns.payloadOf(msg);
        }
        ns.send("CHG 5 NLN 0");
        ns.expect("CHG 5 NLN 0");
        u.trid = 6;
        return u;
    }

    /** Both ends of one switchboard session, each behind the proxy. */
    public record Switchboard(ScriptClient a, ScriptClient b) {
    }

    /** Alice opens a switchboard and invites Bob, who joins; every referral on the way points at the proxy. */
    public Switchboard openSwitchboard(User alice, User bob) throws IOException {
        alice.ns.send("XFR " + alice.trid + " SB");
        String xfr = alice.ns.readLine();
        String[] t = xfr.split(" ");
        assertEquals("XFR " + alice.trid++ + " SB", t[0] + " " + t[1] + " " + t[2], xfr);
        assertProxied(t[3], "XFR SB");
        assertEquals("CKI", t[4]);
        String cookie = t[5];
        int v = alice.version;
        assertEquals(v >= 14 ? 9 : v == 13 ? 8 : 6, t.length, xfr);
        ScriptClient a = open("SB:" + alice.handle + ":" + cookie, t[3]);
        a.send("USR 1 " + alice.handle + " " + cookie);
        a.expect("USR 1 OK " + alice.handle + " " + MsnWorld.nick(alice.handle));
        a.send("CAL 2 " + bob.handle);
        String ringing = a.readLine();
        assertTrue(ringing.startsWith("CAL 2 RINGING "), ringing);
        String sid = ringing.split(" ")[3];

        String rng = bob.ns.expectPrefix("RNG ");
        String[] r = rng.split(" ");
        assertEquals(sid, r[1], rng);
        assertProxied(r[2], "RNG");
        assertEquals("CKI", r[3]);
        assertEquals(bob.version >= 14 ? 10 : bob.version == 13 ? 9 : 7, r.length, rng);
        ScriptClient b = open("SB:" + bob.handle + ":" + r[4], r[2]);
        b.send("ANS 1 " + bob.handle + " " + r[4] + " " + sid);
        b.expect("IRO 1 1 1 " + alice.handle + " " + MsnWorld.nick(alice.handle));
        b.expect("ANS 1 OK");
        a.expect("JOI " + bob.handle + " " + MsnWorld.nick(bob.handle));
        return new Switchboard(a, b);
    }

    /** Alice opens a switchboard, invites Bob, they exchange text, 64 KiB and a binary P2P message, and leave. */
    void chat(User alice, User bob, boolean big) throws IOException {
        Switchboard sb = openSwitchboard(alice, bob);
        ScriptClient a = sb.a();
        ScriptClient b = sb.b();
        byte[] text = ("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                + "X-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n\r\nhello " + bob.handle + " \u2665").getBytes(StandardCharsets.UTF_8);
        a.sendPayload("MSG 3 N", text);
        String got = b.readLine();
        assertEquals("MSG " + alice.handle + " " + MsnWorld.nick(alice.handle) + " " + text.length, got);
        assertArrayEquals(text, b.payloadOf(got));

        if (big) {
            ByteArrayOutputStream large = new ByteArrayOutputStream();
            large.writeBytes("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            while (large.size() < 65536) {
                large.write('a' + large.size() % 26);
                if (large.size() % 100 == 0) {
                    large.writeBytes("\r\nMSG 1 A 5\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            byte[] big64 = java.util.Arrays.copyOf(large.toByteArray(), 65536);
            b.sendPayload("MSG 2 A", big64);
            String bigLine = a.readLine();
            assertEquals("MSG " + bob.handle + " " + MsnWorld.nick(bob.handle) + " 65536", bigLine);
            assertArrayEquals(big64, a.payloadOf(bigLine));
            b.expect("ACK 2");

            ByteArrayOutputStream p2p = new ByteArrayOutputStream();
            p2p.writeBytes(("MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: " + bob.handle + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] bin = new byte[48 + 1202 + 4];
            new Random(alice.handle.hashCode()).nextBytes(bin);
            bin[60] = '\r';
            bin[61] = '\n';
            bin[62] = 0;
            byte[] xfrBytes = "XFR 9 NS 10.0.0.1:1863\r\nRNG ".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(xfrBytes, 0, bin, 100, xfrBytes.length);
            p2p.writeBytes(bin);
            byte[] p2pPayload = p2p.toByteArray();
            a.sendPayload("MSG 4 D", p2pPayload);
            String p2pLine = b.readLine();
            assertEquals("MSG " + alice.handle + " " + MsnWorld.nick(alice.handle) + " " + p2pPayload.length, p2pLine);
            assertArrayEquals(p2pPayload, b.payloadOf(p2pLine));
            a.expect("ACK 4");
        }
        a.send("OUT");
        b.expect("BYE " + alice.handle);
        a.assertClosed();
        b.send("OUT");
        b.assertClosed();
    }

    /**
     * The whole playbook: alice and bob log in at {@code version}, alice opens a switchboard and invites
     * bob, they chat ({@code big}: also a 64 KiB message and a binary P2P chunk), both log out, and every
     * connection has ended at the proxy.
     */
    void aliceAndBobChat(int version, boolean big) throws Exception {
        User alice = login("alice@example.com", version);
        User bob = login("bob@example.com", version);
        chat(alice, bob, big);
        logout(alice);
        logout(bob);
        fx.events.awaitClosed(clients.size(), 5000);
    }

    /**
     * {@code pairs} pairs of users (a&lt;n&gt;, b&lt;n&gt;, versions 8, 11, 13, 15 in turn) at once on {@code drivers}
     * threads: each pair logs in, chats (a big message for every tenth pair) and logs out.
     */
    void pairsInParallel(int pairs, int drivers) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(drivers);
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            int n = i;
            int version = new int[]{8, 11, 13, 15}[i % 4];
            done.add(pool.submit(() -> {
                User a = login("a" + n + "@example.com", version);
                User b = login("b" + n + "@example.com", version);
                chat(a, b, n % 10 == 0);
                logout(a);
                logout(b);
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        pool.shutdown();
    }

    void logout(User u) throws IOException {
        u.ns.send("OUT");
        u.ns.expect("OUT");
        u.ns.assertClosed();
    }

    /**
     * Bytes arriving at each side equal the bytes the other side sent, except the rewritten addresses:
     * the world's bytes with each real server address replaced by its proxy listener must be exactly what
     * the client received, and the world received exactly what the client sent.
     */
    void assertByteExact() {
        Map<String, String> realToProxy = new java.util.HashMap<>();
        for (RouteTable.Route r : fx.proxy.routes().routes()) {
            realToProxy.put(r.upstream().toString(), "127.0.0.1:" + r.listenAddress().getPort());
        }
        assertFalse(clients.isEmpty());
        for (Map.Entry<String, ScriptClient> e : clients.entrySet()) {
            MsnWorld.Record rec = fx.world.records.get(e.getKey());
            assertNotNull(rec, "the world saw no connection " + e.getKey());
            byte[] clientSent = e.getValue().sent.toByteArray();
            byte[] worldGot;
            synchronized (rec) {
                worldGot = rec.received.toByteArray();
            }
            assertArrayEquals(clientSent, worldGot, e.getKey() + ": C->S bytes must arrive unchanged");
            String worldSent = latin1(rec.sent.toByteArray());
            String clientGot = latin1(e.getValue().received.toByteArray());
            String expected = replaceAddresses(worldSent, realToProxy);
            assertEquals(expected, clientGot, e.getKey() + ": S->C bytes must arrive unchanged but for the referral addresses");
            for (String real : realToProxy.keySet()) {
                if (!realToProxy.get(real).equals(real) && !real.equals("127.0.0.1:0")) {
                    assertFalse(Pattern.compile("(^|[ \\n])" + Pattern.quote(real) + "([ \\r]|$)").matcher(clientGot).find(),
                            e.getKey() + " saw the real address " + real);
                }
            }
        }
    }

    private static String replaceAddresses(String s, Map<String, String> map) {
        Matcher m = Pattern.compile("(?<=[ ])([A-Za-z0-9.\\-]+:[0-9]{1,5})(?=[ \\r])").matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String rep = map.getOrDefault(m.group(1), m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(rep));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}

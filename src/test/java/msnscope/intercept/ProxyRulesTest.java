package msnscope.intercept;

import msnscope.dissect.Dissection;
import msnscope.dissect.spec.SpecLoader;
import msnscope.proxy.FakeServer;
import msnscope.proxy.HostPort;
import msnscope.proxy.MsnWorld;
import msnscope.proxy.ProxyConfig;
import msnscope.proxy.ProxyConnection;
import msnscope.proxy.ProxyFixture;
import msnscope.proxy.ProxyListener;
import msnscope.proxy.ProxyServer;
import msnscope.proxy.ScriptClient;
import msnscope.wire.Edit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A proxy running a rules file, on real sockets: every action in both directions, each side writing one byte
 * at a time so every frame reaches the proxy across many reads, with payload lengths recomputed and the far
 * side still reading whole frames after the change.
 */
class ProxyRulesTest {

    @TempDir
    Path dir;

    /** What the proxy's listeners were told: each frame's line and how a rule changed or made it. */
    private static final class Edits implements ProxyListener {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void frame(ProxyConnection c, Dissection d, byte[] forwarded) {
            Edit e = d.edit();
            if (e != null) {
                seen.add(d.direction() + " " + d.frame().line() + " <- " + e.by() + " " + e.action() + (e.made() ? " made" : ""));
            }
        }
    }

    private Rules rules(String yaml) throws RulesException {
        return Rules.load(new RulesFixture(dir).write(yaml).file);
    }

    private static ProxyServer proxy(FakeServer server, Rules rules, Edits edits) throws Exception {
        ProxyServer p = new ProxyServer(ProxyConfig.of(new HostPort("127.0.0.1", 0), server.address()), SpecLoader.builtIn());
        p.intercept(rules);
        p.addListener(edits);
        return p;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One byte per write, so the proxy frames each frame across many reads. */
    private static void dribble(OutputStream out, String s) throws Exception {
        for (byte b : bytes(s)) {
            out.write(b);
            out.flush();
            Thread.sleep(1);
        }
    }

    private static void dribble(ScriptClient c, String s) throws Exception {
        for (byte b : bytes(s)) {
            c.sendRaw(new byte[]{b});
            Thread.sleep(1);
        }
    }

    private static void settle(ProxyServer p) throws InterruptedException {
        assertTrue(p.awaitAnalysis(10_000), "the analysis lane caught up");
    }

    @Test
    void clientFramesAreDroppedAnsweredReplacedAndInjectedAroundAcrossSplitReads() throws Exception {
        String yaml = """
                - match: 'cmd:PNG AND dir:C2S'
                  drop: true
                - match: 'cmd:USR AND dir:C2S'
                  reply: '911 {trid}'
                - match: 'cmd:MSG AND dir:C2S'
                  replace: {in: payload, regex: 'hello', with: 'HELLO there'}
                - match: 'cmd:CHG AND dir:C2S'
                  inject: {to: server, line: 'SYN {trid} 0', position: before}
                - match: 'cmd:CHG AND dir:C2S'
                  inject: {to: client, line: 'OUT OTH'}
                  name: kick
                """;
        // What the server must read: no PNG, no USR, SYN before CHG, the MSG with its new length, then OUT as sent.
        String atServer = "SYN 2 0\r\nCHG 2 NLN 0\r\nMSG 3 N 11\r\nHELLO thereOUT\r\n";
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.read(s, atServer.length(), rec);
            dribble(s.getOutputStream(), "CHG 2 NLN 0\r\n");
            FakeServer.readToEnd(s, rec);
        }); Rules rules = rules(yaml)) {
            Edits edits = new Edits();
            ProxyServer p = proxy(server, rules, edits);
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                dribble(c, "PNG\r\nUSR 1 TWN I alice@x.com\r\nCHG 2 NLN 0\r\nMSG 3 N 5\r\nhelloOUT\r\n");
                c.expect("911 1");
                c.expect("OUT OTH");
                c.expect("CHG 2 NLN 0");
                assertEquals(atServer, new String(server.receivedBytes(), 0, atServer.length(), StandardCharsets.UTF_8));
                settle(p);
            }
            server.await();
            assertEquals(atServer, new String(server.receivedBytes(), StandardCharsets.UTF_8), "nothing more, nothing less");
            assertTrue(edits.seen.containsAll(List.of(
                    "C2S PNG <- rule 1 (rules.yaml) drop",
                    "C2S USR 1 TWN I alice@x.com <- rule 2 (rules.yaml) reply",
                    "C2S MSG 3 N 5 <- rule 3 (rules.yaml) replace",
                    "C2S CHG 2 NLN 0 <- rule 4 (rules.yaml), kick inject")), edits.seen.toString());
            assertTrue(edits.seen.stream().anyMatch(s -> s.startsWith("S2C 911 1 <- ") && s.endsWith(" made")), edits.seen.toString());
            assertTrue(edits.seen.stream().anyMatch(s -> s.startsWith("C2S SYN 2 0 <- ") && s.endsWith(" made")), edits.seen.toString());
            assertEquals(List.of("rule 1 (cmd:PNG AND dir:C2S -> drop): 1 frame",
                    "rule 2 (cmd:USR AND dir:C2S -> reply '911 {trid}'): 1 frame",
                    "rule 3 (cmd:MSG AND dir:C2S -> replace in payload /hello/ with 'HELLO there'): 1 frame",
                    "rule 4 (cmd:CHG AND dir:C2S -> inject to server before 'SYN {trid} 0'): 1 frame",
                    "rule 5 'kick' (cmd:CHG AND dir:C2S -> inject to client 'OUT OTH'): 1 frame"), rules.summary());
        }
    }

    @Test
    void serverFramesAreDroppedAnsweredReplacedAndInjectedAroundAcrossSplitReads() throws Exception {
        String yaml = """
                - match: 'cmd:QNG AND dir:S2C'
                  drop: true
                - match: 'cmd:MSG AND dir:S2C'
                  replace: {in: payload, regex: 'h(el)lo', with: 'H$1LO there ☺'}
                - match: 'cmd:MSG AND dir:S2C'
                  replace: {in: line, regex: ' Bob ', with: ' Robert '}
                - match: 'cmd:CHL AND dir:S2C'
                  reply: 'QRY 10 PROD0090YUAUV{{2B {params[0]}'
                - match: 'cmd:JOI AND dir:S2C'
                  inject: {to: client, line: 'IRO 1 1 1 carol@x.com Carol', position: before}
                - match: 'cmd:JOI AND dir:S2C'
                  inject: {to: server, line: 'CAL 9 {params[0]}'}
                """;
        String fromServer = "QNG 50\r\nMSG bob@x.com Bob 5\r\nhelloCHL 0 15570131571988941333\r\nJOI bob@x.com Bob\r\nNLN NLN bob@x.com Bob 0\r\n";
        String atServer = "VER 1 MSNP11 CVR0\r\nQRY 10 PROD0090YUAUV{2B 0\r\nCAL 9 bob@x.com\r\nOUT\r\n";
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.read(s, "VER 1 MSNP11 CVR0\r\n".length(), rec);
            dribble(s.getOutputStream(), "VER 1 MSNP11\r\n" + fromServer);
            FakeServer.readToEnd(s, rec);
        }); Rules rules = rules(yaml)) {
            Edits edits = new Edits();
            ProxyServer p = proxy(server, rules, edits);
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                c.send("VER 1 MSNP11 CVR0");
                c.expect("VER 1 MSNP11");
                byte[] text = bytes("HelLO there ☺");
                c.expect("MSG bob@x.com Robert " + text.length);
                assertArrayEquals(text, c.readBytes(text.length));
                c.expect("IRO 1 1 1 carol@x.com Carol");
                c.expect("JOI bob@x.com Bob");
                c.expect("NLN NLN bob@x.com Bob 0");
                c.send("OUT");
                long until = System.nanoTime() + 10_000_000_000L;
                while (server.receivedBytes().length < atServer.length() && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertEquals(atServer, new String(server.receivedBytes(), StandardCharsets.UTF_8));
                settle(p);
            }
            assertTrue(edits.seen.containsAll(List.of(
                    "S2C QNG 50 <- rule 1 (rules.yaml) drop",
                    "S2C MSG bob@x.com Bob 5 <- rule 2 (rules.yaml), rule 3 (rules.yaml) replace",
                    "S2C CHL 0 15570131571988941333 <- rule 4 (rules.yaml) reply")), edits.seen.toString());
        }
    }

    @Test
    void delaysHoldTheirFrameAndWhatFollowsItInBothDirections() throws Exception {
        String yaml = """
                - match: 'cmd:CAL AND dir:C2S'
                  delay: 400ms
                - match: 'cmd:JOI AND dir:S2C'
                  delay: 400ms
                """;
        long[] calAt = new long[1];
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.read(s, "CAL 1 bob@x.com\r\n".length(), rec);
            calAt[0] = System.nanoTime();
            FakeServer.read(s, "PNG\r\n".length(), rec);
            dribble(s.getOutputStream(), "JOI bob@x.com Bob\r\nQNG 50\r\n");
            FakeServer.readToEnd(s, rec);
        }); Rules rules = rules(yaml)) {
            ProxyServer p = proxy(server, rules, new Edits());
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                long sent = System.nanoTime();
                c.sendRaw(bytes("CAL 1 bob@x.com\r\nPNG\r\n"));
                c.expect("JOI bob@x.com Bob");
                long joiAt = System.nanoTime();
                c.expect("QNG 50");
                assertTrue(calAt[0] - sent >= TimeUnit.MILLISECONDS.toNanos(400), "CAL waited");
                assertTrue(joiAt - calAt[0] >= TimeUnit.MILLISECONDS.toNanos(400), "JOI waited");
                assertEquals("CAL 1 bob@x.com\r\nPNG\r\n", new String(server.receivedBytes(), StandardCharsets.UTF_8),
                        "the PNG behind the delayed CAL kept its place");
            }
        }
    }

    @Test
    void closeEndsTheSidesItNamesAfterTheFrameWentOut() throws Exception {
        String yaml = """
                - match: 'cmd:MSG AND text:"close me"'
                  close: both
                """;
        String body = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nplease close me now";
        String msg = "MSG 4 N " + body.length() + "\r\n" + body;
        try (FakeServer server = new FakeServer((s, rec) -> FakeServer.readToEnd(s, rec)); Rules rules = rules(yaml)) {
            ProxyServer p = proxy(server, rules, new Edits());
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                dribble(c, "CHG 2 NLN 0\r\n" + msg);
                server.done.get(10, TimeUnit.SECONDS);
                assertEquals("CHG 2 NLN 0\r\n" + msg, new String(server.receivedBytes(), StandardCharsets.UTF_8),
                        "the frame went out, then the server side was closed");
                assertThrows(EOFException.class, c::readLine, "and the client side");
            }
        }
    }

    @Test
    void aServerFrameCanCloseTheClientSide() throws Exception {
        String yaml = """
                - match: 'cmd:OUT AND dir:S2C'
                  close: client
                """;
        try (FakeServer server = new FakeServer((s, rec) -> {
            dribble(s.getOutputStream(), "NLN NLN bob@x.com Bob 0\r\nOUT OTH\r\n");
            FakeServer.readToEnd(s, rec);
        }); Rules rules = rules(yaml)) {
            ProxyServer p = proxy(server, rules, new Edits());
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                c.expect("NLN NLN bob@x.com Bob 0");
                c.expect("OUT OTH");
                assertThrows(EOFException.class, c::readLine);
            }
        }
    }

    @Test
    void framesNoRuleTouchesCrossByteExact() throws Exception {
        String yaml = """
                - match: 'cmd:QRY AND dir:C2S'
                  drop: true
                - match: 'text:"never said"'
                  close: both
                """;
        String script = "VER 1 MSNP11 CVR0\r\nCVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0816 msmsgs alice@x.com\r\nMSG 3 N 7\r\nhi\r\n:-)";
        String reply = "VER 1 MSNP11\r\nMSG Hotmail Hotmail 4\r\nab\r\n";
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.read(s, bytes(script).length, rec);
            dribble(s.getOutputStream(), reply);
            FakeServer.readToEnd(s, rec);
        }); Rules rules = rules(yaml)) {
            ProxyServer p = proxy(server, rules, new Edits());
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                dribble(c, script);
                c.expect("VER 1 MSNP11");
                c.expect("MSG Hotmail Hotmail 4");
                assertArrayEquals(bytes("ab\r\n"), c.readBytes(4));
                assertArrayEquals(bytes(script), server.receivedBytes());
                assertArrayEquals(bytes(reply), c.received.toByteArray());
            }
            assertEquals(List.of("rules " + dir.resolve("rules.yaml") + ": no rule applied"), rules.summary());
        }
    }

    /** The README's story on the in-test MSN world: the notification server's login answered with 911 by a rule. */
    @Test
    void aLoginAnsweredWith911NeverReachesTheServerAndTheConnectionGoesOn() throws Exception {
        try (Rules rules = rules("- match: 'cmd:USR AND dir:C2S AND role:NS'\n  reply: '911 {trid}'\n");
             ProxyFixture fx = new ProxyFixture(c -> c, rules);
             ScriptClient c = ScriptClient.connect("alice", fx.address)) {
            c.send("VER 1 MSNP11 MSNP10 CVR0");
            c.expect("VER 1 MSNP11");
            c.send("CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0816 msmsgs alice@example.com");
            c.expectPrefix("CVR 2 ");
            dribble(c, "USR 3 TWN I alice@example.com\r\n");
            c.expect("911 3");
            c.send("PNG");
            c.expect("QNG 60");
            MsnWorld.Record ds = fx.world.all.get(0);
            assertEquals("VER 1 MSNP11 MSNP10 CVR0\r\nCVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0816 msmsgs alice@example.com\r\nPNG\r\n",
                    new String(ds.receivedBytes(), StandardCharsets.UTF_8), "the server never saw the USR");
            assertEquals(List.of("rule 1 (cmd:USR AND dir:C2S AND role:NS -> reply '911 {trid}'): 1 frame"), rules.summary());
        }
    }

    /** A rules file rewritten while the proxy runs changes what the next frames meet. */
    @Test
    void aRewrittenRulesFileChangesTheRunningProxy() throws Exception {
        RulesFixture file = new RulesFixture(dir).write("- match: 'cmd:PNG AND dir:C2S'\n  reply: 'QNG 1'\n");
        try (Rules rules = Rules.load(file.file, file.notices::add);
             ProxyFixture fx = new ProxyFixture(c -> c, rules);
             ScriptClient c = ScriptClient.connect("alice", fx.address)) {
            c.send("VER 1 MSNP11 CVR0");
            c.expect("VER 1 MSNP11");
            c.send("PNG");
            c.expect("QNG 1");
            file.write("- match: 'cmd:PNG AND dir:C2S'\n  reply: 'QNG 2'\n- match: 'cmd:200'\n  replace: {in: line, regex: '^200', with: '201'}\n");
            long until = System.nanoTime() + 10_000_000_000L;
            while (file.notices.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertEquals(List.of("rules reloaded: 2 rules"), file.notices);
            c.send("PNG");
            c.expect("QNG 2");
            c.send("BLP 3 AL");
            c.expect("201 3");
        }
    }
}

package msnscope.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.cli.Main;
import msnscope.export.FrameJson;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routing and what the user sees: unknown cookies are logged (never guessed), switchboard names need
 * {@code --resolve}, limits refuse loudly, {@code --fix-client-ip} puts the client's address back, and the
 * console's text and jsonl views.
 */
@ExtendWith(LeakWatch.class)
class ProxyRoutingTest {

    /** Runs {@code body} and returns what was logged to stderr meanwhile (slf4j-simple writes to System.err). */
    static String stderrOf(Callable<?> body) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            body.call();
            Thread.sleep(200);
        } finally {
            System.setErr(old);
        }
        String s = err.toString(StandardCharsets.UTF_8);
        old.print(s);
        return s;
    }

    @Test
    void anUnknownCookieIsLoggedAndTheServerDecides() throws Exception {
        try (ProxyFixture fx = new ProxyFixture()) {
            Conversation talk = new Conversation(fx);
            Conversation.User alice = talk.login("alice@example.com", 11);
            alice.ns.send("XFR 6 SB");
            String sbAddr = alice.ns.readLine().split(" ")[3];
            String log = stderrOf(() -> {
                try (ScriptClient stranger = ScriptClient.connect("stranger", sbAddr)) {
                    stranger.send("USR 1 mallory@example.com forged.cookie");
                    stranger.expect("911 1");
                    stranger.assertClosed();
                }
                return null;
            });
            assertTrue(log.contains("cannot route by cookie") && log.contains("an unknown cookie (forged.cookie)"), log);
            assertTrue(log.contains("relayed to " + MsnWorld.SB_NAME), log);
        }
    }

    @Test
    void aSwitchboardHostNameNeedsResolve() throws Exception {
        try (ProxyFixture fx = new ProxyFixture(c -> c.withResolver(Resolver.system()))) {
            Conversation talk = new Conversation(fx);
            Conversation.User alice = talk.login("alice@example.com", 11);
            alice.ns.send("XFR 6 SB");
            String[] xfr = alice.ns.readLine().split(" ");
            try (ScriptClient sb = ScriptClient.connect("sb", xfr[3])) {
                sb.send("USR 1 alice@example.com " + xfr[5]);
                sb.assertClosed();
            }
            fx.events.awaitClosed(2, 5000);
            assertTrue(fx.events.closed.values().stream().anyMatch(r -> r.contains("unresolvable") && r.contains("--resolve")),
                    fx.events.closed.toString());
        }
    }

    @Test
    void tooManyPendingReferralsAreRefusedLoudly() throws Exception {
        try (ProxyFixture fx = new ProxyFixture(c -> c.withLimits(1, 8, Duration.ofMinutes(2)))) {
            Conversation talk = new Conversation(fx);
            Conversation.User alice = talk.login("alice@example.com", 11);
            alice.ns.send("XFR 6 SB");
            talk.assertProxied(alice.ns.readLine().split(" ")[3], "first XFR SB");
            String log = stderrOf(() -> {
                alice.ns.send("XFR 7 SB");
                String second = alice.ns.readLine();
                assertTrue(second.startsWith("XFR 7 SB " + fx.world.sbAddress() + " CKI "), "forwarded unchanged: " + second);
                return null;
            });
            assertTrue(log.contains("referral NOT rewritten") && log.contains("--max-pending"), log);
        }
    }

    @Test
    void fixClientIpPutsTheClientsAddressBackAndFixesTheLength() throws Exception {
        try (ProxyFixture fx = new ProxyFixture(c -> c.withFixClientIp(true))) {
            Conversation talk = new Conversation(fx);
            Conversation.User alice = talk.login("alice@example.com", 11);
            String profile = new String(alice.profile, StandardCharsets.UTF_8);
            int clientPort = alice.ns.socket.getLocalPort();
            assertTrue(profile.contains("\r\nClientIP: 127.0.0.1\r\nClientPort: " + clientPort + "\r\n\r\n"), profile);
            String seenByServer = fx.world.records.get("NS:alice@example.com").sent.toString(StandardCharsets.UTF_8);
            assertFalse(seenByServer.contains("ClientPort: " + clientPort + "\r\n"), "the server saw the proxy's port");
            assertEquals(1, fx.settled().rewrites.values().stream().filter(b -> new String(b, 0, 4, StandardCharsets.US_ASCII).equals("MSG "))
                    .count(), "exactly the profile was rewritten");
            talk.logout(alice);
        }
    }

    @Test
    void theConsoleShowsEveryCommandInTextAndJsonl() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ByteArrayOutputStream jsonl = new ByteArrayOutputStream();
        ConsolePrinter t = new ConsolePrinter(ConsolePrinter.Format.TEXT, false, true, new PrintStream(text, true, StandardCharsets.UTF_8),
                System.err);
        ConsolePrinter j = new ConsolePrinter(ConsolePrinter.Format.JSONL, false, true, new PrintStream(jsonl, true, StandardCharsets.UTF_8),
                System.err);
        try (ProxyFixture fx = new ProxyFixture()) {
            fx.proxy.addListener(t).addListener(j);
            Conversation talk = new Conversation(fx);
            talk.aliceAndBobChat(11, true);
        }
        t.close();
        j.close();
        String out = text.toString(StandardCharsets.UTF_8);
        System.out.println(out);
        assertTrue(out.contains("C->S  USR 3 TWN I alice@example.com"), out);
        assertTrue(out.matches("(?s).*\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z  DS c1 alice@example.com  S->C  XFR 3 NS 127\\.0\\.0\\.1:\\d+ 0 127\\.0\\.0\\.1:\\d+"
                + " => 127\\.0\\.0\\.1:\\d+ 127\\.0\\.0\\.1:\\d+  .*"), "rewritten referral shows both addresses");
        assertTrue(out.contains("XFR 6 SB " + MsnWorld.SB_NAME), out);
        assertTrue(out.contains(" [65536 bytes text/plain]"), out);
        assertTrue(out.contains("[1317 bytes application/x-msnmsgrp2p]") || out.contains("application/x-msnmsgrp2p]"), out);
        assertTrue(out.contains("==  closed: "), out);
        assertTrue(out.matches("(?s).*DS/NS c1  ==  127\\.0\\.0\\.1:\\d+ -> .*"), "the main listener's server is not known yet when it opens");
        assertTrue(out.matches("(?s).*DS c1 alice@example\\.com  ==  closed: .*"),
                "by its close the dissector knows it was the dispatch server, and whose");
        List<String> lines = jsonl.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.size() > 40, "one object per frame");
        boolean sawRewrite = false;
        for (String l : lines) {
            JsonNode n = FrameJson.MAPPER.readTree(l);
            for (String key : List.of("session", "stream", "seq", "dir", "cmd", "raw", "summary", "warnings", "conn", "client", "proxy",
                    "server", "upstream", "rewritten")) {
                assertTrue(n.has(key), key + " missing in " + l);
            }
            if (!n.get("rewritten").isNull()) {
                sawRewrite = true;
                assertFalse(n.get("rewritten").asText().equals(n.get("raw").asText()));
            }
        }
        assertTrue(sawRewrite);
    }

    @Test
    void aListenerThatThrowsNeverBreaksTheRelay() throws Exception {
        try (ProxyFixture fx = new ProxyFixture()) {
            fx.proxy.addListener(new ProxyListener() {
                @Override
                public void frame(ProxyConnection connection, msnscope.dissect.Dissection dissection, byte[] forwarded) {
                    throw new IllegalStateException("listener bug");
                }

                @Override
                public void referral(ProxyConnection connection, Referral referral) {
                    throw new IllegalStateException("listener bug");
                }
            });
            Conversation talk = new Conversation(fx);
            talk.aliceAndBobChat(11, false);
            talk.assertByteExact();
        }
    }

    @Test
    void theCommandLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[]{"proxy", "--help"}, o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--resolve"));
        assertEquals(2, Main.run(new String[]{"proxy"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--upstream HOST:PORT is required"));
        assertEquals(2, Main.run(new String[]{"proxy", "--upstream", "nocolon"}, o, e));
        assertEquals(2, Main.run(new String[]{"proxy", "--upstream", "a:1", "--ports", "9-3"}, o, e));
        assertEquals(2, Main.run(new String[]{"proxy", "--upstream", "a:1", "--resolve", "justaname"}, o, e));
    }
}

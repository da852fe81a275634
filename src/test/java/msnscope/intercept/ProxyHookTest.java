package msnscope.intercept;

import msnscope.proxy.Conversation;
import msnscope.proxy.ProxyFixture;
import msnscope.proxy.ScriptClient;
import msnscope.search.FrameFilter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The hook in front of a real proxied conversation (the in-test MSN world, real sockets): what the example
 * hook changes arrives changed with the right length and the far side stays in sync, and a hook that hangs
 * or dies costs frames time or their change, never the connection.
 */
class ProxyHookTest {

    private static final String HEAD = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            + "X-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n\r\n";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theExampleHookShoutsChatTextAndDropsQngThroughTheProxy() throws Exception {
        assumeTrue(HookFixture.onPath("python3"), "python3 is not on PATH: examples/hook.py cannot run here");
        try (Hook hook = Hook.start("python3 examples/hook.py", FrameFilter.parse("cmd:MSG OR cmd:QNG"), Duration.ofSeconds(5));
             ProxyFixture fx = new ProxyFixture(c -> c, hook)) {
            Conversation talk = new Conversation(fx);
            Conversation.User alice = talk.login("alice@example.com", 11);
            Conversation.User bob = talk.login("bob@example.com", 11);

            alice.ns.send("PNG");
            alice.ns.send("CHG 20 BSY 0");
            alice.ns.expect("CHG 20 BSY 0"); // the server's QNG 60 came before it, and was dropped

            Conversation.Switchboard sb = talk.openSwitchboard(alice, bob);
            ScriptClient a = sb.a();
            ScriptClient b = sb.b();
            a.sendPayload("MSG 3 N", utf8(HEAD + "hello bob, ﬁne day ☺"));
            byte[] shouted = utf8(HEAD + "HELLO BOB, FINE DAY ☺"); // the ligature's upper case is a byte shorter
            String line = b.readLine();
            assertEquals("MSG alice@example.com alice " + shouted.length, line);
            assertArrayEquals(shouted, b.payloadOf(line));

            // Bob's answer is shouted too, and what follows it on both connections is still in step.
            b.sendPayload("MSG 2 A", utf8(HEAD + "hi alice"));
            String back = a.readLine();
            assertEquals("MSG bob@example.com bob " + utf8(HEAD + "HI ALICE").length, back);
            assertArrayEquals(utf8(HEAD + "HI ALICE"), a.payloadOf(back));
            b.expect("ACK 2");
            a.send("OUT");
            b.expect("BYE alice@example.com");

            String summary = hook.summary().get(0);
            assertTrue(summary.contains("2 replace, 1 drop; 0 timed out, 0 garbage answers"), summary);
        }
    }

    @Test
    void aHangingHookHoldsAFrameForItsTimeoutThenForwardsIt() throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("exec sleep 60", FrameFilter.parse("cmd:QNG"), Duration.ofMillis(400));
             ProxyFixture fx = new ProxyFixture(c -> c, hook)) {
            Conversation.User alice = new Conversation(fx).login("alice@example.com", 11);
            long start = System.nanoTime();
            alice.ns.send("PNG");
            alice.ns.expect("QNG 60");
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 390 && waited < 3_000, "QNG held for the hook's 400 ms, then forwarded: " + waited + " ms");
            alice.ns.send("CHG 20 BSY 0");
            alice.ns.expect("CHG 20 BSY 0");
            assertTrue(err.awaitLine("did not answer", 1_000).contains("S2C QNG) within 400 ms: forwarded unchanged"), err.text());
        }
    }

    @Test
    void aDyingHookLeavesTheProxyRelaying() throws Exception {
        // Reads the first frame (the client's VER), never answers it, and exits.
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("read -r q; exit 5", null, Duration.ofSeconds(30));
             ProxyFixture fx = new ProxyFixture(c -> c, hook)) {
            long start = System.nanoTime();
            Conversation talk = new Conversation(fx);
            Conversation.User alice = talk.login("alice@example.com", 11);
            Conversation.User bob = talk.login("bob@example.com", 11);
            Conversation.Switchboard sb = talk.openSwitchboard(alice, bob);
            byte[] text = utf8(HEAD + "still here");
            sb.a().sendPayload("MSG 3 N", text);
            String line = sb.b().readLine();
            assertEquals("MSG alice@example.com alice " + text.length, line);
            assertArrayEquals(text, sb.b().payloadOf(line), "unchanged");
            alice.ns.send("PNG");
            alice.ns.expect("QNG 60");
            assertTrue(System.nanoTime() - start < 20_000_000_000L, "no frame waited for the 30 s timeout");
            assertEquals(Interest.NONE, hook.interest());
            assertTrue(err.awaitLine("exited with code 5", 1_000).contains("1 waiting frame forwarded unchanged"), err.text());
        }
    }
}

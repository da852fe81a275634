package msnscope.intercept;

import msnscope.dissect.Dissection;
import msnscope.dissect.SessionContext;
import msnscope.dissect.spec.FormSpec;
import msnscope.search.FrameFilter;
import msnscope.support.Conversation;
import msnscope.wire.Direction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static msnscope.intercept.HookFixture.frame;
import static msnscope.intercept.HookFixture.text;
import static msnscope.intercept.HookFixture.verdict;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** examples/hook.py, the README's example hook, run by python3 in front of real frames of the chat capture. */
class HookExampleTest {

    static final String COMMAND = "python3 examples/hook.py";
    static final String FILTER = "cmd:MSG OR cmd:QNG";

    private static Hook hook;

    @BeforeAll
    static void startExample() throws Exception {
        assumeTrue(HookFixture.onPath("python3"), "python3 is not on PATH: examples/hook.py cannot run here");
        hook = Hook.start(COMMAND, FrameFilter.parse(FILTER), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopExample() {
        if (hook != null) {
            hook.close();
        }
    }

    @Test
    void chatTextToTheClientIsUppercasedWithItsLengthRecomputed() throws Exception {
        Dissection bob = HookFixture.bobsText();
        Verdict v = verdict(hook.intercept(bob, "c3"), 5_000);
        String original = text(bob.frame().payload());
        int blank = original.indexOf("\r\n\r\n") + 4;
        assertEquals("Très bien, merci! Send me the photo?", original.substring(blank));
        byte[] payload = (original.substring(0, blank) + "TRÈS BIEN, MERCI! SEND ME THE PHOTO?").getBytes(StandardCharsets.UTF_8);
        assertEquals("MSG bob@example.com Bob 150", bob.frame().line());
        assertEquals("MSG bob@example.com Bob " + payload.length + "\r\n" + text(payload), text(v.replacement()));
        assertEquals("hook", v.by());
        assertEquals("replace", v.action());
        assertTrue(!v.drop() && v.injections().isEmpty() && v.delayMillis() == 0);
    }

    @Test
    void textThatShrinksWhenUppercasedGetsItsNewLength() throws Exception {
        Conversation sb = new Conversation(new SessionContext("t"), "c9", FormSpec.Role.SB);
        String head = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n";
        String body = "ﬁne ﬁsh"; // each ligature is 3 bytes; its upper case, FI, is 2
        int length = (head + body).getBytes(StandardCharsets.UTF_8).length;
        Dissection msg = sb.server("MSG bob@example.com Bob " + length, head + body);
        assertEquals(length, msg.frame().payloadLength());

        Verdict v = verdict(hook.intercept(msg, "c9"), 5_000);

        assertEquals("MSG bob@example.com Bob " + (length - 2) + "\r\n" + head + "FINE FISH", text(v.replacement()));
    }

    @Test
    void everyQngIsDropped() throws Exception {
        Verdict v = verdict(hook.intercept(HookFixture.qng(), "c2"), 5_000);
        assertTrue(v.drop());
        assertNull(v.replacement());
        assertEquals("hook", v.by());
        assertEquals("drop", v.action());
    }

    @Test
    void typingNoticesAndWhatTheClientSaysAreForwardedAsTheyAre() throws Exception {
        Dissection typing = frame(Direction.S2C, "MSG", "TypingUser: bob@example.com");
        Dissection alice = frame(Direction.C2S, "MSG", "Grüße aus Köln");
        assertTrue(verdict(hook.intercept(typing, "c3"), 5_000).isForward());
        assertTrue(verdict(hook.intercept(alice, "c3"), 5_000).isForward());
    }

    @Test
    void framesOutsideTheFilterAreNotAsked() throws Exception {
        try (Hook counted = Hook.start(COMMAND, FrameFilter.parse(FILTER), Duration.ofSeconds(5))) {
            Dissection png = frame(Direction.C2S, "PNG", "PNG");
            Dissection ack = frame(Direction.S2C, "ACK", "ACK");
            assertTrue(counted.intercept(png, "c2").toCompletableFuture().isDone(), "not asked: answered at once");
            assertTrue(verdict(counted.intercept(ack, "c3"), 100).isForward());
            assertTrue(verdict(counted.intercept(HookFixture.qng(), "c2"), 5_000).drop());
            verdict(counted.intercept(HookFixture.bobsText(), "c3"), 5_000);
            assertEquals("hook: 2 frames asked: 0 forward, 1 replace, 1 drop; 0 timed out, 0 garbage answers", counted.summary().get(0));
            assertEquals("hook 'python3 examples/hook.py' on frames matching 'cmd:MSG OR cmd:QNG', answers within 5000 ms", counted.describe());
        }
    }
}

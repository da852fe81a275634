package msnscope.intercept;

import msnscope.dissect.Dissection;
import msnscope.export.FrameJson;
import msnscope.search.FrameFilter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import static msnscope.intercept.HookFixture.text;
import static msnscope.intercept.HookFixture.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each answer of the hook protocol, given by a real shell-script hook, and the verdict it becomes. */
class HookAnswerTest {

    /** A hook that reads one frame, gives {@code answer} for it (id 1), then reads on until its input closes. */
    private static Hook answering(String answer) throws IOException {
        return Hook.start("read -r q; echo '" + answer + "'; cat >/dev/null", null, Duration.ofSeconds(5));
    }

    private static Verdict answerFor(Dissection d, String answer) throws Exception {
        try (Hook hook = answering(answer)) {
            return verdict(hook.intercept(d, "c3"), 5_000);
        }
    }

    @Test
    void questionIsTheDissectObjectWithIdAndConnectionAndStderrIsMarked() throws Exception {
        Dissection bob = HookFixture.bobsText();
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("id", 1L);
        extras.put("connection", "c3");
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("read -r q; printf '%s\\n' \"$q\" >&2; echo '{\"id\":1,\"action\":\"forward\"}'; cat >/dev/null",
                     null, Duration.ofSeconds(5))) {
            assertTrue(verdict(hook.intercept(bob, "c3"), 5_000).isForward());
            assertEquals("hook: " + FrameJson.toLine(bob, extras), err.awaitLine("hook: {", 5_000));
        }
    }

    @Test
    void injectionsAlongsideForwardAreWholeFramesWithTheirLengths() throws Exception {
        Verdict v = answerFor(HookFixture.bobsText(), "{\"id\":1,\"action\":\"forward\",\"inject\":["
                + "{\"to\":\"client\",\"raw\":\"OUT OTH\"},"
                + "{\"to\":\"server\",\"raw\":\"MSG 9 N 0\",\"payload\":\"hi ☺\",\"before\":true}]}");
        assertNull(v.replacement());
        assertFalse(v.drop());
        assertEquals("inject", v.action());
        assertEquals("hook", v.by());
        List<Verdict.Injection> in = v.injections();
        assertEquals(2, in.size());
        assertEquals(Side.CLIENT, in.get(0).to());
        assertFalse(in.get(0).before());
        assertEquals("OUT OTH\r\n", text(in.get(0).bytes()));
        assertEquals(Side.SERVER, in.get(1).to());
        assertTrue(in.get(1).before());
        assertEquals("MSG 9 N 6\r\nhi ☺", text(in.get(1).bytes()));
    }

    @Test
    void rawAloneKeepsThePayloadAndSetsItsLength() throws Exception {
        Dissection bob = HookFixture.bobsText();
        Verdict v = answerFor(bob, "{\"id\":1,\"action\":\"replace\",\"raw\":\"MSG bob@example.com Bobby 1\"}");
        assertEquals("MSG bob@example.com Bobby 150\r\n" + text(bob.frame().payload()), text(v.replacement()));
        assertEquals("replace", v.action());
    }

    @Test
    void base64PayloadReplacesTheBodyAndKeepsTheLine() throws Exception {
        Verdict v = answerFor(HookFixture.bobsText(), "{\"id\":1,\"action\":\"replace\",\"payloadBase64\":\"AAEC\"}");
        assertEquals("MSG bob@example.com Bob 3\r\n\u0000\u0001\u0002", text(v.replacement()));
    }

    @Test
    void exactKeepsTheLineAsGiven() throws Exception {
        Verdict v = answerFor(HookFixture.bobsText(), "{\"id\":1,\"action\":\"replace\",\"raw\":\"MSG x y 99\",\"payload\":\"short\",\"exact\":true}");
        assertEquals("MSG x y 99\r\nshort", text(v.replacement()));
    }

    @Test
    void aNullPayloadLeavesTheFrameWithoutOne() throws Exception {
        Verdict v = answerFor(HookFixture.bobsText(), "{\"id\":1,\"action\":\"replace\",\"raw\":\"OUT OTH\",\"payload\":null}");
        assertEquals("OUT OTH\r\n", text(v.replacement()));
    }

    @Test
    void delayAndCloseAreCarried() throws Exception {
        Verdict v = answerFor(HookFixture.qng(), "{\"id\":1,\"action\":\"delay\",\"ms\":300,\"close\":\"both\"}");
        assertEquals(300, v.delayMillis());
        assertEquals(Side.BOTH, v.close());
        assertFalse(v.drop());
        assertEquals("delay+close", v.action());
    }

    @Test
    void answersInAnotherOrderSettleTheirOwnFrames() throws Exception {
        // Reads both questions, then answers the second first: each answer must reach the frame it names.
        try (Hook hook = Hook.start("read -r a; read -r b; echo '{\"id\":2,\"action\":\"drop\"}'; "
                + "echo '{\"id\":1,\"action\":\"replace\",\"raw\":\"QNG 5\"}'; cat >/dev/null", null, Duration.ofSeconds(5))) {
            CompletionStage<Verdict> first = hook.intercept(HookFixture.qng(), "c2");
            CompletionStage<Verdict> second = hook.intercept(HookFixture.bobsText(), "c3");
            assertTrue(verdict(second, 5_000).drop());
            Verdict v = verdict(first, 5_000);
            assertEquals("QNG 5\r\n", text(v.replacement()));
            assertEquals("hook: 2 frames asked: 0 forward, 1 replace, 1 drop; 0 timed out, 0 garbage answers", hook.summary().get(0));
        }
    }

    @Test
    void withAFilterOnlyMatchingFramesAreAsked() throws Exception {
        // The hook answers drop to the first question it gets: if the QNG were asked, it would be dropped.
        try (Hook hook = Hook.start("read -r q; echo '{\"id\":1,\"action\":\"drop\"}'; cat >/dev/null",
                FrameFilter.parse("cmd:MSG AND dir:S2C"), Duration.ofSeconds(5))) {
            assertTrue(verdict(hook.intercept(HookFixture.qng(), "c2"), 100).isForward());
            assertTrue(verdict(hook.intercept(HookFixture.bobsText(), "c3"), 5_000).drop());
        }
    }

    @Test
    void anEmptyCommandIsRefusedInOneLine() {
        IOException e = assertThrows(IOException.class, () -> Hook.start("  ", null, null));
        assertEquals("the hook command is empty", e.getMessage());
    }

    @Test
    void aTimeoutOfNothingIsRefusedInOneLine() {
        IOException e = assertThrows(IOException.class, () -> Hook.start("cat", null, Duration.ZERO));
        assertEquals("the hook's answer timeout must be more than 0 ms, not 0 ms", e.getMessage());
    }

    @Test
    void withoutAFilterEveryFrameIsOfInterest() throws Exception {
        try (Hook hook = Hook.start("cat >/dev/null", null, null)) {
            assertEquals(Interest.ALL, hook.interest());
            assertEquals("hook 'cat >/dev/null', answers within 1000 ms", hook.describe());
        }
    }
}

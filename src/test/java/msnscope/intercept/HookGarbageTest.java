package msnscope.intercept;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static msnscope.intercept.HookFixture.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hook that answers nonsense: each bad answer is named in one line, and the frame concerned goes on unchanged. */
class HookGarbageTest {

    /** What the hook says (after reading frame 1) and the warning that must name it. */
    private static void wrongAnswerForwardsAndSays(String answer, String warning) throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("read -r q; echo '" + answer + "'; cat >/dev/null", null, Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            Verdict v = verdict(hook.intercept(HookFixture.bobsText(), "c3"), 5_000);
            assertTrue(v.isForward(), "forwarded unchanged");
            assertTrue(System.nanoTime() - start < 4_000_000_000L, "at once, not at the timeout");
            String line = err.awaitLine("hook", 1_000);
            assertTrue(line.endsWith("hook's answer for frame 1 (c3 S2C MSG) is wrong: " + warning + ": forwarded unchanged"), line);
            assertEquals(1, err.lines("WARN").size(), err.text());
            assertTrue(hook.summary().get(0).endsWith("; 0 timed out, 1 garbage answer"), hook.summary().get(0));
        }
    }

    @Test
    void anUnknownActionIsNamed() throws Exception {
        wrongAnswerForwardsAndSays("{\"id\":1,\"action\":\"explode\"}", "unknown action \"explode\" (forward, drop, replace or delay)");
    }

    @Test
    void aMissingActionIsNamed() throws Exception {
        wrongAnswerForwardsAndSays("{\"id\":1}", "no \"action\" (forward, drop, replace or delay)");
    }

    @Test
    void badBase64IsNamed() throws Exception {
        wrongAnswerForwardsAndSays("{\"id\":1,\"action\":\"replace\",\"payloadBase64\":\"***\"}", "\"payloadBase64\" is not valid base64");
    }

    @Test
    void aWrongTypeIsNamedWithWhatCame() throws Exception {
        wrongAnswerForwardsAndSays("{\"id\":1,\"action\":\"replace\",\"raw\":5}", "\"raw\" must be a string, not a number (5)");
    }

    @Test
    void anInjectionToNowhereIsNamed() throws Exception {
        wrongAnswerForwardsAndSays("{\"id\":1,\"action\":\"forward\",\"inject\":[{\"to\":\"moon\",\"raw\":\"OUT\"}]}",
                "inject[0] needs \"to\": \"client\" or \"server\", not \"moon\"");
    }

    @Test
    void aReplaceWithNothingToReplaceIsNamed() throws Exception {
        wrongAnswerForwardsAndSays("{\"id\":1,\"action\":\"replace\"}", "\"replace\" needs \"raw\", \"payload\" or \"payloadBase64\"");
    }

    @Test
    void aDelayWithoutMillisecondsIsNamed() throws Exception {
        wrongAnswerForwardsAndSays("{\"id\":1,\"action\":\"delay\",\"ms\":-5}", "\"delay\" needs \"ms\", a whole number of milliseconds, 0 or more, not a number (-5)");
    }

    @Test
    void linesWithoutAUsableIdAreNamedAndTheFrameStillGetsItsAnswer() throws Exception {
        // Four lines no frame can be found for, then the real answer (the frame is settled by that), then it again.
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("read -r q; echo 'not json at all'; echo '[1,2]'; echo '{\"id\":\"1\",\"action\":\"drop\"}'; "
                     + "echo '{\"id\":99,\"action\":\"drop\"}'; "
                     + "echo '{\"id\":1,\"action\":\"drop\"}'; echo '{\"id\":1,\"action\":\"drop\"}'; cat >/dev/null",
                     null, Duration.ofSeconds(5))) {
            assertTrue(verdict(hook.intercept(HookFixture.qng(), "c2"), 5_000).drop());
            err.awaitLine("answered before, or never asked", 2_000);
            List<String> warnings = err.lines("WARN");
            assertEquals(5, warnings.size(), err.text());
            assertTrue(warnings.get(0).endsWith("hook answered a line that is not JSON: not json at all"), warnings.get(0));
            assertTrue(warnings.get(1).endsWith("hook answered a line that is not a JSON object: [1,2]"), warnings.get(1));
            assertTrue(warnings.get(2).endsWith("hook answered without a numeric \"id\" (a string (\"1\")): {\"id\":\"1\",\"action\":\"drop\"}"), warnings.get(2));
            assertTrue(warnings.get(3).endsWith("hook answered unknown frame 99 (only frames 1 to 1 were asked about): ignored"), warnings.get(3));
            assertTrue(warnings.get(4).endsWith("hook answered frame 1, which is not waiting for an answer (answered before, or never asked): ignored"),
                    warnings.get(4));
            assertEquals("hook: 1 frame asked: 0 forward, 0 replace, 1 drop; 0 timed out, 5 garbage answers", hook.summary().get(0));
        }
    }

    @Test
    void textAfterTheObjectMakesTheLineNotJson() throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("read -r q; echo '{\"id\":1,\"action\":\"drop\"} {\"id\":2}'; echo '{\"id\":1,\"action\":\"drop\"}'; cat >/dev/null",
                     null, Duration.ofSeconds(5))) {
            assertTrue(verdict(hook.intercept(HookFixture.qng(), "c2"), 5_000).drop(), "settled by the second, well-formed line");
            assertTrue(err.lines("WARN").get(0).endsWith("hook answered a line that is not JSON: {\"id\":1,\"action\":\"drop\"} {\"id\":2}"), err.text());
        }
    }

    @Test
    void repeatedWarningsAreShownFiveTimesThenCounted() throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr()) {
            Hook hook = Hook.start("read -r q; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo \"nonsense $i\"; done; "
                    + "echo '{\"id\":1,\"action\":\"forward\"}'; cat >/dev/null", null, Duration.ofSeconds(5));
            assertTrue(verdict(hook.intercept(HookFixture.qng(), "c2"), 5_000).isForward());
            hook.close();
            List<String> shown = err.lines("not JSON");
            assertEquals(HookWarnings.BURST + 1, shown.size(), err.text());
            assertTrue(shown.get(4).endsWith("not JSON: nonsense 5"), shown.get(4));
            assertTrue(shown.get(5).endsWith("not JSON: nonsense 12 (7 more like this)"), shown.get(5));
        }
    }

    @Test
    void aLineLongerThanAnyAnswerIsNamedAndTheNextLineStillCounts() throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("read -r q; head -c " + (Hook.MAX_ANSWER + 1000) + " /dev/zero | tr '\\0' x; echo; "
                     + "echo '{\"id\":1,\"action\":\"drop\"}'; cat >/dev/null", null, Duration.ofSeconds(10))) {
            assertTrue(verdict(hook.intercept(HookFixture.qng(), "c2"), 10_000).drop());
            String line = err.awaitLine("longer than", 1_000);
            assertTrue(line.endsWith("hook answered a line longer than " + Hook.MAX_ANSWER + " characters: ignored: " + "x".repeat(HookText.MAX) + "…"), line);
        }
    }

    @Test
    void aHugeGarbageLineIsQuotedShort() throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("read -r q; head -c 100000 /dev/zero | tr '\\0' x; echo; echo '{\"id\":1,\"action\":\"forward\"}'; cat >/dev/null",
                     null, Duration.ofSeconds(5))) {
            assertTrue(verdict(hook.intercept(HookFixture.qng(), "c2"), 5_000).isForward());
            String line = err.awaitLine("not JSON", 2_000);
            assertTrue(line.endsWith(": " + "x".repeat(HookText.MAX) + "…"), line);
        }
    }
}

package msnscope.intercept;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static msnscope.intercept.HookFixture.await;
import static msnscope.intercept.HookFixture.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hook that dies, hangs, answers late or falls behind: every frame still goes on, and each fault is one line. */
class HookFaultTest {

    @Test
    void aHookThatExitsAtOnceIsNoLongerAskedAndSaysItsExitCode() throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("exit 3", null, Duration.ofSeconds(5))) {
            String line = err.awaitLine("exited with code 3", 5_000);
            assertTrue(line.endsWith("hook 'exit 3' exited with code 3: "
                    + "later frames are forwarded without asking"), line);
            assertEquals(Interest.NONE, hook.interest());
            CompletionStage<Verdict> after = hook.intercept(HookFixture.qng(), "c2");
            assertTrue(after.toCompletableFuture().isDone() && verdict(after, 0).isForward(), "forwarded without asking");
            assertEquals("hook: 0 frames asked: 0 forward, 0 replace, 0 drop; 0 timed out, 0 garbage answers; "
                    + "the hook exited with code 3 after 0 frames, 1 frame after that forwarded without asking", hook.summary().get(0));
        }
    }

    @Test
    void aHookThatDiesAfterItsFirstAnswerForwardsTheFrameItLeftWaiting() throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("read -r a; read -r b; echo '{\"id\":1,\"action\":\"drop\"}'; exit 4", null, Duration.ofSeconds(30))) {
            long start = System.nanoTime();
            CompletionStage<Verdict> first = hook.intercept(HookFixture.qng(), "c2");
            CompletionStage<Verdict> second = hook.intercept(HookFixture.bobsText(), "c3");
            assertTrue(verdict(first, 5_000).drop());
            assertTrue(verdict(second, 5_000).isForward());
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "forwarded when the hook died, not at the 30 s timeout");
            String line = err.awaitLine("exited with code 4", 5_000);
            assertTrue(line.endsWith("exited with code 4: 1 waiting frame forwarded unchanged, later frames are forwarded without asking"), line);
            assertEquals(Interest.NONE, hook.interest());
            assertEquals(1, err.lines("hook '").size(), "one line for the death: " + err.text());
        }
    }

    @Test
    void aHookThatCannotBeFoundSaysSo() throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("no-such-hook-program --x", null, Duration.ofSeconds(5))) {
            String line = err.awaitLine("exited with code 127", 5_000);
            assertTrue(line.contains("hook 'no-such-hook-program --x' exited with code 127 (command not found)"), line);
            assertTrue(err.awaitLine("hook: ", 5_000).contains("no-such-hook-program"), "the shell's own complaint, marked: " + err.text());
        }
    }

    @Test
    void aHangingHookGetsEachFrameForwardedAfterTheTimeout() throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr()) {
            Hook hook = Hook.start("exec sleep 60", null, Duration.ofMillis(200));
            long start = System.nanoTime();
            Verdict v = verdict(hook.intercept(HookFixture.qng(), "c1"), 3_000);
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(v.isForward());
            assertTrue(waited >= 190 && waited < 2_000, "held for the timeout: " + waited + " ms");
            assertTrue(err.awaitLine("did not answer", 1_000)
                    .endsWith("hook did not answer frame 1 (c1 S2C QNG) within 200 ms: forwarded unchanged"), err.text());
            long closing = System.nanoTime();
            hook.close();
            long closed = (System.nanoTime() - closing) / 1_000_000;
            assertTrue(closed >= 1_900 && closed < 4_500, "waited 2 s for it to exit, then stopped it: " + closed + " ms");
            assertEquals("hook: 1 frame asked: 0 forward, 0 replace, 0 drop; 1 timed out, 0 garbage answers", hook.summary().get(0));
        }
    }

    @Test
    void aLateAnswerIsIgnoredAndTheHookIsStillAsked() throws Exception {
        try (HookFixture.Stderr err = new HookFixture.Stderr();
             Hook hook = Hook.start("read -r a; sleep 0.6; echo '{\"id\":1,\"action\":\"drop\"}'; "
                     + "read -r b; echo '{\"id\":2,\"action\":\"drop\"}'; cat >/dev/null", null, Duration.ofMillis(200))) {
            CompletableFuture<Verdict> first = hook.intercept(HookFixture.qng(), "c1").toCompletableFuture();
            assertTrue(verdict(first, 2_000).isForward());
            String late = err.awaitLine("answered frame 1", 3_000);
            assertTrue(late.endsWith("hook answered frame 1 after its 200 ms: it had been forwarded unchanged; answer ignored"), late);
            assertTrue(first.join().isForward(), "the late drop changes nothing");
            assertTrue(verdict(hook.intercept(HookFixture.qng(), "c1"), 2_000).drop());
            assertEquals("hook: 2 frames asked: 0 forward, 0 replace, 1 drop; 1 timed out, 0 garbage answers, 1 late answer ignored",
                    hook.summary().get(0));
        }
    }

    @Test
    void framesPastAFullQueueAreForwardedAtOnceWithoutAsking() throws Exception {
        // The hook reads nothing: its input pipe fills, the writer blocks, then the queue of 4 fills.
        try (HookFixture.Stderr err = new HookFixture.Stderr()) {
            Hook hook = Hook.start("exec sleep 60", null, Duration.ofSeconds(30), 4);
            List<CompletableFuture<Verdict>> stages = new ArrayList<>();
            int atOnce = 0;
            for (int i = 0; i < 400; i++) {
                CompletableFuture<Verdict> s = hook.intercept(HookFixture.bobsText(), "c3").toCompletableFuture();
                stages.add(s);
                if (s.isDone()) {
                    assertTrue(s.join().isForward());
                    atOnce++;
                }
            }
            assertTrue(atOnce > 0 && atOnce < 400, atOnce + " of 400 forwarded at once");
            assertTrue(err.awaitLine("frames behind", 1_000).contains("hook is 4 frames behind: frame "), err.text());
            assertTrue(err.lines("frames behind").size() <= HookWarnings.BURST, "rate-limited: " + err.lines("frames behind").size());
            hook.close();
            for (CompletableFuture<Verdict> s : stages) {
                assertTrue(s.isDone() && s.join().isForward(), "close forwards what still waits");
            }
            String summary = hook.summary().get(0);
            assertTrue(summary.contains("; 0 timed out, 0 garbage answers, " + atOnce + " forwarded unasked while the hook was behind"), summary);
            assertTrue(summary.startsWith("hook: " + (400 - atOnce) + " frames asked"), summary);
            assertTrue(err.text().contains("more like this)"), "the held-back warnings are counted at close: " + err.text());
        }
    }

    @Test
    void closeEndsAHookThatFinishesOnEndOfInputAtOnce() throws Exception {
        Hook hook = Hook.start("cat >/dev/null", null, null);
        long start = System.nanoTime();
        hook.close();
        long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(took < 1_500, "the hook exits when its input closes; close did not wait the 2 s: " + took + " ms");
        await(() -> hook.interest().equals(Interest.NONE), 100, "no interest once closed");
    }
}

package msnscope.intercept;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** What became of the frames the hook was asked about, for the proxy's exit summary. Thread-safe. */
final class HookTally {

    final LongAdder asked = new LongAdder();
    final LongAdder forward = new LongAdder();
    final LongAdder replace = new LongAdder();
    final LongAdder drop = new LongAdder();
    final LongAdder delay = new LongAdder();
    final LongAdder inject = new LongAdder();
    final LongAdder close = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder garbage = new LongAdder();
    final LongAdder late = new LongAdder();
    final LongAdder queueFull = new LongAdder();
    final LongAdder unasked = new LongAdder();

    /** Counts an answer by its main action, and whether it injected or closed besides. */
    void answered(Verdict v) {
        (v.drop() ? drop : v.replacement() != null ? replace : v.delayMillis() > 0 ? delay : forward).increment();
        if (!v.injections().isEmpty()) {
            inject.increment();
        }
        if (v.close() != null) {
            close.increment();
        }
    }

    /**
     * {@code hook: 12 frames asked: 9 forward, 2 replace, 1 drop; 0 timed out, 0 garbage answers}, then what
     * else happened, if anything.
     *
     * @param death how the hook ended by itself ({@code exited with code 3}), or null
     */
    String summary(String death) {
        List<String> actions = new ArrayList<>(List.of(forward.sum() + " forward", replace.sum() + " replace", drop.sum() + " drop"));
        add(actions, delay, " delay");
        add(actions, inject, " with inject");
        add(actions, close, " with close");
        List<String> faults = new ArrayList<>(List.of(timedOut.sum() + " timed out", count(garbage.sum(), "garbage answer")));
        if (late.sum() > 0) {
            faults.add(count(late.sum(), "late answer") + " ignored");
        }
        add(faults, queueFull, " forwarded unasked while the hook was behind");
        StringBuilder sb = new StringBuilder("hook: ").append(count(asked.sum(), "frame")).append(" asked: ")
                .append(String.join(", ", actions)).append("; ").append(String.join(", ", faults));
        if (death != null) {
            sb.append("; ").append(death).append(", ").append(count(unasked.sum(), "frame")).append(" after that forwarded without asking");
        }
        return sb.toString();
    }

    /** {@code 1 frame}, {@code 2 frames}. */
    static String count(long n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }

    private static void add(List<String> parts, LongAdder n, String what) {
        if (n.sum() > 0) {
            parts.add(n.sum() + what);
        }
    }
}

package msnscope.intercept;

import msnscope.wire.Edit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What becomes of one intercepted frame. Immutable; {@link #FORWARD} leaves the frame byte-exact. Bytes here
 * are whole frames (line, CRLF, payload) with their payload lengths already recomputed
 * ({@link FrameBytes}).
 *
 * @param replacement what is forwarded instead of the frame; null: the frame as it arrived
 * @param drop        the frame is not forwarded (a local answer is a drop plus an injection to the sender)
 * @param delayMillis the frame (and everything after it in its direction) waits this long first
 * @param injections  frames msnscope sends, before or after this one
 * @param close       the side(s) closed after the frame (and the injections after it) went out; null: none
 * @param by          who decided: {@code rule 3 (rules.yaml)}, {@code hook}; null for {@link #FORWARD}
 * @param action      what was done, for the record: {@code replace}, {@code drop}, {@code reply}, {@code delay},
 *                    {@code inject}, {@code close}, several joined by {@code +}
 */
public record Verdict(byte[] replacement, boolean drop, long delayMillis, List<Injection> injections, Side close,
                      String by, String action) {

    /** Forward the frame as it arrived. */
    public static final Verdict FORWARD = new Verdict(null, false, 0, List.of(), null, null, null);

    /**
     * A frame msnscope sends on its own.
     *
     * @param to     {@link Side#CLIENT} or {@link Side#SERVER}
     * @param before sent before the intercepted frame (else after it)
     * @param bytes  one or more whole frames
     */
    public record Injection(Side to, boolean before, byte[] bytes) {
        public Injection {
            if (to == Side.BOTH) {
                throw new IllegalArgumentException("an injection goes to the client or the server, not both");
            }
            Objects.requireNonNull(bytes);
        }
    }

    public Verdict {
        injections = List.copyOf(injections);
    }

    /** True when the frame goes on exactly as it arrived, now, and nothing else happens. */
    public boolean isForward() {
        return replacement == null && !drop && delayMillis == 0 && injections.isEmpty() && close == null;
    }

    /** The record of this change for the frame itself; null when it was forwarded untouched. */
    public Edit edit() {
        return isForward() ? null : new Edit(by, action, false);
    }

    /**
     * This verdict followed by {@code later}'s (the next rule, or the hook after the rules): a later
     * replacement wins, a drop stays, delays add up, injections keep their order, the first close counts.
     */
    public Verdict then(Verdict later) {
        if (later.isForward()) {
            return this;
        }
        if (isForward()) {
            return later;
        }
        List<Injection> all = new ArrayList<>(injections);
        all.addAll(later.injections);
        return new Verdict(later.replacement != null ? later.replacement : replacement, drop || later.drop,
                delayMillis + later.delayMillis, all, close != null ? close : later.close, join(by, later.by, ", "),
                join(action, later.action, "+"));
    }

    private static String join(String a, String b, String sep) {
        return a == null ? b : b == null || a.equals(b) ? a : a + sep + b;
    }
}

package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import msnscope.wire.PartialBudget;
import msnscope.wire.PayloadOracle;

import java.util.ArrayDeque;
import java.util.List;

/**
 * One direction of one connection: frames the bytes (the proxy must see whole referral lines to rewrite
 * them, whole frames to change them) and forwards them in order, each frame's original bytes or what was
 * decided instead, with frames msnscope injects put in at frame boundaries.
 *
 * <p><b>What is held back.</b> Only an incomplete frame that could still become one that waits for a
 * decision ({@link HoldPolicy}: a referral {@code XFR }/{@code RNG } — the commands that have referral forms
 * in {@code dissectors/} —, {@code MSG } on notification connections with {@code --fix-client-ip}, and the
 * commands a rule or the hook may change). Any other incomplete line and any partial payload is forwarded as
 * soon as it arrives, so a peer that writes text without LF and waits is never stalled, and a 64 KiB payload
 * streams through. A held line is bounded by the framer limits (an over-long line is cut and forwarded as a
 * flagged piece). The proxy never adds a timer: a peer that stops in the middle of an {@code XFR} line
 * stalls only that line.
 *
 * <p><b>Memory.</b> Nothing is copied to be framed or forwarded: the framer reads a duplicate of the read
 * buffer and forwarding sends slices of it. What stays after a read: a partial line (copied out at most
 * once per read, bounded by the line limit), a partial payload inside the framer (paid from the shared
 * {@link PartialBudget}), and a held frame's bytes until it is decided (a payload held for
 * {@code --fix-client-ip} is paid from the budget too; without room it is passed on unfixed).
 *
 * <p>Sans-I/O apart from buffers: output goes to a {@link Sink}. Not thread-safe (one event loop).
 */
final class Forwarder {

    /** Where frames go: the forwarding write, the frames already forwarded, the frames held for a decision. */
    interface Sink {
        /** Writes bytes to the far side (takes ownership). */
        void forward(ByteBuf bytes);

        /** A complete frame, in stream order, whose bytes have been handed to {@link #forward} unchanged. */
        void observe(Frame frame);

        /**
         * A complete frame that may be rewritten, nothing of it forwarded yet: nothing after it moves until
         * {@link Forwarder#decided} says what to forward instead (it may be called from inside this call).
         */
        void hold(Frame frame);
    }

    /** Frames that are payload bytes, not lines, whatever they start with: never held, never rewritten. */
    private static final int STREAMED = Frame.PAYLOAD_PART | Frame.PAYLOAD_STREAMED;

    private final Framer framer;
    private final Sink sink;
    private final PartialBudget budget;
    private final int maxLine;
    private final HoldPolicy policy;
    /** Injected frames waiting for a frame boundary (a partial frame's bytes went out before they came). */
    private final ArrayDeque<byte[]> injections = new ArrayDeque<>();
    /** The framer's input (it consumes as it frames, in its own way). */
    private final Accumulator acc;
    /** Received bytes not yet forwarded; its reader index is stream offset {@link #forwardedTotal}. */
    private final Accumulator raw;
    /** Budget taken for a payload held in {@link #raw}. */
    private long rawTaken;
    /** Stream offsets: bytes received, bytes forwarded, and the end of the last complete frame. */
    private long receivedTotal;
    private long forwardedTotal;
    private long framedTotal;
    /** Complete frames forwarded but not yet handed to the dissector. */
    private final ArrayDeque<Frame> waiting = new ArrayDeque<>();
    /** The frame waiting for its decision, and where it starts and ends in the stream; null when none. */
    private Frame held;
    private long heldStart;
    private long heldEnd;
    /** The sender's side ended while a frame was held: finish once it is decided. */
    private boolean finishing;
    private boolean draining;

    /** The server-to-client direction, holding the frames of {@code holdCommands} (tests). */
    Forwarder(ByteBufAllocator alloc, PayloadOracle oracle, FramerLimits limits, PartialBudget budget,
              List<String> holdCommands, Sink sink) {
        this(Direction.S2C, alloc, oracle, limits, budget, new HoldPolicy(Direction.S2C, holdCommands, null), sink);
    }

    Forwarder(Direction dir, ByteBufAllocator alloc, PayloadOracle oracle, FramerLimits limits, PartialBudget budget,
              HoldPolicy policy, Sink sink) {
        this.acc = new Accumulator(alloc);
        this.raw = new Accumulator(alloc);
        this.framer = new Framer(dir, oracle, limits, budget);
        this.budget = budget;
        this.maxLine = limits.maxLineLength();
        this.sink = sink;
        this.policy = policy;
    }

    /** New bytes from this direction's sender (takes ownership of {@code in}). */
    void feed(ByteBuf in) {
        receivedTotal += in.readableBytes();
        acc.add(in, false);
        raw.add(in, true);
        drain(false);
    }

    /**
     * The sender closed its side: everything left is forwarded and framed as truncated, now or, while a
     * frame is held, once it is decided ({@link #awaiting}). Idempotent.
     */
    void finish() {
        finishing = true;
        drain(true);
        if (held == null) {
            forwardUpTo(receivedTotal);
            flushInjections();
            release();
        }
    }

    /** True while a held frame waits for its decision: nothing after it has been forwarded. */
    boolean awaiting() {
        return held != null;
    }

    /** The held frame's decision: the bytes to forward instead, or null to forward it as it came; framing goes on. */
    void decided(byte[] replacement) {
        decided(replacement, List.of());
    }

    /**
     * The held frame's decision: the bytes to forward instead (empty: dropped), or null to forward it as it
     * came, then {@code after} (frames msnscope sends right after it); framing goes on.
     */
    void decided(byte[] replacement, List<byte[]> after) {
        if (held == null) {
            return;
        }
        if (replacement != null) {
            raw.buf().skipBytes((int) (heldEnd - heldStart));
            forwardedTotal = heldEnd;
            if (replacement.length > 0) {
                sink.forward(Unpooled.wrappedBuffer(replacement));
            }
        } else {
            forwardUpTo(heldEnd);
        }
        for (byte[] b : after) {
            sink.forward(Unpooled.wrappedBuffer(b));
        }
        held = null;
        if (!draining) {
            drain(finishing);
            if (finishing && held == null) {
                forwardUpTo(receivedTotal);
                flushInjections();
                release();
            }
        }
    }

    /**
     * A frame msnscope sends in this direction: now when the stream is at a frame boundary (nothing of a
     * frame has gone out without its end), else as soon as the frame under way is complete.
     */
    void inject(byte[] bytes) {
        if (forwardedTotal <= framedTotal && injections.isEmpty()) {
            sink.forward(Unpooled.wrappedBuffer(bytes));
        } else {
            injections.add(bytes);
        }
    }

    private void flushInjections() {
        for (byte[] b; (b = injections.poll()) != null; ) {
            sink.forward(Unpooled.wrappedBuffer(b));
        }
    }

    void release() {
        injections.clear();
        held = null;
        acc.free();
        raw.free();
        budget.release(rawTaken);
        rawTaken = 0;
        framer.release();
    }

    /** Bytes held (received, not yet forwarded); for tests and the memory bound. */
    int held() {
        return (int) (receivedTotal - forwardedTotal);
    }

    /**
     * Frames what arrived. A frame that may be rewritten (it starts with a hold prefix and nothing of it
     * was forwarded) is decided on at once, after everything before it went out and was dissected; all
     * other bytes are forwarded in one write per read, and only then dissected, so dissection never
     * delays them.
     */
    private void drain(boolean last) {
        if (held != null) {
            return;
        }
        for (;;) {
            Frame f = framer.decode(acc.buf());
            if (f == null && last) {
                f = framer.decodeLast(acc.buf());
            }
            if (f == null) {
                break;
            }
            long start = framedTotal;
            framedTotal += f.size();
            if (forwardedTotal <= start && holdable(f)) {
                forwardUpTo(start);
                observeWaiting();
                held = f;
                heldStart = start;
                heldEnd = framedTotal;
                draining = true;
                try {
                    sink.hold(f);
                } finally {
                    draining = false;
                }
                if (held != null) {
                    // Decided later (decided()): the bytes after it wait, framed or not, in order.
                    acc.compact();
                    raw.compact();
                    return;
                }
            } else {
                waiting.add(f);
            }
        }
        if (!injections.isEmpty() && forwardedTotal <= framedTotal) {
            forwardUpTo(framedTotal);
            flushInjections();
        }
        if (receivedTotal > forwardedTotal && (forwardedTotal > framedTotal || !mustHold())) {
            forwardUpTo(receivedTotal);
        } else {
            forwardUpTo(framedTotal);
        }
        observeWaiting();
        acc.compact();
        raw.compact();
        payForHeldPayload();
    }

    /**
     * A held frame longer than a line is a payload held for rewriting ({@code --fix-client-ip}): it is paid
     * from the budget like a framer's partial payload, and without room it is passed on as it is (the frame
     * is then only observed, not fixed), so a held payload never escapes the budget.
     */
    private void payForHeldPayload() {
        long want = raw.readable() > maxLine ? raw.capacity() : 0;
        if (want > rawTaken && !budget.tryTake(want - rawTaken)) {
            forwardUpTo(receivedTotal);
            raw.compact();
            want = 0;
        }
        if (want < rawTaken) {
            budget.release(rawTaken - want);
        }
        rawTaken = want;
    }

    /** Frames already forwarded, handed to the dissector in order. */
    private void observeWaiting() {
        for (Frame f; (f = waiting.poll()) != null; ) {
            sink.observe(f);
        }
    }

    private boolean holdable(Frame f) {
        return (f.flags() & STREAMED) == 0 && policy.holds(f);
    }

    /** Forwards the received bytes up to stream offset {@code end}, as they arrived. */
    private void forwardUpTo(long end) {
        // Bounded by what is still held: after release() nothing is, and a late call forwards nothing.
        int n = (int) Math.min(Math.min(end, receivedTotal) - forwardedTotal, raw.readable());
        if (n > 0) {
            sink.forward(raw.buf().readRetainedSlice(n));
            forwardedTotal += n;
        }
    }

    /** The incomplete frame (nothing of it forwarded yet) could still become one that waits for a decision. */
    private boolean mustHold() {
        int n = (int) Math.min(Integer.MAX_VALUE, receivedTotal - framedTotal);
        return n > 0 && policy.mayHold(raw.buf(), raw.buf().readerIndex() + (int) (framedTotal - forwardedTotal), n);
    }
}

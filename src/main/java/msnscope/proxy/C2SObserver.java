package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import msnscope.wire.PartialBudget;
import msnscope.wire.PayloadOracle;

import java.util.function.Consumer;

/**
 * The client-to-server direction, for dissection only: client bytes are forwarded as they arrive, before
 * any framing ({@link #copy} keeps a view of them, the relay writes the original, then {@link #process}
 * frames the view). Nothing is rewritten in this direction. What it holds between reads: a partial line
 * (bounded by the line limit) and a partial payload inside the framer (paid from the shared
 * {@link PartialBudget}; without room the payload is streamed through undissected). Not thread-safe (one
 * event loop).
 */
final class C2SObserver {

    private final Framer framer;
    private final Consumer<Frame> frames;
    private final Accumulator acc;

    C2SObserver(ByteBufAllocator alloc, PayloadOracle oracle, FramerLimits limits, PartialBudget budget, Consumer<Frame> frames) {
        this.framer = new Framer(Direction.C2S, oracle, limits, budget);
        this.frames = frames;
        this.acc = new Accumulator(alloc);
    }

    /** Keeps a view of {@code in}'s readable bytes (shared, not copied); does not touch {@code in}. */
    void copy(ByteBuf in) {
        acc.add(in, false);
    }

    /** Frames and hands on every complete frame copied so far. */
    void process() {
        for (Frame f; (f = framer.decode(acc.buf())) != null; ) {
            frames.accept(f);
        }
        acc.compact();
    }

    /** The client's direction ended: the remainder becomes a truncated frame. Idempotent. */
    void finish() {
        process();
        Frame last = framer.decodeLast(acc.buf());
        if (last != null) {
            frames.accept(last);
        }
        release();
    }

    void release() {
        acc.free();
        framer.release();
    }
}

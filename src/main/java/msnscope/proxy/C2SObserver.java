package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import msnscope.wire.PayloadOracle;

import java.util.function.Consumer;

/**
 * The client-to-server direction, for dissection only: client bytes are forwarded as they arrive, before
 * any framing ({@link #copy} keeps a copy, the relay writes the original, then {@link #process} frames the
 * copy). Nothing is rewritten in this direction. Memory is bounded by the framer limits (one line plus
 * one payload). Not thread-safe (one event loop).
 */
final class C2SObserver {

    /** An emptied buffer larger than this (after a big payload) is given back rather than kept. */
    private static final int SHRINK_ABOVE = 64 * 1024;

    private final ByteBufAllocator alloc;
    private final Framer framer;
    private final Consumer<Frame> frames;
    private ByteBuf acc;

    C2SObserver(ByteBufAllocator alloc, PayloadOracle oracle, FramerLimits limits, Consumer<Frame> frames) {
        this.alloc = alloc;
        this.framer = new Framer(Direction.C2S, oracle, limits);
        this.frames = frames;
    }

    /** Keeps a copy of {@code in}'s readable bytes; does not touch {@code in}. */
    void copy(ByteBuf in) {
        if (acc == null) {
            acc = alloc.buffer(Math.max(256, in.readableBytes()));
        }
        acc.writeBytes(in, in.readerIndex(), in.readableBytes());
    }

    /** Frames and hands on every complete frame copied so far. */
    void process() {
        if (acc == null) {
            return;
        }
        for (Frame f; (f = framer.decode(acc)) != null; ) {
            frames.accept(f);
        }
        if (!acc.isReadable()) {
            if (acc.capacity() > SHRINK_ABOVE) {
                acc.release();
                acc = null;
            } else {
                acc.clear();
            }
        } else {
            acc.discardSomeReadBytes();
        }
    }

    /** The client's direction ended: the remainder becomes a truncated frame. Idempotent. */
    void finish() {
        if (acc != null) {
            process();
            Frame last = framer.decodeLast(acc);
            if (last != null) {
                frames.accept(last);
            }
            release();
        }
    }

    void release() {
        if (acc != null) {
            acc.release();
            acc = null;
        }
    }
}

package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * The bytes of one direction that were read but not yet consumed (by the framer, or by forwarding), kept
 * so that an idle connection holds almost nothing: a read buffer is used as it is (no copy) while it is
 * being consumed, given back as soon as it is empty, and a leftover (a partial line, a held frame) is
 * copied out into a buffer of its own size when it would otherwise pin a much larger read buffer or
 * share memory with one. Netty's read buffers are up to 64 KiB each; a thousand slow peers must not pin
 * a thousand of them. Not thread-safe (one event loop).
 */
final class Accumulator {

    /** A leftover is copied out when its buffer is more than twice its size plus this. */
    private static final int SLACK = 4096;

    private final ByteBufAllocator alloc;
    private ByteBuf buf;
    /**
     * {@link #buf} was allocated here. Otherwise it is a read buffer as it came (or a duplicate of one that
     * is being written out): never written to, and copied out before it is kept or appended to.
     */
    private boolean mine;

    Accumulator(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /**
     * Adds {@code in}'s readable bytes. {@code take}: takes ownership of {@code in}; otherwise {@code in} is
     * left untouched (its memory is shared, not copied, until {@link #compact}).
     */
    void add(ByteBuf in, boolean take) {
        if (buf == null) {
            buf = take ? in : in.retainedDuplicate();
            mine = false;
            return;
        }
        try {
            if (!mine || buf.refCnt() > 1) {
                // Not ours to write into, or others still read this memory (forwarded slices): append to a copy.
                copyOut(buf.readableBytes() + in.readableBytes());
            }
            buf.writeBytes(in, in.readerIndex(), in.readableBytes());
        } finally {
            if (take) {
                in.release();
            }
        }
    }

    /** The bytes, for the framer or the forwarder to consume from (an empty buffer when there are none). */
    ByteBuf buf() {
        return buf == null ? Unpooled.EMPTY_BUFFER : buf;
    }

    int readable() {
        return buf == null ? 0 : buf.readableBytes();
    }

    /** After consuming: an empty buffer is given back, a leftover kept in a buffer of its own size. */
    void compact() {
        if (buf == null) {
            return;
        }
        if (!buf.isReadable()) {
            free();
        } else if (!mine || buf.capacity() > 2L * buf.readableBytes() + SLACK) {
            copyOut(buf.readableBytes());
        }
    }

    /** Bytes of memory this accumulator keeps alive between reads. */
    int capacity() {
        return buf == null ? 0 : buf.capacity();
    }

    void free() {
        if (buf != null) {
            buf.release();
            buf = null;
            mine = false;
        }
    }

    private void copyOut(int capacity) {
        ByteBuf copy = alloc.buffer(Math.max(capacity, 64));
        copy.writeBytes(buf, buf.readerIndex(), buf.readableBytes());
        buf.release();
        buf = copy;
        mine = true;
    }
}

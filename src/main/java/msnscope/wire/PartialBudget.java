package msnscope.wire;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One byte budget shared by every framer of a process for the payloads they are still waiting to
 * complete: a framer takes bytes before it buffers more of a partial payload and gives them back when
 * the payload is complete, streamed, or the connection ends. Thread-safe and lock-free (framers run on
 * several event loops).
 *
 * <p><b>Who pays when it runs out.</b> The framer whose request cannot be met streams its payload through
 * undissected (flagged) instead of buffering it; payloads already buffered keep their bytes. The
 * alternative, taking budget back from the largest partial payload, would mean reaching into another
 * connection's framer on another event loop, and it would make what a peer sees dissected depend on
 * what unrelated peers send at the same moment. Refusing the asker is local, deterministic and enough:
 * real MSNP payloads are small (under 64 KiB) and normally arrive whole in one read, in which case
 * they are framed without ever taking budget; what an exhausted budget costs is dissection of the
 * payloads that need buffering while it lasts, never a relayed byte.
 */
public final class PartialBudget {

    /**
     * 64 MiB: 64 payloads at the default 1 MiB limit, or a thousand connections each half-way through a
     * 64 KiB message (the largest real MSNP payloads), while a thousand idle half-payload connections
     * cannot hold more than this.
     */
    public static final long DEFAULT_BYTES = 64L * 1024 * 1024;

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    public PartialBudget(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("budget must not be negative: " + limit);
        }
        this.limit = limit;
    }

    /** A budget that never refuses (offline framing of a file already in memory). */
    public static PartialBudget unlimited() {
        return new PartialBudget(Long.MAX_VALUE);
    }

    /** Takes {@code bytes} if they fit under the limit; false (and nothing taken) when they do not. */
    public boolean tryTake(long bytes) {
        if (bytes <= 0) {
            return true;
        }
        for (;;) {
            long now = used.get();
            long next = now + bytes;
            if (next > limit || next < 0) {
                refusals.incrementAndGet();
                return false;
            }
            if (used.compareAndSet(now, next)) {
                peak.accumulateAndGet(next, Math::max);
                return true;
            }
        }
    }

    /** Gives back bytes taken earlier. */
    public void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    public long limit() {
        return limit;
    }

    /** Bytes held right now by partial payloads. */
    public long used() {
        return used.get();
    }

    /** The most ever held at once. */
    public long peak() {
        return peak.get();
    }

    /** Requests refused since start: each one is a payload streamed through undissected. */
    public long refusals() {
        return refusals.get();
    }
}

package msnscope.pcap;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One direction of a TCP connection: puts segments back in sequence order and hands contiguous bytes to
 * its {@link Sink}.
 *
 * <p>Positions are kept as 64-bit offsets from the first sequence number seen ({@code abs}); a 32-bit
 * sequence number is turned into one by its signed distance from the next expected byte, which is what
 * makes wrap-around at 2^32 invisible. Bytes before the next expected one (retransmissions, overlaps) are
 * dropped; bytes after it wait in a buffer of at most {@code maxPendingBytes} / {@code maxPendingSegments}.
 * A gap is given up on — reported as missing and skipped, with nothing put in its place — when the
 * buffer is full, or when {@link #flush} is called (reset, end of capture).
 */
final class HalfStream {
    /** Where a direction's results go. */
    interface Sink {
        void data(int side, long timeMicros, byte[] data);

        void missing(int side, long bytes, int seq, String why);
    }

    private record Pending(byte[] data, int missing, long timeMicros) {
        long end(long start) {
            return start + data.length + missing;
        }
    }

    private final int side;
    private final Sink sink;
    private final int maxPendingBytes;
    private final int maxPendingSegments;
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private long pendingBytes;
    private boolean started;
    private boolean startedBySyn;
    /** Sequence number of offset 0. */
    private int seqBase;
    /** Offset of the next byte expected. */
    private long next;
    /** Offset of the FIN, or -1 before one is seen. */
    private long finAt = -1;
    private boolean finished;
    /** Highest offset the other side acknowledged, or -1. */
    private long peerAcked = -1;
    private long lastTime = Long.MIN_VALUE;

    HalfStream(int side, Sink sink, int maxPendingBytes, int maxPendingSegments) {
        this.side = side;
        this.sink = sink;
        this.maxPendingBytes = maxPendingBytes;
        this.maxPendingSegments = maxPendingSegments;
    }

    boolean started() {
        return started;
    }

    boolean startedBySyn() {
        return startedBySyn;
    }

    /** Sequence number of the SYN, meaningful when {@link #startedBySyn()}. */
    int initialSeq() {
        return seqBase - 1;
    }

    /** The FIN was reached with every byte before it delivered or given up on. */
    boolean finished() {
        return finished;
    }

    /** A SYN: the stream starts after its sequence number. Repeated SYNs change nothing. */
    void syn(int seq) {
        if (!started) {
            start(seq + 1);
            startedBySyn = true;
        }
    }

    /**
     * Any segment other than a SYN or RST: without a captured SYN (capture started mid-connection), the
     * first one seen fixes where the stream starts.
     */
    void startIfNeeded(int seq) {
        if (!started) {
            start(seq);
        }
    }

    private void start(int seq) {
        started = true;
        seqBase = seq;
        next = 0;
    }

    private long toOffset(int seq) {
        return next + (seq - (int) (seqBase + next));
    }

    private int seqAt(long offset) {
        return (int) (seqBase + offset);
    }

    /**
     * Payload at {@code seq}: {@code len} captured bytes of {@code buf} from {@code off}, followed by
     * {@code missing} bytes that were on the wire but not captured. Copies what it keeps.
     */
    void segment(int seq, byte[] buf, int off, int len, int missing, long timeMicros) {
        if (finished || len + (long) missing == 0) {
            return;
        }
        long at = toOffset(seq);
        long end = at + len + missing;
        if (end <= next || (finAt >= 0 && at >= finAt)) {
            return;
        }
        if (at > next) {
            hold(at, Arrays.copyOfRange(buf, off, off + len), missing, timeMicros);
            return;
        }
        deliver(at, buf, off, len, missing, timeMicros, false);
        drain();
    }

    /** A FIN at {@code seq} (after the segment's payload). */
    void fin(int seq) {
        if (finAt < 0) {
            finAt = toOffset(seq);
            checkFin();
        }
    }

    /** The other side acknowledged everything before {@code ack}. */
    void peerAck(int ack) {
        if (!started || finished) {
            return;
        }
        long at = toOffset(ack);
        // A wild ack (garbage, another connection's numbers) must not invent a huge hole.
        if (at > peerAcked && at - next < (1L << 30)) {
            peerAcked = at;
        }
    }

    /**
     * No more segments will come (reset or end of capture): skips every remaining gap, reporting each,
     * and delivers what was waiting behind them. Bytes the other side acknowledged but the capture never
     * saw are reported too.
     */
    void flush(String why) {
        while (skipGap(why)) {
            // each pass reports one gap and delivers what follows it
        }
        long acked = finAt >= 0 ? Math.min(peerAcked, finAt) : peerAcked;
        if (!finished && acked > next) {
            sink.missing(side, acked - next, seqAt(next), "acknowledged by the other side but never captured");
            next = acked;
        }
    }

    private void hold(long at, byte[] data, int missing, long timeMicros) {
        Pending p = new Pending(data, missing, timeMicros);
        Pending old = pending.get(at);
        if (old != null) {
            if (old.end(at) >= p.end(at)) {
                return;
            }
            pendingBytes -= old.data.length;
        }
        pending.put(at, p);
        pendingBytes += data.length;
        if (pendingBytes > maxPendingBytes || pending.size() > maxPendingSegments) {
            skipGap("still missing when the out-of-order buffer filled up");
        }
    }

    /** Reports the gap at {@link #next} as missing and moves past it; false if there is none. */
    private boolean skipGap(String why) {
        long target;
        if (!pending.isEmpty()) {
            target = pending.firstKey();
        } else if (finAt >= 0 && !finished) {
            target = finAt;
        } else {
            return false;
        }
        if (target > next) {
            sink.missing(side, target - next, seqAt(next), why);
            next = target;
        }
        checkFin();
        drain();
        return true;
    }

    private void drain() {
        while (!pending.isEmpty() && !finished) {
            Map.Entry<Long, Pending> e = pending.firstEntry();
            long at = e.getKey();
            if (at > next) {
                return;
            }
            pending.pollFirstEntry();
            Pending p = e.getValue();
            pendingBytes -= p.data.length;
            if (p.end(at) > next) {
                deliver(at, p.data, 0, p.data.length, p.missing, p.timeMicros, true);
            }
        }
        if (finished) {
            pending.clear();
            pendingBytes = 0;
        }
    }

    /** Delivers a segment starting at or before {@link #next} and ending after it. */
    private void deliver(long at, byte[] buf, int off, int len, int missing, long timeMicros, boolean owned) {
        long skip = next - at;
        if (skip < len) {
            byte[] data = owned && skip == 0 && off == 0 && len == buf.length
                    ? buf
                    : Arrays.copyOfRange(buf, off + (int) skip, off + len);
            lastTime = Math.max(lastTime, timeMicros);
            sink.data(side, lastTime, data);
        }
        long capturedEnd = at + len;
        long end = capturedEnd + missing;
        long holeFrom = Math.max(next, capturedEnd);
        if (end > holeFrom) {
            sink.missing(side, end - holeFrom, seqAt(holeFrom), "not captured (snap length or damaged file)");
        }
        next = end;
        checkFin();
    }

    private void checkFin() {
        if (!finished && finAt >= 0 && next >= finAt) {
            finished = true;
            next = finAt + 1;
        }
    }
}

package msnscope.pcap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import msnscope.wire.Direction;

/**
 * Turns TCP segments, in capture order, into {@link TcpConnection}s: per connection (four-tuple) and per
 * direction, bytes are put back in sequence order.
 *
 * <ul>
 *   <li>Out-of-order segments wait until the gap before them fills, at most {@code maxPendingBytes}
 *       bytes and {@code maxPendingSegments} segments per direction; past that the gap is given up on.</li>
 *   <li>Retransmissions and overlaps: bytes already delivered are dropped (the first copy wins).</li>
 *   <li>Missing bytes: a gap still open at a reset, at the end of the capture or when the buffer is full
 *       is skipped and reported ("N bytes missing at seq X"); nothing is put in its place. Bytes the
 *       other side acknowledged after the last captured ones are reported the same way.</li>
 *   <li>Sequence numbers wrap at 2^32 transparently.</li>
 *   <li>Without a captured SYN (capture started mid-connection) a direction starts at the first sequence
 *       number seen in it.</li>
 *   <li>A SYN with a new initial sequence number on a four-tuple already used starts a new connection
 *       (port reuse), whether or not the old one's end was captured.</li>
 * </ul>
 *
 * <p>Chunks are timed when their bytes became contiguous (never before the previous chunk of the same
 * direction) and the two directions are merged in that time order. Not thread-safe: one reader feeds it.
 */
public final class TcpReassembler {
    /** Default out-of-order buffer per direction: 4 MiB, far beyond any TCP window on an MSNP link. */
    public static final int DEFAULT_MAX_PENDING_BYTES = 4 << 20;
    public static final int DEFAULT_MAX_PENDING_SEGMENTS = 8192;

    private final int maxPendingBytes;
    private final int maxPendingSegments;
    private final Map<ConnectionKey, ConnectionState> live = new HashMap<>();
    private final List<ConnectionState> all = new ArrayList<>();
    private final ConnectionKey probe = new ConnectionKey();
    private boolean finished;

    public TcpReassembler() {
        this(DEFAULT_MAX_PENDING_BYTES, DEFAULT_MAX_PENDING_SEGMENTS);
    }

    /** A reassembler with a smaller or larger out-of-order buffer per direction. */
    public TcpReassembler(int maxPendingBytes, int maxPendingSegments) {
        if (maxPendingBytes < 0 || maxPendingSegments < 0) {
            throw new IllegalArgumentException("negative buffer limit");
        }
        this.maxPendingBytes = maxPendingBytes;
        this.maxPendingSegments = maxPendingSegments;
    }

    /** Takes one segment; copies the payload bytes it keeps, so {@code s} may be reused at once. */
    public void accept(TcpSegment s) {
        if (finished) {
            throw new IllegalStateException("finish() was called");
        }
        ConnectionState c = live.get(probe.set(s));
        boolean syn = s.has(TcpSegment.SYN);
        boolean ack = s.has(TcpSegment.ACK);
        if (c == null || (syn && !ack && isNewConnection(c, s))) {
            c = new ConnectionState(s, all.size(), maxPendingBytes, maxPendingSegments);
            live.put(probe.copy(), c);
            all.add(c);
        }
        int side = c.sideOf(s);
        HalfStream half = c.halves[side];
        int dataSeq = s.seq;
        if (s.has(TcpSegment.RST)) {
            c.reset = true;
            // After a reset nothing will be retransmitted: every gap is final.
            c.halves[0].flush("never captured before the reset");
            c.halves[1].flush("never captured before the reset");
            return;
        }
        if (syn) {
            if (ack) {
                if (c.synAckSide < 0) {
                    c.synAckSide = side;
                }
            } else if (c.synSide < 0) {
                c.synSide = side;
            }
            half.syn(s.seq);
            dataSeq = s.seq + 1;
        } else {
            half.startIfNeeded(s.seq);
        }
        if (ack) {
            c.halves[1 - side].peerAck(s.ack);
        }
        if (s.payloadLength > 0 || s.missingLength > 0) {
            half.segment(dataSeq, s.buf, s.payloadOffset, s.payloadLength, s.missingLength, s.timeMicros);
        }
        if (s.has(TcpSegment.FIN)) {
            c.finSeen = true;
            half.fin(dataSeq + s.payloadLength + s.missingLength);
        }
    }

    /**
     * Whether a SYN (without ACK) opens a new connection on a four-tuple already seen: yes unless it
     * repeats this side's SYN, or this side has sent nothing yet (the capture may hold the SYN-ACK before
     * the SYN) on a connection still open. A SYN cannot come in the middle of a stream, so one after this
     * side's data means the port was reused, even if the old connection's end was not captured.
     */
    private static boolean isNewConnection(ConnectionState c, TcpSegment s) {
        HalfStream h = c.halves[c.sideOf(s)];
        if (h.startedBySyn()) {
            return h.initialSeq() != s.seq;
        }
        return h.started() || c.closed();
    }

    /**
     * Ends the capture: every remaining gap is reported and skipped, roles are decided (see
     * {@link ClientServerResolver}) and the connections are returned ordered by their first packet.
     */
    public List<TcpConnection> finish() {
        finished = true;
        for (ConnectionState c : all) {
            c.halves[0].flush("never captured");
            c.halves[1].flush("never captured");
        }
        ClientServerResolver.Roles[] roles = ClientServerResolver.resolve(all);
        List<ConnectionState> order = new ArrayList<>(all);
        order.sort(Comparator.comparingLong((ConnectionState c) -> c.firstMicros).thenComparingLong(c -> c.sequence));
        Map<String, Integer> seenIds = new HashMap<>();
        List<TcpConnection> out = new ArrayList<>(order.size());
        for (ConnectionState c : order) {
            out.add(build(c, roles[(int) c.sequence], seenIds));
        }
        return out;
    }

    private static TcpConnection build(ConnectionState c, ClientServerResolver.Roles roles, Map<String, Integer> seenIds) {
        int clientSide = roles.clientSide();
        Endpoint client = c.endpoints[clientSide];
        Endpoint server = c.endpoints[1 - clientSide];
        String id = client.text() + "-" + server.text();
        int n = seenIds.merge(id, 1, Integer::sum);
        if (n > 1) {
            id = id + "#" + n;
        }
        List<TcpChunk> chunks = new ArrayList<>(c.delivered.size());
        for (ConnectionState.Delivered d : c.delivered) {
            chunks.add(new TcpChunk(direction(d.side(), clientSide), d.timeMicros(), d.data()));
        }
        // Stable: equal times keep delivery order, and each direction is already in time order.
        chunks.sort(Comparator.comparingLong(TcpChunk::timeMicros));
        List<String> problems = new ArrayList<>();
        if (!c.sawSyn()) {
            problems.add("no SYN captured: the capture starts after the connection was opened");
        }
        for (ConnectionState.Problem p : c.problems) {
            problems.add(p.side() < 0 ? p.message() : direction(p.side(), clientSide) + ": " + p.message());
        }
        return new TcpConnection(id, client.toSocketAddress(), server.toSocketAddress(), roles.fromHandshake(),
                chunks, problems, c.sawSyn(), c.closed(), c.firstMicros);
    }

    private static Direction direction(int side, int clientSide) {
        return side == clientSide ? Direction.C2S : Direction.S2C;
    }
}

package msnscope.pcap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the reassembler knows about one connection while reading. Sides are numbered by who was seen
 * first (side 0 sent the connection's first captured packet); which side is the client is decided only
 * at the end, by {@link ClientServerResolver}, because it may depend on other connections.
 */
final class ConnectionState implements HalfStream.Sink {
    /** Payload delivered by one side. */
    record Delivered(int side, long timeMicros, byte[] data) {
    }

    /** A problem of one side (or of the connection when {@code side} is -1). */
    record Problem(int side, String message) {
    }

    final Endpoint[] endpoints = new Endpoint[2];
    final HalfStream[] halves = new HalfStream[2];
    final List<Delivered> delivered = new ArrayList<>();
    final List<Problem> problems = new ArrayList<>();
    final long firstMicros;
    final long sequence;
    /** Side that sent a SYN without ACK, or -1. */
    int synSide = -1;
    /** Side that sent a SYN with ACK, or -1. */
    int synAckSide = -1;
    boolean reset;
    boolean finSeen;
    /** Time of each side's first payload byte, or Long.MAX_VALUE. */
    final long[] firstPayloadMicros = {Long.MAX_VALUE, Long.MAX_VALUE};

    ConnectionState(TcpSegment first, long sequence, int maxPendingBytes, int maxPendingSegments) {
        this.endpoints[0] = Endpoint.source(first);
        this.endpoints[1] = Endpoint.destination(first);
        this.firstMicros = first.timeMicros;
        this.sequence = sequence;
        for (int side = 0; side < 2; side++) {
            halves[side] = new HalfStream(side, this, maxPendingBytes, maxPendingSegments);
        }
    }

    int sideOf(TcpSegment s) {
        return endpoints[0].isSource(s) && endpoints[0].ipv6() == s.ipv6 ? 0 : 1;
    }

    boolean sawSyn() {
        return synSide >= 0 || synAckSide >= 0;
    }

    boolean closed() {
        return reset || finSeen;
    }

    /** The first {@code max} bytes one side delivered. */
    byte[] head(int side, int max) {
        byte[] out = new byte[max];
        int n = 0;
        for (Delivered d : delivered) {
            if (n == max) {
                break;
            }
            if (d.side == side) {
                int take = Math.min(max - n, d.data.length);
                System.arraycopy(d.data, 0, out, n, take);
                n += take;
            }
        }
        return n == max ? out : Arrays.copyOf(out, n);
    }

    @Override
    public void data(int side, long timeMicros, byte[] data) {
        if (firstPayloadMicros[side] == Long.MAX_VALUE) {
            firstPayloadMicros[side] = timeMicros;
        }
        delivered.add(new Delivered(side, timeMicros, data));
    }

    @Override
    public void missing(int side, long bytes, int seq, String why) {
        problems.add(new Problem(side, bytes + " bytes missing at seq " + Integer.toUnsignedString(seq) + " (" + why + ")"));
    }
}

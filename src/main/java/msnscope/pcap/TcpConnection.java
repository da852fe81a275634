package msnscope.pcap;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import msnscope.wire.Direction;

/**
 * One TCP connection reassembled from a capture.
 *
 * @param id                 {@code client-server}, for example {@code 127.0.0.1:50123-127.0.0.1:1863}
 *                           (IPv6 addresses in brackets); a later connection reusing the same four-tuple
 *                           gets a {@code #2}, {@code #3}… suffix so ids stay unique within one result
 * @param client             the side that opened the connection (see {@link #clientKnownFromSyn})
 * @param server             the other side
 * @param clientKnownFromSyn true when the roles come from the handshake (a SYN or SYN-ACK was captured);
 *                           false when they were guessed by the heuristics of {@link PcapReader}
 *                           (MSNP ports, ports seen listening elsewhere, first line, port numbers)
 * @param chunks             the payload in capture-time order across both directions; the bytes of
 *                           one direction, concatenated, are that direction's stream minus any bytes
 *                           reported missing in {@code problems}
 * @param problems           one line each: missing bytes, fragments, truncation… (never stack traces)
 * @param sawSyn             a SYN (with or without ACK) was captured
 * @param closed             a FIN or RST was captured from either side
 * @param firstMicros        capture time of the connection's first packet, microseconds since the epoch
 */
public record TcpConnection(
        String id,
        InetSocketAddress client,
        InetSocketAddress server,
        boolean clientKnownFromSyn,
        List<TcpChunk> chunks,
        List<String> problems,
        boolean sawSyn,
        boolean closed,
        long firstMicros) {

    public TcpConnection {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(server, "server");
        chunks = List.copyOf(chunks);
        problems = List.copyOf(problems);
    }

    /** All payload bytes of one direction, concatenated (a copy). */
    public byte[] bytes(Direction dir) {
        int total = 0;
        for (TcpChunk c : chunks) {
            if (c.dir() == dir) {
                total += c.size();
            }
        }
        byte[] out = new byte[total];
        int pos = 0;
        for (TcpChunk c : chunks) {
            if (c.dir() == dir) {
                c.copyTo(out, pos);
                pos += c.size();
            }
        }
        return out;
    }

    /** Payload bytes of both directions together. */
    public long payloadBytes() {
        long total = 0;
        for (TcpChunk c : chunks) {
            total += c.size();
        }
        return total;
    }

    /**
     * The first {@code max} bytes of one direction (fewer if the direction carried fewer), copying only
     * what is needed: cheap even on a connection that moved hundreds of megabytes.
     */
    public byte[] head(Direction dir, int max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 4096));
        for (TcpChunk c : chunks) {
            if (c.dir() != dir) {
                continue;
            }
            int room = max - out.size();
            if (room <= 0) {
                break;
            }
            out.write(c.raw(), 0, Math.min(room, c.size()));
        }
        return out.toByteArray();
    }
}

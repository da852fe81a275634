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
 * @param clientKnownFromSyn true when the roles come from the handshake: the SYN's sender is the client
 *                           (or, with only the SYN-ACK captured, its receiver). False when they were
 *                           guessed, in this order: the side on port 1863/1864 is the server; else the
 *                           side on a port seen listening in another connection's handshake; else the
 *                           side whose first line opens an MSNP session ({@code VER}, {@code USR},
 *                           {@code ANS}) is the client; else the lower port is the server; else the
 *                           first packet's sender is the client
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

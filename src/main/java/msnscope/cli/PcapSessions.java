package msnscope.cli;

import msnscope.proxy.HostPortText;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.SessionAssembler;
import msnscope.pcap.TcpChunk;
import msnscope.pcap.TcpConnection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds the MSNP connections of a capture to a {@link SessionAssembler} in capture-time order across
 * connections, so a switchboard is dissected after the notification server line that referred it
 * (it inherits that session's version).
 */
final class PcapSessions {

    private record Chunk(TcpConnection connection, TcpChunk chunk) {
    }

    private PcapSessions() {
    }

    /** {@code connections}: the MSNP ones ({@link msnscope.pcap.MsnpCapture}); the HTTP login is left out before. */
    static void dissect(List<TcpConnection> connections, SessionAssembler session) {
        List<Chunk> chunks = new ArrayList<>();
        for (TcpConnection c : connections) {
            for (TcpChunk ch : c.chunks()) {
                chunks.add(new Chunk(c, ch));
            }
        }
        chunks.sort(Comparator.comparingLong(ch -> ch.chunk().timeMicros()));
        Map<TcpConnection, ConnectionLog> logs = new HashMap<>();
        for (Chunk ch : chunks) {
            ConnectionLog log = logs.computeIfAbsent(ch.connection(),
                    c -> session.openConnection(HostPortText.of(c.server()), HostPortText.of(c.client())));
            session.bytes(log, ch.chunk().dir(), ch.chunk().data(), ch.chunk().timeMicros());
        }
        for (ConnectionLog log : logs.values()) {
            session.closeConnection(log);
        }
    }

}

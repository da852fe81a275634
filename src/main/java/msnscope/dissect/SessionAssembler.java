package msnscope.dissect;

import msnscope.transcript.TranscriptSink;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import msnscope.wire.PayloadOracle;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Dissects an offline session — a transcript's frames, or the raw byte chunks of captured TCP
 * connections — into {@link ConnectionLog}s that share one {@link SessionContext}.
 */
public final class SessionAssembler implements TranscriptSink {

    private final Dissector dissector;
    private final SessionContext session;
    private final FramerLimits limits;
    private final List<ConnectionLog> connections = new ArrayList<>();
    private ConnectionLog current;
    private final Map<ConnectionLog, Map<Direction, Framer>> framers = new java.util.HashMap<>();
    private final Map<ConnectionLog, Map<Direction, ByteBuf>> buffers = new java.util.HashMap<>();

    public SessionAssembler(Dissector dissector, String sessionId, FramerLimits limits) {
        this.dissector = dissector;
        this.session = new SessionContext(sessionId);
        this.limits = limits;
    }

    public List<ConnectionLog> connections() {
        return Collections.unmodifiableList(connections);
    }

    public String sessionId() {
        return session.id();
    }

    /** Starts a connection and makes it current; ids are {@code c1}, {@code c2}, … in order of appearance. */
    public ConnectionLog openConnection(String server, String client) {
        String id = "c" + (connections.size() + 1);
        ConnectionLog log = new ConnectionLog(id, server, client, dissector.stream(session, id, null));
        connections.add(log);
        current = log;
        return log;
    }

    @Override
    public PayloadOracle open(String server) {
        return openConnection(server, null).stream().oracle();
    }

    @Override
    public void frame(Direction direction, Frame frame, Long timeMicros) {
        current.add(current.stream().dissect(frame, direction, timeMicros));
    }

    @Override
    public void close() {
        if (current != null) {
            closeConnection(current);
        }
    }

    /** Feeds raw bytes of one direction of a connection (pcap import); frames are dissected as they complete. */
    public void bytes(ConnectionLog log, Direction dir, byte[] data, Long timeMicros) {
        bytes(log, dir, data, timeMicros, null);
    }

    /**
     * {@link #bytes} of one whole recorded frame and what the proxy forwarded instead ({@code forwarded}, or
     * null): the frame framed from {@code data} carries it (a stored or imported session's rewritten referral).
     */
    public void bytes(ConnectionLog log, Direction dir, byte[] data, Long timeMicros, byte[] forwarded) {
        bytes(log, dir, data, timeMicros, forwarded, null);
    }

    /**
     * {@link #bytes} of one whole recorded frame with what the proxy forwarded instead (null: unchanged; empty:
     * dropped) and how a rule or the hook changed it, or that msnscope made it ({@code edit}, or null): the frame
     * framed from {@code data} carries both, so every reader of a stored or imported session sees them.
     */
    public void bytes(ConnectionLog log, Direction dir, byte[] data, Long timeMicros, byte[] forwarded, msnscope.wire.Edit edit) {
        int before = log.frames().size();
        frames(log, dir, data, timeMicros);
        if ((forwarded != null || edit != null) && log.frames().size() > before) {
            log.frames().get(log.frames().size() - 1).forwardedAs(forwarded).editedAs(edit);
        }
    }

    private void frames(ConnectionLog log, Direction dir, byte[] data, Long timeMicros) {
        Framer framer = framers.computeIfAbsent(log, k -> new EnumMap<>(Direction.class))
                .computeIfAbsent(dir, d -> new Framer(d, log.stream().oracle(), limits));
        ByteBuf buf = buffers.computeIfAbsent(log, k -> new EnumMap<>(Direction.class))
                .computeIfAbsent(dir, d -> Unpooled.buffer());
        buf.writeBytes(data);
        for (Frame f; (f = framer.decode(buf)) != null; ) {
            log.add(log.stream().dissect(f, dir, timeMicros));
        }
        buf.discardReadBytes();
    }

    /** Ends a connection: flushes what its framers still hold as truncated frames, then closes its dissector. */
    public void closeConnection(ConnectionLog log) {
        Map<Direction, Framer> fs = framers.remove(log);
        Map<Direction, ByteBuf> bs = buffers.remove(log);
        if (fs != null) {
            for (Map.Entry<Direction, Framer> e : fs.entrySet()) {
                ByteBuf buf = bs.get(e.getKey());
                Frame last = e.getValue().decodeLast(buf);
                if (last != null) {
                    log.add(log.stream().dissect(last, e.getKey(), null));
                }
                buf.release();
            }
        }
        log.stream().close();
    }
}

package msnscope.support;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A connection played like the conversation it is: {@code client("VER 1 MSNP11 CVR0")},
 * {@code server("VER 1 MSNP11")}. Lines go through the real framer (with the connection's payload rule)
 * and the real dissector, one CR LF line at a time; payload text follows its line.
 */
public final class Conversation {

    public static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    private final StreamDissector stream;
    private final Map<Direction, Framer> framers = new EnumMap<>(Direction.class);
    private final Map<Direction, ByteBuf> buffers = new EnumMap<>(Direction.class);
    private final List<Dissection> seen = new ArrayList<>();
    private Long clock;

    public Conversation() {
        this(new SessionContext("test"), "c1", null);
    }

    public Conversation(SessionContext session, String id, FormSpec.Role role) {
        stream = DISSECTOR.stream(session, id, role);
        for (Direction d : Direction.values()) {
            framers.put(d, new Framer(d, stream.oracle(), FramerLimits.DEFAULT));
            buffers.put(d, Unpooled.buffer());
        }
    }

    /** A notification server connection that has negotiated {@code MSNP<version>}. */
    public static Conversation negotiated(int version) {
        Conversation c = new Conversation();
        c.client("VER 1 MSNP" + version + " CVR0");
        c.server("VER 1 MSNP" + version);
        return c;
    }

    /** Later frames carry this time (epoch microseconds). */
    public Conversation at(long micros) {
        clock = micros;
        return this;
    }

    public Dissection client(String line, String... payload) {
        return send(Direction.C2S, line, payload);
    }

    public Dissection server(String line, String... payload) {
        return send(Direction.S2C, line, payload);
    }

    /** Raw bytes of one direction, framed as they come; returns the frames they completed. */
    public List<Dissection> bytes(Direction dir, byte[] data) {
        ByteBuf buf = buffers.get(dir);
        buf.writeBytes(data);
        List<Dissection> out = new ArrayList<>();
        for (Frame f; (f = framers.get(dir).decode(buf)) != null; ) {
            Dissection d = stream.dissect(f, dir, clock);
            seen.add(d);
            out.add(d);
        }
        buf.discardReadBytes();
        return out;
    }

    private Dissection send(Direction dir, String line, String... payload) {
        StringBuilder sb = new StringBuilder(line).append("\r\n");
        for (String p : payload) {
            sb.append(p);
        }
        List<Dissection> out = bytes(dir, sb.toString().getBytes(StandardCharsets.UTF_8));
        if (out.size() != 1) {
            throw new AssertionError("expected one frame from '" + line + "', got " + out);
        }
        return out.get(0);
    }

    /** Ends the connection: flushes partial frames and reports unanswered requests. */
    public List<Dissection> close() {
        for (Direction d : Direction.values()) {
            Frame last = framers.get(d).decodeLast(buffers.get(d));
            if (last != null) {
                seen.add(stream.dissect(last, d, clock));
            }
            buffers.get(d).release();
        }
        return stream.close();
    }

    public List<Dissection> seen() {
        return seen;
    }

    public StreamDissector stream() {
        return stream;
    }
}

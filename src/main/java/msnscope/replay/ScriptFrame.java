package msnscope.replay;

import msnscope.dissect.Dissection;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One captured frame of a {@link Script}: the bytes as they crossed the wire (a proxied session's original
 * bytes, not what the proxy rewrote), where it sits in the capture, and its {@link Dissection} for field
 * access ({@code dissection().fields().get("cookie")}, {@code trid()}, {@code form().referral()} …).
 *
 * <p>Order: {@link #order()} is the frame's place in {@link Script#frames()}; {@link #rank()} its place among
 * the frames of its direction in its source; {@link #waitsFor()} how many frames of the other direction of
 * its source come before it in the capture (the causal rule: see {@link Script#before} and {@link ScriptCausality}).
 */
public final class ScriptFrame {

    private final ScriptConnection connection;
    private final Dissection dissection;
    final List<ScriptFrame> replies = new ArrayList<>();
    ScriptFrame request;
    int order;
    int rank;
    int waitsFor;

    ScriptFrame(ScriptConnection connection, Dissection dissection) {
        this.connection = connection;
        this.dissection = dissection;
    }

    public ScriptConnection connection() {
        return connection;
    }

    /** The source (file name, or stored session id) the frame came from; causality holds within one source. */
    public String source() {
        return connection.source();
    }

    public Direction direction() {
        return dissection.direction();
    }

    public boolean fromClient() {
        return dissection.direction() == Direction.C2S;
    }

    /** Epoch microseconds, or null when the source has no times (a transcript). */
    public Long timeMicros() {
        return dissection.timeMicros();
    }

    /** Place in {@link Script#frames()} (0-based): the capture's global order. */
    public int order() {
        return order;
    }

    /** Place among the frames of the same direction of the same source (0-based), in global order. */
    public int rank() {
        return rank;
    }

    /**
     * How many frames of the other direction of this source come before this one in the global order: a
     * server frame may go once that many client frames (ranks {@code 0 .. waitsFor-1}) have arrived, and the
     * other way round.
     */
    public int waitsFor() {
        return waitsFor;
    }

    /** 0-based place in its connection, both directions counted ({@link Dissection#seq()}). */
    public int seq() {
        return dissection.seq();
    }

    public Dissection dissection() {
        return dissection;
    }

    public Frame frame() {
        return dissection.frame();
    }

    /** The command or error code, or null when the line is not a command. */
    public String command() {
        return dissection.command();
    }

    /** The transaction id, or null when the form has none. */
    public Long trid() {
        return dissection.trid();
    }

    /** The command line as text, without its terminator. */
    public String line() {
        return dissection.frame().line();
    }

    /** The frame's exact bytes: line, terminator and payload (a copy). */
    public byte[] bytes() {
        return dissection.frame().copyBytes();
    }

    /** The payload bytes (empty for a command without one). */
    public byte[] payload() {
        return dissection.frame().payload();
    }

    /** For a server frame that answers a client request ({@link Dissection#replyTo()}), that request; else null. */
    public ScriptFrame request() {
        return request;
    }

    /** For a client request, the server frames the dissector paired with it as its replies, in order. */
    public List<ScriptFrame> replies() {
        return Collections.unmodifiableList(replies);
    }

    @Override
    public String toString() {
        return connection.name() + " " + direction().transcriptPrefix() + ": " + line();
    }
}

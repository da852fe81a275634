package msnscope.transcript;

import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.PayloadOracle;

/** Receives what a transcript holds, connection by connection. */
public interface TranscriptSink {

    /**
     * A connection starts.
     *
     * @param server the server address the narration names, or null
     * @return the payload rule for this connection's lines (it follows the negotiated version)
     */
    PayloadOracle open(String server);

    void frame(Direction direction, Frame frame, Long timeMicros);

    /** The connection ends (a new one starts, or the transcript ends). */
    void close();
}

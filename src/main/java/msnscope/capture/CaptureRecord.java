package msnscope.capture;

import msnscope.wire.Direction;
import msnscope.wire.Frame;

/**
 * One record of a capture file (see {@code docs/capture-format.md}). Records of one session are written
 * in the order the events happened; a frame names its connection by the session-local id ({@code c1}…).
 */
public sealed interface CaptureRecord {

    /** Type byte in the file. */
    int type();

    /** First record of every file: the session's id, when and from what it was recorded. */
    record SessionStarted(String session, long createdMicros, String source) implements CaptureRecord {
        public int type() {
            return CaptureFormat.SESSION;
        }
    }

    /** A connection of the session opened; endpoints and the referral that created it. */
    record ConnectionOpened(String connection, ConnectionInfo info) implements CaptureRecord {
        public int type() {
            return CaptureFormat.OPEN;
        }
    }

    /**
     * One frame: the original bytes (with their framing so the frame is rebuilt exactly) and, when the
     * proxy rewrote it, the bytes it forwarded instead.
     *
     * @param timeMicros epoch microseconds, or null when the source had no times (a transcript)
     * @param rewritten  the forwarded bytes when they differ from the original, else null
     */
    record FrameRecord(String connection, Long timeMicros, Direction direction, Frame frame, byte[] rewritten)
            implements CaptureRecord {
        public int type() {
            return CaptureFormat.FRAME;
        }
    }

    /** A connection ended. */
    record ConnectionClosed(String connection, long timeMicros, String reason) implements CaptureRecord {
        public int type() {
            return CaptureFormat.CLOSE;
        }
    }
}

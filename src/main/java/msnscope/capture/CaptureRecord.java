package msnscope.capture;

import msnscope.wire.Direction;
import msnscope.wire.Edit;
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
     * proxy changed it, the bytes it forwarded instead and who changed it how.
     *
     * @param timeMicros epoch microseconds, or null when the source had no times (a transcript)
     * @param rewritten  the forwarded bytes when they differ from the original (empty: dropped, the other side
     *                   received nothing), else null
     * @param edit       how a rule or the hook changed the frame, or that msnscope made it; null when neither did
     *                   (a rewritten referral is not an edit)
     */
    record FrameRecord(String connection, Long timeMicros, Direction direction, Frame frame, byte[] rewritten, Edit edit)
            implements CaptureRecord {
        public FrameRecord(String connection, Long timeMicros, Direction direction, Frame frame, byte[] rewritten) {
            this(connection, timeMicros, direction, frame, rewritten, null);
        }

        public int type() {
            return edit == null ? CaptureFormat.FRAME_COMPACT : CaptureFormat.FRAME_EDITED;
        }
    }

    /** A connection ended. */
    record ConnectionClosed(String connection, long timeMicros, String reason) implements CaptureRecord {
        public int type() {
            return CaptureFormat.CLOSE;
        }
    }
}

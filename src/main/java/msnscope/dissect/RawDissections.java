package msnscope.dissect;

import msnscope.dissect.spec.FormSpec;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Dissections made without the dissector, for frames it could not handle: the frame is still relayed,
 * recorded, indexed and exported, raw, with a {@code dissector-failed} warning.
 */
public final class RawDissections {

    private RawDissections() {
    }

    public static Dissection failed(String session, String stream, int seq, Long timeMicros, Direction dir, FormSpec.Role role,
                                    Frame frame, Throwable cause) {
        return failed(session, stream, seq, timeMicros, dir, role, null, null, frame, cause);
    }

    /** As above, keeping what the connection already knew: its version and account (so searches by account find the frame). */
    public static Dissection failed(String session, String stream, int seq, Long timeMicros, Direction dir, FormSpec.Role role,
                                    Integer version, String account, Frame frame, Throwable cause) {
        return raw(session, stream, seq, timeMicros, dir, role, version, account, frame, failure(cause));
    }

    /** The summary of a frame the dissector failed on. */
    static final String SUMMARY = "Not dissected (dissector failed)";

    /** The {@code dissector-failed} warning's message for {@code cause}. */
    static String failure(Throwable cause) {
        return "the dissector failed on this frame (a bug, please report it: " + where(cause) + "); the frame is kept as it came";
    }

    /** A frame whose lengths do not fit its bytes (see {@link #fits}): not dissected, kept whole. */
    static Dissection misshapen(String session, String stream, int seq, Long timeMicros, Direction dir, FormSpec.Role role,
                                Integer version, String account, Frame frame) {
        return raw(session, stream, seq, timeMicros, dir, role, version, account, frame, "the frame's line and payload lengths do not fit its "
                + frame.size() + " bytes (a damaged or hand-made capture record): not dissected, kept as it came");
    }

    private static Dissection raw(String session, String stream, int seq, Long timeMicros, Direction dir, FormSpec.Role role,
                                  Integer version, String account, Frame frame, String why) {
        Frame f = fits(frame) ? frame : asOneLine(frame);
        List<Warning> warnings = new ArrayList<>(1);
        warnings.add(new Warning(Warning.DISSECTOR_FAILED, why));
        return new Dissection(session, stream, seq, timeMicros, dir, role, version, account, f, f.command(), null,
                StreamDissector.params(Frame.split(f.line())), SUMMARY, Map.of(), null, null,
                warnings);
    }

    /**
     * True when the frame's line, terminator and payload lengths add up to its bytes. The framer only makes
     * such frames; a capture record written by a buggy or hostile tool may not, and every reader of the
     * frame (its line, its payload) would fail on it.
     */
    static boolean fits(Frame frame) {
        int size = frame.size();
        int line = frame.lineLength();
        return line >= 0 && line <= size && (!frame.hasPayload() || frame.terminatorLength() >= 0 && frame.payloadLength() >= 0
                && line + frame.terminatorLength() + frame.payloadLength() == size);
    }

    /** The same bytes as a frame every reader can take: the first line, and the rest counted as its terminator. */
    private static Frame asOneLine(Frame frame) {
        byte[] raw = frame.copyBytes();
        int end = 0;
        while (end < raw.length && raw[end] != '\n') {
            end++;
        }
        if (end < raw.length && end > 0 && raw[end - 1] == '\r') {
            end--;
        }
        return Frame.ofRaw(raw, end, end, -1, frame.flags() & ~(Frame.PAYLOAD_TRUNCATED | Frame.PAYLOAD_TOO_LARGE), frame.command());
    }

    /**
     * Where in msnscope it failed ({@code ParamDecoder.java:68}): enough for a bug report, and no exception
     * class name for the user to puzzle over.
     */
    static String where(Throwable cause) {
        for (StackTraceElement e : cause.getStackTrace()) {
            if (e.getClassName().startsWith("msnscope.") && e.getFileName() != null) {
                return e.getFileName() + ":" + e.getLineNumber();
            }
        }
        return "outside msnscope's code";
    }
}

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
        String cmd = frame.command();
        List<String> params = StreamDissector.params(StreamDissector.splitSpaces(frame.line()));
        List<Warning> warnings = new ArrayList<>(1);
        warnings.add(new Warning(Warning.DISSECTOR_FAILED, "the dissector failed on this frame (a bug, please report it: "
                + where(cause) + "); the frame is kept as it came"));
        return new Dissection(session, stream, seq, timeMicros, dir, role, version, account, frame, cmd, null, params,
                "Not dissected (dissector failed)", Map.of(), null, null, warnings);
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

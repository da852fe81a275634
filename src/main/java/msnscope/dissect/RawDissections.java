package msnscope.dissect;

import msnscope.dissect.spec.FormSpec;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.util.List;
import java.util.Map;

/**
 * Dissections made without the dissector, for frames it could not handle: the proxy keeps relaying
 * when a dissector throws, and the console and recorder still get the frame, raw, with a warning.
 */
public final class RawDissections {

    private RawDissections() {
    }

    public static Dissection failed(String session, String stream, int seq, Long timeMicros, Direction dir, FormSpec.Role role,
                                    Frame frame, Throwable cause) {
        String cmd = frame.command();
        String[] tokens = frame.line().split(" ", -1);
        List<String> params = tokens.length > 1 ? List.of(tokens).subList(1, tokens.length) : List.of();
        String why = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return new Dissection(session, stream, seq, timeMicros, dir, role, null, null, frame, cmd, null, params,
                "Not dissected (dissector failed)", Map.of(), null, null,
                List.of(new Warning(Warning.DISSECTOR_FAILED, "the dissector failed on this frame (" + why + "); relayed unchanged")));
    }
}

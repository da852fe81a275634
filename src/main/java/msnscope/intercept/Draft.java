package msnscope.intercept;

import msnscope.wire.Frame;

/**
 * One frame as the rules before this one left it: each {@code replace} works on the previous one's result,
 * and the frame is rebuilt (payload length recomputed) only when something changed.
 */
final class Draft {

    private final Frame frame;
    private String line;
    private byte[] payload;
    private boolean changed;

    Draft(Frame frame) {
        this.frame = frame;
    }

    /**
     * The line as text. A line that is not UTF-8 is left alone: rebuilding it from text would change bytes the
     * rule never meant to touch (MSNP lines are ASCII; such a line is garbage worth seeing as it came).
     */
    String line() throws RuleSkip {
        if (line == null) {
            if (!frame.lineIsUtf8()) {
                throw new RuleSkip("its line is not UTF-8");
            }
            line = frame.line();
        }
        return line;
    }

    /** The payload, or null for a frame without one. */
    byte[] payload() {
        if (payload == null && frame.hasPayload()) {
            payload = frame.payload();
        }
        return payload;
    }

    void line(String newLine) {
        line = newLine;
        changed = true;
    }

    void payload(byte[] newPayload) throws RuleSkip {
        line(); // the frame is rebuilt from its line: refuse now if the line cannot be
        payload = newPayload;
        changed = true;
    }

    /** The whole frame as it now stands, payload length recomputed. */
    byte[] bytes() throws RuleSkip {
        return FrameBytes.build(line(), payload());
    }

    boolean changed() {
        return changed;
    }
}

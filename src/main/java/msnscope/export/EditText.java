package msnscope.export;

import msnscope.dissect.Dissection;
import msnscope.wire.Direction;
import msnscope.wire.Edit;

/**
 * The words every view (text, HTML, the proxy console) uses for a frame msnscope changed: who changed it and
 * how, and what the other side received instead. One place, so the views never describe an edit differently.
 */
public final class EditText {

    private EditText() {
    }

    /**
     * {@code edited by rule 2 (rules.yaml): replace}, or for a frame msnscope made
     * {@code made by msnscope (rule 1 (rules.yaml): reply)}; null when the frame was neither.
     */
    public static String of(Edit e) {
        if (e == null) {
            return null;
        }
        String how = e.by() == null ? e.action() : e.action() == null ? e.by() : e.by() + ": " + e.action();
        if (e.made()) {
            return badge(e) + (how == null ? "" : " (" + how + ")");
        }
        return badge(e) + (e.by() == null ? "" : " by " + e.by()) + (e.action() == null ? "" : ": " + e.action());
    }

    /** The start of {@link #of}: {@code edited}, or {@code made by msnscope}. */
    public static String badge(Edit e) {
        return e.made() ? "made by msnscope" : "edited";
    }

    /** The side that receives a frame going this way: {@code client} for server-to-client frames, else {@code server}. */
    public static String receiver(Direction d) {
        return d == Direction.S2C ? "client" : "server";
    }

    /** True when msnscope forwarded nothing for the frame: a rule or the hook dropped it or answered it locally. */
    public static boolean dropped(Dissection d) {
        byte[] f = d.forwarded();
        return f != null && f.length == 0;
    }

    /**
     * The edit in one line, for a one-line view (the proxy console): {@link #of}, then {@code ; dropped: the client
     * received nothing} when nothing was delivered; null for a frame msnscope neither changed nor made. A replaced
     * frame's delivery is {@link Dissection#rewritten()}, which such a view shows its own way.
     */
    public static String oneLine(Dissection d) {
        String edit = of(d.edit());
        if (edit == null) {
            return null;
        }
        return dropped(d) ? edit + "; " + droppedLine(d) : edit;
    }

    /** {@code dropped: the client received nothing}, for a frame {@link #dropped}. */
    public static String droppedLine(Dissection d) {
        return "dropped: the " + receiver(d.direction()) + " received nothing";
    }
}

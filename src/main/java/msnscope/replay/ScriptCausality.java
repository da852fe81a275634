package msnscope.replay;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The causal rule of a {@link Script} as it plays: which captured frames have happened (a client frame
 * received by {@code serve}, a server frame received by {@code replay}), and whether a frame of the other
 * direction may go: a captured server frame once every client frame before it in the capture (any connection
 * of its source) has happened, a captured client frame once every server frame before it has.
 *
 * <p>Frames may happen in any order (two connections, two clients); {@link #ready} is a comparison against
 * the longest run of happened frames from the start, kept per source and direction. Thread-safe.
 */
public final class ScriptCausality {

    private final Script script;
    /** Per source, per direction (0 client, 1 server). */
    private final Map<String, Track[]> tracks = new HashMap<>();

    private static final class Track {
        final BitSet happened = new BitSet();
        /** Every frame of rank below this has happened. */
        int prefix;
    }

    public ScriptCausality(Script script) {
        this.script = script;
    }

    /** {@code f} happened (arrived, or was matched to what arrived). Idempotent. */
    public synchronized void happened(ScriptFrame f) {
        Track t = track(f.source(), f.fromClient());
        t.happened.set(f.rank());
        while (t.happened.get(t.prefix)) {
            t.prefix++;
        }
    }

    /**
     * Takes back {@link #happened}: a frame matched to a client that turned out to be another login is free for
     * the client that is.
     */
    public synchronized void forget(ScriptFrame f) {
        Track t = track(f.source(), f.fromClient());
        t.happened.clear(f.rank());
        t.prefix = Math.min(t.prefix, f.rank());
    }

    public synchronized boolean hasHappened(ScriptFrame f) {
        return track(f.source(), f.fromClient()).happened.get(f.rank());
    }

    /** True when every frame of {@link Script#before(ScriptFrame)} has happened: {@code f} may go. */
    public synchronized boolean ready(ScriptFrame f) {
        return track(f.source(), !f.fromClient()).prefix >= f.waitsFor();
    }

    /** The frames {@code f} still waits for, in order (empty when {@link #ready}): for messages and timeouts. */
    public synchronized List<ScriptFrame> missing(ScriptFrame f) {
        Track t = track(f.source(), !f.fromClient());
        List<ScriptFrame> out = new ArrayList<>();
        List<ScriptFrame> before = script.before(f);
        for (int i = t.prefix; i < before.size(); i++) {
            if (!t.happened.get(i)) {
                out.add(before.get(i));
            }
        }
        return out;
    }

    private Track track(String source, boolean client) {
        Track[] both = tracks.computeIfAbsent(source, s -> new Track[] {new Track(), new Track()});
        return both[client ? 0 : 1];
    }
}

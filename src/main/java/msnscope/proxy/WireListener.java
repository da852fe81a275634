package msnscope.proxy;

import msnscope.wire.Direction;
import msnscope.wire.Frame;

/**
 * What must happen on the relay path, before bytes move on: the recorder. Called on the connection's event
 * loop (frames, opens, closes, {@link #beforeForward}) or on the analysis lane ({@link #referral},
 * {@link #account}); implementations are thread-safe and quick, since the relay waits for them.
 */
public interface WireListener {

    /** A client connected (before any of its frames). */
    default void connectionOpened(ProxyConnection connection) {
    }

    /**
     * A complete frame, in wire order per direction, before its bytes are flushed to the peer.
     *
     * @param forwarded the bytes forwarded instead when the proxy rewrote the frame, else null
     */
    default void frame(ProxyConnection connection, Frame frame, Direction direction, long timeMicros, byte[] forwarded) {
    }

    /**
     * A frame as the relay hands it on: see {@link #frame}.
     *
     * @param forwarded what the other side received instead, when the proxy changed the frame (empty:
     *                  dropped); null when it went on as it arrived
     * @param edit      how a rule or the hook changed it, or that msnscope made it; null when neither did
     */
    record WireFrame(Frame frame, Direction direction, long timeMicros, byte[] forwarded, msnscope.wire.Edit edit) {
        public WireFrame(Frame frame, Direction direction, long timeMicros, byte[] forwarded) {
            this(frame, direction, timeMicros, forwarded, null);
        }
    }

    /**
     * The frames of one read of one connection, in wire order, before their bytes are flushed: one call per
     * read, so a listener that locks (the recorder) locks once per read, not once per frame.
     */
    default void frames(ProxyConnection connection, java.util.List<WireFrame> frames) {
        for (WireFrame f : frames) {
            frame(connection, f.frame(), f.direction(), f.timeMicros(), f.forwarded());
        }
    }

    /** The proxy rewrote a referral; called before the rewritten line is forwarded (its cookie and listener are known first). */
    default void referral(ProxyConnection connection, Referral referral) {
    }

    /** The dissector learned the account a connection is logged in as (it may arrive after the frame that named it). */
    default void account(ProxyConnection connection, String account) {
    }

    /** The connection ended, after its last frame. */
    default void connectionClosed(ProxyConnection connection, String reason) {
    }

    /**
     * The frames of one read were handed to {@link #frame}; the relay flushes them to the peer right after
     * this returns. What must be on disk before a peer can see it is written here.
     */
    default void beforeForward() {
    }

    /**
     * Where this listener keeps the connection's frames, when it keeps them (the recorder: the store's ids);
     * null when it does not.
     */
    default Placement placement(ProxyConnection connection) {
        return null;
    }
}

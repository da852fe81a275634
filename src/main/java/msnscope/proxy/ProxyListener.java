package msnscope.proxy;

import msnscope.dissect.Dissection;

/**
 * What the proxy tells the rest of msnscope about each connection (the console, tests), in the style of
 * mitmproxy's addon hooks: its opening, every frame dissected, the referrals it rewrote, its close. Called
 * on the analysis lane's thread, in order per connection, never on the relay path: a slow listener makes the
 * lane lag (frames past its bound are not dissected live, and reported), never the relay. What must happen
 * before bytes are forwarded (the recorder) is a {@link WireListener}.
 */
public interface ProxyListener {

    /**
     * False when only connection events matter (a {@code --quiet} console): then {@link #frame} hears only of
     * the frames the proxy dissects anyway (those that settle a login, and held referrals), and the lane
     * leaves every other frame undissected, keeping the core for the relay.
     */
    default boolean wantsFrames() {
        return true;
    }

    /** A client connected and the proxy is connecting upstream. */
    default void connectionOpened(ProxyConnection connection) {
    }

    /**
     * A frame passed through.
     *
     * @param forwarded the exact bytes forwarded when the proxy rewrote the frame, else null (forwarded as received)
     */
    default void frame(ProxyConnection connection, Dissection dissection, byte[] forwarded) {
    }

    /** The proxy rewrote a referral and will route the connection it announces. */
    default void referral(ProxyConnection connection, Referral referral) {
    }

    /** The connection ended; {@code reason} is one line ("client closed", "upstream reset", …). */
    default void connectionClosed(ProxyConnection connection, String reason) {
    }

}

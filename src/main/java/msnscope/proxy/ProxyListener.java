package msnscope.proxy;

import msnscope.dissect.Dissection;

/**
 * What the proxy tells the rest of msnscope (console, recorder), in the style of mitmproxy's addon
 * hooks. Called on the connection's event loop: implementations must return quickly — the relay waits
 * on them. Only the recorder does I/O here, once per read, in {@link #beforeForward()}.
 */
public interface ProxyListener {

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

    /**
     * The frames of one read were handed to {@link #frame}; the proxy flushes the forwarded bytes to the
     * peer right after this returns. What must be on disk before a peer can see it is written here.
     */
    default void beforeForward() {
    }
}

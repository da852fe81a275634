package msnscope.proxy;

import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.util.List;

/** Every attached {@link WireListener} as one ({@link Fanout}). */
final class WireListeners extends Fanout<WireListener> implements WireListener {

    @Override
    public void connectionOpened(ProxyConnection c) {
        for (WireListener l : all) {
            try {
                l.connectionOpened(c);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    @Override
    public void frame(ProxyConnection c, Frame f, Direction dir, long micros, byte[] forwarded) {
        for (WireListener l : all) {
            try {
                l.frame(c, f, dir, micros, forwarded);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    @Override
    public void frames(ProxyConnection c, List<WireFrame> frames) {
        for (WireListener l : all) {
            try {
                l.frames(c, frames);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    @Override
    public void referral(ProxyConnection c, Referral r) {
        for (WireListener l : all) {
            try {
                l.referral(c, r);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    @Override
    public void account(ProxyConnection c, String account) {
        for (WireListener l : all) {
            try {
                l.account(c, account);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    @Override
    public void connectionClosed(ProxyConnection c, String reason) {
        for (WireListener l : all) {
            try {
                l.connectionClosed(c, reason);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    @Override
    public void beforeForward() {
        for (WireListener l : all) {
            try {
                l.beforeForward();
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    /** The first listener's that keeps the connection (there is one recorder at most). */
    @Override
    public Placement placement(ProxyConnection c) {
        for (WireListener l : all) {
            try {
                Placement p = l.placement(c);
                if (p != null) {
                    return p;
                }
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
        return null;
    }
}

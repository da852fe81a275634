package msnscope.proxy;

import msnscope.wire.Direction;
import msnscope.wire.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every attached {@link WireListener} as one: one that throws is logged once and skipped for that call,
 * so a failing recorder never breaks the relay.
 */
final class WireListeners implements WireListener {

    private static final Logger log = LoggerFactory.getLogger("msnscope.proxy");

    private final List<WireListener> all = new CopyOnWriteArrayList<>();
    private final Set<WireListener> failed = ConcurrentHashMap.newKeySet();

    void add(WireListener l) {
        all.add(l);
    }

    private void failed(WireListener l, RuntimeException e) {
        if (failed.add(l)) {
            log.warn("{} failed ({}); the relay goes on", l.getClass().getSimpleName(), e.getMessage());
        }
    }

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
}

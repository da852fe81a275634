package msnscope.proxy;

import msnscope.dissect.Dissection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every attached {@link ProxyListener} as one: a listener that throws is logged once and skipped for that
 * call, so the console or the recorder can never break the relay.
 */
final class Listeners implements ProxyListener {

    private static final Logger log = LoggerFactory.getLogger("msnscope.proxy");

    private final List<ProxyListener> all = new CopyOnWriteArrayList<>();
    private final Set<ProxyListener> failed = ConcurrentHashMap.newKeySet();

    void add(ProxyListener l) {
        all.add(l);
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    private void failed(ProxyListener l, RuntimeException e) {
        if (failed.add(l)) {
            log.warn("listener {} failed ({}); the relay goes on", l.getClass().getName(), e.toString());
        }
    }

    @Override
    public void connectionOpened(ProxyConnection c) {
        for (ProxyListener l : all) {
            try {
                l.connectionOpened(c);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    @Override
    public void frame(ProxyConnection c, Dissection d, byte[] forwarded) {
        for (ProxyListener l : all) {
            try {
                l.frame(c, d, forwarded);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    @Override
    public void referral(ProxyConnection c, Referral r) {
        for (ProxyListener l : all) {
            try {
                l.referral(c, r);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    @Override
    public void connectionClosed(ProxyConnection c, String reason) {
        for (ProxyListener l : all) {
            try {
                l.connectionClosed(c, reason);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }
}

package msnscope.proxy;

import msnscope.dissect.Dissection;

/** Every attached {@link ProxyListener} as one ({@link Fanout}). */
final class Listeners extends Fanout<ProxyListener> implements ProxyListener {

    /** Asked for every frame on the relay's thread: kept as a field, not computed per frame. */
    private volatile boolean wantsFrames;

    @Override
    void add(ProxyListener l) {
        super.add(l);
        wantsFrames |= l.wantsFrames();
    }

    @Override
    public boolean wantsFrames() {
        return wantsFrames;
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

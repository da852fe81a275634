package msnscope.cli;

import msnscope.proxy.ProxyConnection;
import msnscope.proxy.WireListener;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the proxy relayed, for its exit line: connections and frames. A {@link WireListener}, so it counts
 * every frame whether or not the console shows it ({@code --quiet}) or the lane dissects it; on the relay
 * path it costs one addition per read.
 */
final class ProxyTally implements WireListener {

    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong frames = new AtomicLong();

    @Override
    public void connectionOpened(ProxyConnection connection) {
        connections.incrementAndGet();
    }

    @Override
    public void frames(ProxyConnection connection, List<WireFrame> read) {
        frames.addAndGet(read.size());
    }

    long connections() {
        return connections.get();
    }

    long frames() {
        return frames.get();
    }

    /** {@code 3 connections, 57 frames}. */
    String relayed() {
        return plural(connections(), "connection") + ", " + plural(frames(), "frame");
    }

    static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}

package msnscope.proxy;

import msnscope.dissect.SessionContext;
import msnscope.dissect.spec.FormSpec;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where connections go, shared by every connection of the proxy (thread-safe, one lock; nothing here
 * is on the per-byte path).
 *
 * <p><b>Routing is by listener.</b> Each distinct server the upstream names in a referral gets its own
 * proxy listener, opened on first use; a client that connects to that listener is relayed to that
 * server and nowhere else. So routing never depends on parsing the client's first line, and is exact
 * with any number of clients and switchboards at once. The main listener is the route to
 * {@code --upstream}. Routes are only ever created from server-to-client referral lines, so the proxy
 * connects only to the upstream and to servers the upstream referred to: it is not an open relay.
 *
 * <p><b>Cookies are tracked, not trusted for routing.</b> Every switchboard cookie from {@code XFR SB} /
 * {@code RNG} is remembered with the session that received it (so the switchboard connection inherits the
 * notification server's version and login) until it is presented or expires. A switchboard connection
 * that presents an unknown, expired, reused or foreign cookie is logged loudly and still relayed to its
 * listener's server, which is the authority on cookies.
 *
 * <p>Limits: at most {@code maxPendingPerClient} unpresented cookies per client IP, and
 * {@code maxListeners} extra listeners. Above either, the referral is forwarded unchanged and the reason
 * logged; the proxy never guesses.
 */
public final class RouteTable {

    /** Hard cap on remembered cookies of all clients (expired ones are dropped first). */
    private static final int MAX_COOKIES = 100_000;
    /** Expired or used cookies remembered for better messages. */
    private static final int MAX_SPENT = 4096;

    /** A proxy listener and the server behind it. */
    public record Route(HostPort upstream, InetSocketAddress listenAddress, boolean main, FormSpec.Role role) {
        @Override
        public String toString() {
            return HostPortText.of(listenAddress) + " -> " + upstream;
        }
    }

    /** A switchboard cookie handed to a client. */
    public record Ticket(String cookie, Route route, SessionContext session, String clientIp, Referral referral,
                         long issuedNanos) {
    }

    /** What a presented cookie turned out to be. */
    public enum Status { KNOWN, UNKNOWN, EXPIRED, REUSED, OTHER_ROUTE }

    public record Lookup(Status status, Ticket ticket) {
    }

    /** Opens a listener for a new route; port 0 = OS-chosen. Throws when the port cannot be bound. */
    @FunctionalInterface
    public interface Binder {
        InetSocketAddress bind(int port) throws Exception;
    }

    /** A referral the table refused to route, with the reason for the log. */
    public static final class RefusedException extends Exception {
        public RefusedException(String message) {
            super(message);
        }
    }

    private final int portLow;
    private final int portHigh;
    private final int maxListeners;
    private final int maxPendingPerClient;
    private final long ttlNanos;
    private final Map<String, Route> routes = new HashMap<>();
    private final Map<String, Ticket> tickets = new LinkedHashMap<>();
    private final Map<String, Integer> pendingByClient = new HashMap<>();
    private final Map<String, Status> spent = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Status> eldest) {
            return size() > MAX_SPENT;
        }
    };
    private int nextPort;
    private int extraListeners;

    public RouteTable(int portLow, int portHigh, int maxListeners, int maxPendingPerClient, Duration ttl) {
        this.portLow = portLow;
        this.portHigh = portHigh;
        this.nextPort = portLow;
        this.maxListeners = maxListeners;
        this.maxPendingPerClient = maxPendingPerClient;
        this.ttlNanos = ttl.toNanos();
    }

    private static String key(HostPort hp) {
        return hp.host().toLowerCase(Locale.ROOT) + ":" + hp.port();
    }

    public synchronized void addMain(HostPort upstream, InetSocketAddress listenAddress) {
        routes.put(key(upstream), new Route(upstream, listenAddress, true, FormSpec.Role.NS));
    }

    /** The route already open for a server named in a referral, or null. */
    public synchronized Route existing(HostPort upstream) {
        return routes.get(key(upstream));
    }

    /**
     * The route for a server named in a referral, opening its listener when it is the first mention.
     *
     * @param resolved {@code upstream} resolved as the connect path will resolve it (see {@link Resolver}),
     *                 or null when it does not resolve (the connection will fail and say so, never loop)
     */
    public synchronized Route routeFor(HostPort upstream, InetSocketAddress resolved, FormSpec.Role role, Binder binder)
            throws RefusedException {
        Route r = routes.get(key(upstream));
        if (r != null) {
            return r;
        }
        if (resolved != null && isOwn(resolved)) {
            boolean open = routeAt(resolved.getPort()) != null;
            throw new RefusedException("the referral names msnscope's own listener " + upstream
                    + (upstream.toString().equals(HostPortText.of(resolved)) ? "" : " (= " + HostPortText.of(resolved) + ")")
                    + (open ? "" : ", a port of --ports " + portLow + "-" + portHigh + " it may open") + " (a loop)");
        }
        if (extraListeners >= maxListeners) {
            throw new RefusedException("listener limit reached (" + maxListeners + " extra listeners, --max-listeners)");
        }
        InetSocketAddress bound = null;
        Exception last = null;
        if (portLow == 0 && portHigh == 0) {
            try {
                bound = binder.bind(0);
            } catch (Exception e) {
                last = e;
            }
        } else {
            int span = portHigh - portLow + 1;
            for (int i = 0; i < span && bound == null; i++) {
                int port = nextPort;
                nextPort = nextPort >= portHigh ? portLow : nextPort + 1;
                if (inUse(port)) {
                    continue;
                }
                try {
                    bound = binder.bind(port);
                } catch (Exception e) {
                    last = e;
                }
            }
        }
        if (bound == null) {
            throw new RefusedException("no listener could be opened" + (portLow == 0 ? "" : " in --ports " + portLow + "-" + portHigh)
                    + (last == null ? "" : ": " + last.getMessage()));
        }
        r = new Route(upstream, bound, false, role);
        routes.put(key(upstream), r);
        extraListeners++;
        return r;
    }

    /**
     * True when a connection to {@code target} would arrive at this proxy: its port is the main listener's,
     * an open referral listener's or one of {@code --ports} (a listener the proxy may open later), and its
     * address reaches the listen address ({@link LocalReach}). Both the referral guard and the connect path ask.
     */
    public synchronized boolean isOwn(InetSocketAddress target) {
        if (target.getAddress() == null || !ownPort(target.getPort())) {
            return false;
        }
        for (Route mine : routes.values()) {
            InetSocketAddress a = mine.listenAddress();
            if (a.getAddress() != null && LocalReach.reaches(target.getAddress(), a.getAddress())) {
                return true;
            }
        }
        return false;
    }

    private boolean ownPort(int port) {
        return (portHigh != 0 && port >= portLow && port <= portHigh) || inUse(port);
    }

    private boolean inUse(int port) {
        for (Route r : routes.values()) {
            if (r.listenAddress().getPort() == port) {
                return true;
            }
        }
        return false;
    }

    /** The route behind a listener, or null. */
    public synchronized Route routeAt(int listenPort) {
        for (Route r : routes.values()) {
            if (r.listenAddress().getPort() == listenPort) {
                return r;
            }
        }
        return null;
    }

    public synchronized List<Route> routes() {
        return new ArrayList<>(routes.values());
    }

    /** Remembers a switchboard cookie; refuses when the client has too many pending. */
    public synchronized void issue(Ticket t) throws RefusedException {
        long now = System.nanoTime();
        expire(now);
        int pending = pendingByClient.getOrDefault(t.clientIp(), 0);
        if (pending >= maxPendingPerClient) {
            throw new RefusedException("client " + t.clientIp() + " has " + pending
                    + " switchboard referrals pending (limit " + maxPendingPerClient + ", --max-pending)");
        }
        Ticket previous = tickets.remove(t.cookie());
        if (previous != null) {
            pendingByClient.merge(previous.clientIp(), -1, Integer::sum);
        }
        tickets.put(t.cookie(), t);
        spent.remove(t.cookie());
        pendingByClient.merge(t.clientIp(), 1, Integer::sum);
        while (tickets.size() > MAX_COOKIES) {
            drop(tickets.keySet().iterator().next(), Status.EXPIRED);
        }
    }

    /** A switchboard connection on {@code route} presented {@code cookie}: consumes it when known. */
    public synchronized Lookup present(String cookie, Route route) {
        long now = System.nanoTime();
        expire(now);
        if (cookie == null) {
            return new Lookup(Status.UNKNOWN, null);
        }
        Ticket t = tickets.get(cookie);
        if (t == null) {
            Status s = spent.get(cookie);
            return new Lookup(s == null ? Status.UNKNOWN : s, null);
        }
        drop(cookie, Status.REUSED);
        if (route != null && !t.route().equals(route)) {
            return new Lookup(Status.OTHER_ROUTE, t);
        }
        return new Lookup(Status.KNOWN, t);
    }

    public synchronized int pending(String clientIp) {
        return pendingByClient.getOrDefault(clientIp, 0);
    }

    private void expire(long now) {
        Iterator<Map.Entry<String, Ticket>> it = tickets.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Ticket> e = it.next();
            if (now - e.getValue().issuedNanos() < ttlNanos) {
                break;
            }
            it.remove();
            decrement(e.getValue().clientIp());
            spent.put(e.getKey(), Status.EXPIRED);
        }
    }

    private void drop(String cookie, Status why) {
        Ticket t = tickets.remove(cookie);
        if (t != null) {
            decrement(t.clientIp());
            spent.put(cookie, why);
        }
    }

    private void decrement(String ip) {
        pendingByClient.computeIfPresent(ip, (k, v) -> v <= 1 ? null : v - 1);
    }
}

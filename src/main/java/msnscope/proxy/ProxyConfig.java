package msnscope.proxy;

import msnscope.wire.FramerLimits;
import msnscope.wire.PartialBudget;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@code msnscope proxy} was told.
 *
 * @param listen            main listener (clients dial this instead of the dispatch/notification server)
 * @param upstream          the server behind the main listener, as a client would dial it
 * @param advertise         host written into rewritten referrals; null = the local address the client connected to
 * @param portLow           first port for extra (referral) listeners; 0 with portHigh 0 = OS-chosen ports
 * @param portHigh          last port for extra listeners, inclusive
 * @param resolver          how named servers become addresses ({@code --resolve})
 * @param fixClientIp       put the client's real address back into the profile's ClientIP/ClientPort
 * @param dissect           run the dissector (false only for the benchmark's plain relay)
 * @param limits            framing limits (also bound what a connection holds back while rewriting)
 * @param maxPendingPerClient switchboard cookies handed to one client IP and not yet presented; above it a
 *                          referral is forwarded unchanged (and logged) instead of rewritten
 * @param maxListeners      extra listeners in total; above it a referral is forwarded unchanged (and logged)
 * @param cookieTtl         how long a switchboard cookie is expected (Escargot: 120 s); later use is logged as expired
 * @param dataDir           where captures go ({@code --data}); handed to the capture recorder, may be null
 * @param maxBuffered       bytes all connections together may buffer for partial payloads ({@code --max-buffered});
 *                          past it a payload is streamed through undissected (see {@link PartialBudget})
 * @param idleTimeout       a connection with no bytes in either direction for this long is closed
 *                          ({@code --idle-timeout}); null = never (a notification connection idles for hours)
 */
public record ProxyConfig(HostPort listen, HostPort upstream, String advertise, int portLow, int portHigh,
                          Resolver resolver, boolean fixClientIp, boolean dissect, FramerLimits limits,
                          int maxPendingPerClient, int maxListeners, Duration cookieTtl, Path dataDir,
                          long maxBuffered, Duration idleTimeout) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 1863);
    public static final int DEFAULT_MAX_PENDING = 256;
    public static final int DEFAULT_MAX_LISTENERS = 64;
    public static final Duration DEFAULT_COOKIE_TTL = Duration.ofMinutes(5);

    public ProxyConfig {
        if (portLow > portHigh || portLow < 0 || portHigh > 65535) {
            throw new IllegalArgumentException("bad port range " + portLow + "-" + portHigh);
        }
        if (maxPendingPerClient < 1 || maxListeners < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (maxBuffered < 0) {
            throw new IllegalArgumentException("--max-buffered must not be negative");
        }
        if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero())) {
            throw new IllegalArgumentException("--idle-timeout must be positive");
        }
    }

    /** A config with defaults for everything but the two addresses. */
    public static ProxyConfig of(HostPort listen, HostPort upstream) {
        return new ProxyConfig(listen, upstream, null, 0, 0, Resolver.system(), false, true, FramerLimits.DEFAULT,
                DEFAULT_MAX_PENDING, DEFAULT_MAX_LISTENERS, DEFAULT_COOKIE_TTL, null, PartialBudget.DEFAULT_BYTES, null);
    }

    public ProxyConfig withResolver(Resolver r) {
        return new ProxyConfig(listen, upstream, advertise, portLow, portHigh, r, fixClientIp, dissect, limits,
                maxPendingPerClient, maxListeners, cookieTtl, dataDir, maxBuffered, idleTimeout);
    }

    public ProxyConfig withFixClientIp(boolean fix) {
        return new ProxyConfig(listen, upstream, advertise, portLow, portHigh, resolver, fix, dissect, limits,
                maxPendingPerClient, maxListeners, cookieTtl, dataDir, maxBuffered, idleTimeout);
    }

    public ProxyConfig withDissect(boolean on) {
        return new ProxyConfig(listen, upstream, advertise, portLow, portHigh, resolver, fixClientIp, on, limits,
                maxPendingPerClient, maxListeners, cookieTtl, dataDir, maxBuffered, idleTimeout);
    }

    public ProxyConfig withLimits(int pendingPerClient, int listeners, Duration ttl) {
        return new ProxyConfig(listen, upstream, advertise, portLow, portHigh, resolver, fixClientIp, dissect, limits,
                pendingPerClient, listeners, ttl, dataDir, maxBuffered, idleTimeout);
    }

    public ProxyConfig withMaxBuffered(long bytes) {
        return new ProxyConfig(listen, upstream, advertise, portLow, portHigh, resolver, fixClientIp, dissect, limits,
                maxPendingPerClient, maxListeners, cookieTtl, dataDir, bytes, idleTimeout);
    }

    public ProxyConfig withIdleTimeout(Duration timeout) {
        return new ProxyConfig(listen, upstream, advertise, portLow, portHigh, resolver, fixClientIp, dissect, limits,
                maxPendingPerClient, maxListeners, cookieTtl, dataDir, maxBuffered, timeout);
    }

    public ProxyConfig withFramerLimits(FramerLimits l) {
        return new ProxyConfig(listen, upstream, advertise, portLow, portHigh, resolver, fixClientIp, dissect, l,
                maxPendingPerClient, maxListeners, cookieTtl, dataDir, maxBuffered, idleTimeout);
    }

    public ProxyConfig withUpstream(HostPort u) {
        return new ProxyConfig(listen, u, advertise, portLow, portHigh, resolver, fixClientIp, dissect, limits,
                maxPendingPerClient, maxListeners, cookieTtl, dataDir, maxBuffered, idleTimeout);
    }
}

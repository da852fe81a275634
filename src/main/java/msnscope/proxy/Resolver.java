package msnscope.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a server as the upstream named it into an address to connect. {@code --resolve NAME=ADDR}
 * entries win (case-insensitive host names, as DNS); anything else goes through the system resolver.
 * Real Escargot servers hand out {@code m1.escargot.log1p.xyz:1864} even when run locally, so a user
 * behind such a server maps that name to where the switchboard really is.
 *
 * <p>Thread-safe (immutable). System resolution blocks the calling thread; it happens once per new
 * upstream connection, on the connection's event loop, and once per server a referral names for the first
 * time (the self-relay guard must see the address a connection would reach); literal IPs never block.
 */
public final class Resolver {

    private final Map<String, String> overrides;

    public Resolver(Map<String, String> overrides) {
        Map<String, String> m = new TreeMap<>();
        overrides.forEach((k, v) -> m.put(k.toLowerCase(Locale.ROOT), v));
        this.overrides = Map.copyOf(m);
    }

    public static Resolver system() {
        return new Resolver(Map.of());
    }

    /** Parses {@code NAME=ADDR} (ADDR an IP or host name); throws IllegalArgumentException when malformed. */
    public static Map.Entry<String, String> parseEntry(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("--resolve takes NAME=ADDR, not '" + spec + "'");
        }
        return Map.entry(spec.substring(0, eq).trim(), spec.substring(eq + 1).trim());
    }

    public Map<String, String> overrides() {
        return overrides;
    }

    /** The address to connect for {@code named}; throws UnknownHostException when it cannot be resolved. */
    public InetSocketAddress resolve(HostPort named) throws UnknownHostException {
        String target = overrides.getOrDefault(named.host().toLowerCase(Locale.ROOT), named.host());
        return new InetSocketAddress(InetAddress.getByName(target), named.port());
    }
}

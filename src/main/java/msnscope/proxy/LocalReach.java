package msnscope.proxy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * Whether a connection to one address would arrive at a socket bound to another, on this host: the part
 * of the self-relay guard that is about addresses (the ports are {@link RouteTable}'s). It errs on the
 * side of "yes" for every spelling of this host, because a wrong "yes" costs one unrewritten referral
 * while a wrong "no" lets the proxy relay into itself until it runs out of descriptors.
 *
 * <p>Addresses arrive already resolved by {@link Resolver}, exactly as the connect path resolves them, so
 * {@code 127.1}, {@code 2130706433}, {@code 127.000.000.001}, {@code localhost} and {@code --resolve}
 * names are plain {@code 127.0.0.1} here. What is left is what the kernel does on connect:
 * {@code 0.0.0.0}/{@code ::} mean this host, IPv4-mapped and IPv4-compatible IPv6 reach the IPv4 address,
 * a wildcard listener accepts on every address of the host.
 */
final class LocalReach {

    private LocalReach() {
    }

    /** True when connecting to {@code target} can reach a listener bound to {@code listen}. */
    static boolean reaches(InetAddress target, InetAddress listen) {
        InetAddress t = canonical(target);
        InetAddress l = canonical(listen);
        if (t.isAnyLocalAddress()) {
            return true;
        }
        if (l.isAnyLocalAddress()) {
            return isThisHost(t);
        }
        if (l.isLoopbackAddress()) {
            // 127.0.0.2 or ::1 do not reach a socket on 127.0.0.1, but they only ever name this host: refusing
            // them costs nothing real, and no loopback spelling is left to get around the guard.
            return t.isLoopbackAddress();
        }
        return t.equals(l);
    }

    /** An address of this host: the wildcard, loopback, or an address of one of its interfaces. */
    static boolean isThisHost(InetAddress a) {
        InetAddress c = canonical(a);
        if (c.isAnyLocalAddress() || c.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(c) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /**
     * IPv4-compatible IPv6 ({@code ::a.b.c.d}) as the IPv4 address it stands for; IPv4-mapped
     * ({@code ::ffff:a.b.c.d}) needs nothing, as {@link InetAddress} already makes those IPv4.
     */
    static InetAddress canonical(InetAddress a) {
        if (a instanceof Inet6Address v6 && !v6.isAnyLocalAddress() && !v6.isLoopbackAddress()) {
            byte[] b = v6.getAddress();
            boolean compatible = true;
            for (int i = 0; i < 12; i++) {
                compatible &= b[i] == 0;
            }
            if (compatible) {
                try {
                    return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }
}

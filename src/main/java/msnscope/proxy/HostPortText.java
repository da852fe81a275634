package msnscope.proxy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * {@code ip:port} ({@code [v6]:port}) for socket addresses, as the console and logs print them and the
 * capture files store them; null for null. IPv6 is written the short way (RFC 5952: {@code [::1]:1863},
 * not {@code [0:0:0:0:0:0:0:1]:1863}).
 */
public final class HostPortText {

    private HostPortText() {
    }

    public static String of(SocketAddress a) {
        if (a == null) {
            return null;
        }
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? address(i.getAddress()) : i.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    /**
     * Where a listener asked for as {@code asked} ended up, in the user's words: the host as written
     * ({@code 0.0.0.0}, a name, {@code [::1]}) with the port actually bound. A dual-stack socket bound to
     * {@code 0.0.0.0} reports the IPv6 wildcard, which the user never wrote.
     */
    public static String listening(HostPort asked, InetSocketAddress bound) {
        return new HostPort(asked.host(), bound.getPort()).toString();
    }

    /** Dotted IPv4, or RFC 5952 IPv6 (lower-case hex, no leading zeros, the longest zero run as "::"), with any scope. */
    public static String address(InetAddress a) {
        if (!(a instanceof Inet6Address v6)) {
            return a.getHostAddress();
        }
        String full = v6.getHostAddress();
        int percent = full.indexOf('%');
        return ipv6(a.getAddress()) + (percent < 0 ? "" : full.substring(percent));
    }

    /** RFC 5952 text of 16 address bytes. */
    public static String ipv6(byte[] raw) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (raw[2 * i] & 0xFF) << 8 | raw[2 * i + 1] & 0xFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}

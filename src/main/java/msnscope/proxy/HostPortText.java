package msnscope.proxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * {@code ip:port} ({@code [v6]:port}) for socket addresses, as the console and logs print them and the
 * capture files store them; null for null.
 */
public final class HostPortText {

    private HostPortText() {
    }

    public static String of(SocketAddress a) {
        if (a == null) {
            return null;
        }
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return String.valueOf(a);
    }
}

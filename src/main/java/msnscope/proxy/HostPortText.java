package msnscope.proxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** {@code ip:port} for socket addresses, as the console and logs print them. */
final class HostPortText {

    private HostPortText() {
    }

    static String of(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return String.valueOf(a);
    }
}

package msnscope.pcap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** One side of a connection as numbers (see {@link TcpSegment}), turned into addresses only at the end. */
record Endpoint(boolean ipv6, long hi, long lo, int port) {

    static Endpoint source(TcpSegment s) {
        return new Endpoint(s.ipv6, s.srcHi, s.srcLo, s.srcPort);
    }

    static Endpoint destination(TcpSegment s) {
        return new Endpoint(s.ipv6, s.dstHi, s.dstLo, s.dstPort);
    }

    boolean isSource(TcpSegment s) {
        return s.srcLo == lo && s.srcPort == port && s.srcHi == hi;
    }

    /** The socket address, built from the raw bytes so no name lookup ever happens. */
    InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(address(), port);
    }

    /** {@code 127.0.0.1:1863} or {@code [::1]:1863}. */
    String text() {
        return ipv6 ? "[" + ipv6Text() + "]:" + port : address().getHostAddress() + ":" + port;
    }

    /** RFC 5952 form (see {@link msnscope.proxy.HostPortText#ipv6}). */
    private String ipv6Text() {
        return msnscope.proxy.HostPortText.ipv6(address().getAddress());
    }

    private InetAddress address() {
        byte[] raw;
        if (ipv6) {
            raw = new byte[16];
            for (int i = 0; i < 8; i++) {
                raw[i] = (byte) (hi >>> (56 - 8 * i));
                raw[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        } else {
            raw = new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of length " + raw.length, e); // cannot happen: 4 or 16 bytes
        }
    }
}

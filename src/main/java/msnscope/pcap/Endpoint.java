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

    /** RFC 5952 form: lower-case hex, no leading zeros, the longest run of two or more zero groups as "::". */
    private String ipv6Text() {
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            groups[4 + i] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
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

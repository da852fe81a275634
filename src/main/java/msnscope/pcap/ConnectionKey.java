package msnscope.pcap;

/**
 * The four-tuple of a TCP connection, the same whichever way a segment travels: the endpoints are
 * stored in a fixed order (the smaller first). Mutable so the reassembler can look connections up
 * with one reused probe and copy it only when a connection is new.
 */
final class ConnectionKey {
    boolean ipv6;
    long aHi;
    long aLo;
    int aPort;
    long bHi;
    long bLo;
    int bPort;

    ConnectionKey set(TcpSegment s) {
        ipv6 = s.ipv6;
        if (compare(s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort) <= 0) {
            aHi = s.srcHi;
            aLo = s.srcLo;
            aPort = s.srcPort;
            bHi = s.dstHi;
            bLo = s.dstLo;
            bPort = s.dstPort;
        } else {
            aHi = s.dstHi;
            aLo = s.dstLo;
            aPort = s.dstPort;
            bHi = s.srcHi;
            bLo = s.srcLo;
            bPort = s.srcPort;
        }
        return this;
    }

    ConnectionKey copy() {
        ConnectionKey k = new ConnectionKey();
        k.ipv6 = ipv6;
        k.aHi = aHi;
        k.aLo = aLo;
        k.aPort = aPort;
        k.bHi = bHi;
        k.bLo = bLo;
        k.bPort = bPort;
        return k;
    }

    private static int compare(long hi1, long lo1, int port1, long hi2, long lo2, int port2) {
        int c = Long.compareUnsigned(hi1, hi2);
        if (c == 0) {
            c = Long.compareUnsigned(lo1, lo2);
        }
        return c != 0 ? c : Integer.compare(port1, port2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionKey k && k.aLo == aLo && k.bLo == bLo && k.aPort == aPort
                && k.bPort == bPort && k.aHi == aHi && k.bHi == bHi && k.ipv6 == ipv6;
    }

    @Override
    public int hashCode() {
        long h = aLo * 0x9E3779B97F4A7C15L + bLo;
        h = h * 31 + aHi;
        h = h * 31 + bHi;
        h = h * 31 + ((long) aPort << 16 | bPort);
        return (int) (h ^ h >>> 32);
    }
}

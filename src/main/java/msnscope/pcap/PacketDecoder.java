package msnscope.pcap;

/**
 * Finds the TCP segment in a captured frame: link layer, then IPv4 or IPv6, then TCP. Anything that is
 * not TCP is passed over silently; TCP that cannot be used (fragments, headers cut by the snap length,
 * nonsense lengths) is counted in the {@link ProblemLog}.
 *
 * <p>Link types: Ethernet (1, with any number of 802.1Q / 802.1ad VLAN tags), BSD null (0) and loop (108)
 * loopback, raw IP (101, and 12/14 used for it by some BSDs; 228 IPv4, 229 IPv6), Linux cooked SLL (113)
 * and SLL2 (276). Checksums are not verified: offloading makes them wrong in most captures taken on the
 * sending host, and the reassembler copes with corrupt retransmissions anyway.
 */
final class PacketDecoder {
    static final int LINKTYPE_NULL = 0;
    static final int LINKTYPE_ETHERNET = 1;
    static final int LINKTYPE_RAW_BSD12 = 12;
    static final int LINKTYPE_RAW_BSD14 = 14;
    static final int LINKTYPE_RAW = 101;
    static final int LINKTYPE_LOOP = 108;
    static final int LINKTYPE_LINUX_SLL = 113;
    static final int LINKTYPE_IPV4 = 228;
    static final int LINKTYPE_IPV6 = 229;
    static final int LINKTYPE_LINUX_SLL2 = 276;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int IPPROTO_TCP = 6;
    /** Version nibble not known yet: read it from the IP header. */
    private static final int ANY_IP = -1;
    private static final int NOT_IP = -2;
    private static final int MAX_IPV6_EXTENSION_HEADERS = 16;

    private final ProblemLog problems;

    PacketDecoder(ProblemLog problems) {
        this.problems = problems;
    }

    /** Fills {@code seg} and returns true if the frame holds a usable TCP segment. */
    boolean decode(RawPacket p, TcpSegment seg) {
        byte[] b = p.buf;
        int off = p.offset;
        int end = off + p.capLen;
        int ip;
        int version;
        switch (p.linkType) {
            case LINKTYPE_ETHERNET -> {
                if (p.capLen < 14) {
                    return tooShort(p);
                }
                int type = Bytes.u16(b, off + 12);
                ip = off + 14;
                while (type == 0x8100 || type == 0x88A8 || type == 0x9100) {
                    if (ip + 4 > end) {
                        return tooShort(p);
                    }
                    type = Bytes.u16(b, ip + 2);
                    ip += 4;
                }
                version = etherTypeVersion(type);
            }
            case LINKTYPE_NULL, LINKTYPE_LOOP -> {
                // The address family is in the capturing host's byte order and its AF_INET6 value differs
                // between systems: the IP version nibble is the reliable tell.
                ip = off + 4;
                version = ANY_IP;
            }
            case LINKTYPE_RAW, LINKTYPE_RAW_BSD12, LINKTYPE_RAW_BSD14 -> {
                ip = off;
                version = ANY_IP;
            }
            case LINKTYPE_IPV4 -> {
                ip = off;
                version = 4;
            }
            case LINKTYPE_IPV6 -> {
                ip = off;
                version = 6;
            }
            case LINKTYPE_LINUX_SLL -> {
                if (p.capLen < 16) {
                    return tooShort(p);
                }
                ip = off + 16;
                version = etherTypeVersion(Bytes.u16(b, off + 14));
            }
            case LINKTYPE_LINUX_SLL2 -> {
                if (p.capLen < 20) {
                    return tooShort(p);
                }
                ip = off + 20;
                version = etherTypeVersion(Bytes.u16(b, off));
            }
            default -> {
                problems.count("packet{s} on unsupported link type " + p.linkType + " skipped", p.number);
                return false;
            }
        }
        if (version == NOT_IP) {
            return false;
        }
        if (ip >= end) {
            return ip == end ? false : tooShort(p);
        }
        if (version == ANY_IP) {
            version = b[ip] >>> 4 & 0xF;
        }
        // The IP datagram's length on the wire, measured from its start: what the frame would have held
        // if nothing had been cut.
        long wireFromIp = p.origLen - (ip - off);
        seg.timeMicros = p.timeMicros;
        seg.packetNumber = p.number;
        if (version == 4) {
            return ipv4(p, b, ip, end, wireFromIp, seg);
        }
        if (version == 6) {
            return ipv6(p, b, ip, end, wireFromIp, seg);
        }
        return false;
    }

    private static int etherTypeVersion(int type) {
        return type == ETHERTYPE_IPV4 ? 4 : type == ETHERTYPE_IPV6 ? 6 : NOT_IP;
    }

    private boolean ipv4(RawPacket p, byte[] b, int ip, int end, long wireFromIp, TcpSegment seg) {
        if (ip + 10 > end) {
            return tooShort(p);
        }
        if ((b[ip + 9] & 0xFF) != IPPROTO_TCP) {
            return false;
        }
        if (ip + 20 > end) {
            return tooShort(p);
        }
        int ihl = (b[ip] & 0xF) * 4;
        int totalLength = Bytes.u16(b, ip + 2);
        int fragment = Bytes.u16(b, ip + 6);
        if ((fragment & 0x3FFF) != 0) {
            problems.count("IPv4 fragment{s} of TCP skipped (IP fragment reassembly is not supported)", p.number);
            return false;
        }
        // Zero is what TCP segmentation offload leaves in captures taken on the sender.
        long ipLength = totalLength == 0 ? wireFromIp : totalLength;
        if (ihl < 20 || ipLength < ihl) {
            return malformed(p);
        }
        if (ip + ihl > end) {
            return tooShort(p);
        }
        seg.ipv6 = false;
        seg.srcHi = 0;
        seg.srcLo = Bytes.i32(b, ip + 12) & 0xFFFFFFFFL;
        seg.dstHi = 0;
        seg.dstLo = Bytes.i32(b, ip + 16) & 0xFFFFFFFFL;
        return tcp(p, b, ip + ihl, end, ip + ipLength, seg);
    }

    private boolean ipv6(RawPacket p, byte[] b, int ip, int end, long wireFromIp, TcpSegment seg) {
        if (ip + 40 > end) {
            return tooShort(p);
        }
        int payloadLength = Bytes.u16(b, ip + 4);
        int next = b[ip + 6] & 0xFF;
        // Zero means a jumbogram or segmentation offload: take the length from the frame instead.
        long ipLength = payloadLength == 0 ? wireFromIp : 40L + payloadLength;
        int h = ip + 40;
        for (int i = 0; next != IPPROTO_TCP; i++) {
            if (i == MAX_IPV6_EXTENSION_HEADERS) {
                return malformed(p);
            }
            switch (next) {
                case 0, 43, 60, 135, 139, 140 -> { // hop-by-hop, routing, destination, mobility, HIP, shim6
                    if (h + 2 > end) {
                        return tooShort(p);
                    }
                    next = b[h] & 0xFF;
                    h += ((b[h + 1] & 0xFF) + 1) * 8;
                }
                case 44 -> { // fragment: only an atomic one (offset 0, no more fragments) is whole
                    if (h + 8 > end) {
                        return tooShort(p);
                    }
                    if ((Bytes.u16(b, h + 2) & 0xFFF9) != 0) { // an offset or more fragments to come
                        if ((b[h] & 0xFF) == IPPROTO_TCP) {
                            problems.count("IPv6 fragment{s} of TCP skipped (IP fragment reassembly is not supported)", p.number);
                        }
                        return false;
                    }
                    next = b[h] & 0xFF;
                    h += 8;
                }
                case 51 -> { // authentication header: its length is in 4-byte units, minus 2
                    if (h + 2 > end) {
                        return tooShort(p);
                    }
                    next = b[h] & 0xFF;
                    h += ((b[h + 1] & 0xFF) + 2) * 4;
                }
                default -> {
                    return false; // UDP, ICMPv6, ESP (encrypted), no next header…
                }
            }
        }
        if (h - ip > ipLength) {
            return malformed(p);
        }
        if (h > end) {
            return tooShort(p);
        }
        seg.ipv6 = true;
        seg.srcHi = Bytes.i64(b, ip + 8);
        seg.srcLo = Bytes.i64(b, ip + 16);
        seg.dstHi = Bytes.i64(b, ip + 24);
        seg.dstLo = Bytes.i64(b, ip + 32);
        return tcp(p, b, h, end, ip + ipLength, seg);
    }

    /**
     * @param ipEnd where the IP datagram ends on the wire (an index into {@code b}, possibly past the
     *              captured bytes, and before trailing link-layer padding or FCS)
     */
    private boolean tcp(RawPacket p, byte[] b, int t, int end, long ipEnd, TcpSegment seg) {
        long capEnd = Math.min(end, ipEnd);
        if (t + 20 > capEnd) {
            return t + 20 > ipEnd ? malformed(p) : tooShort(p);
        }
        int dataOffset = (b[t + 12] >>> 4 & 0xF) * 4;
        if (dataOffset < 20 || t + dataOffset > ipEnd) {
            return malformed(p);
        }
        if (t + dataOffset > capEnd) {
            return tooShort(p);
        }
        int payload = t + dataOffset;
        long wireLength = ipEnd - payload;
        int captured = (int) (capEnd - payload);
        seg.srcPort = Bytes.u16(b, t);
        seg.dstPort = Bytes.u16(b, t + 2);
        seg.seq = Bytes.i32(b, t + 4);
        seg.ack = Bytes.i32(b, t + 8);
        seg.flags = b[t + 13] & 0x3F;
        seg.buf = b;
        seg.payloadOffset = payload;
        seg.payloadLength = captured;
        seg.missingLength = (int) Math.min(Integer.MAX_VALUE, wireLength - captured);
        return true;
    }

    private boolean tooShort(RawPacket p) {
        if (p.cutByFileEnd) {
            return false;
        }
        problems.count("packet{s} cut before the end of their TCP/IP headers skipped (snap length too small?)", p.number);
        return false;
    }

    private boolean malformed(RawPacket p) {
        problems.count("packet{s} with impossible IP or TCP header lengths skipped", p.number);
        return false;
    }
}

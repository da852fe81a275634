package msnscope.pcap;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Test-only frame builders: TCP inside IPv4 or IPv6, inside Ethernet, SLL, SLL2 or BSD loopback. */
final class TestPackets {
    static final int FIN = TcpSegment.FIN;
    static final int SYN = TcpSegment.SYN;
    static final int RST = TcpSegment.RST;
    static final int PSH = TcpSegment.PSH;
    static final int ACK = TcpSegment.ACK;

    private TestPackets() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] addr(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static byte[] tcp(int srcPort, int dstPort, int seq, int ack, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(seq).putInt(ack);
        b.put((byte) (5 << 4)).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    /** An IPv4 datagram around {@code l4}; {@code options} must be a multiple of 4 bytes long. */
    static byte[] ipv4(String src, String dst, int protocol, byte[] options, int fragmentField, byte[] l4) {
        int ihl = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(ihl + l4.length);
        b.put((byte) (0x40 | ihl / 4)).put((byte) 0).putShort((short) (ihl + l4.length));
        b.putShort((short) 1).putShort((short) fragmentField).put((byte) 64).put((byte) protocol).putShort((short) 0);
        b.put(addr(src)).put(addr(dst)).put(options).put(l4);
        return b.array();
    }

    static byte[] ipv4Tcp(String src, int srcPort, String dst, int dstPort, int seq, int ack, int flags, byte[] payload) {
        return ipv4(src, dst, 6, new byte[0], 0x4000, tcp(srcPort, dstPort, seq, ack, flags, payload));
    }

    /** An IPv6 packet; {@code extension} (next-header chain ending in TCP) goes before the TCP header. */
    static byte[] ipv6(String src, String dst, int firstNextHeader, byte[] extension, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(40 + extension.length + l4.length);
        b.putInt(0x60000000).putShort((short) (extension.length + l4.length)).put((byte) firstNextHeader).put((byte) 64);
        b.put(addr(src)).put(addr(dst)).put(extension).put(l4);
        return b.array();
    }

    static byte[] ipv6Tcp(String src, int srcPort, String dst, int dstPort, int seq, int ack, int flags, byte[] payload) {
        return ipv6(src, dst, 6, new byte[0], tcp(srcPort, dstPort, seq, ack, flags, payload));
    }

    static byte[] ethernet(byte[] ip, int... vlanIds) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * vlanIds.length + ip.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        for (int vlan : vlanIds) {
            b.putShort((short) 0x8100).putShort((short) vlan);
        }
        b.putShort((short) etherType(ip)).put(ip);
        return b.array();
    }

    /** Linux cooked capture v1: 16-byte header, protocol last. */
    static byte[] sll(byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(16 + ip.length);
        b.putShort((short) 0).putShort((short) 772).putShort((short) 0).put(new byte[8]);
        b.putShort((short) etherType(ip)).put(ip);
        return b.array();
    }

    /** Linux cooked capture v2: 20-byte header, protocol first. */
    static byte[] sll2(byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(20 + ip.length);
        b.putShort((short) etherType(ip)).putShort((short) 0).putInt(1).putShort((short) 772);
        b.put((byte) 0).put((byte) 0).put(new byte[8]).put(ip);
        return b.array();
    }

    /** BSD loopback: the address family in the given byte order (null link type: the host's). */
    static byte[] loopback(byte[] ip, ByteOrder order) {
        int family = (ip[0] >> 4) == 4 ? 2 : 30;
        return ByteBuffer.allocate(4 + ip.length).order(order).putInt(family).put(ip).array();
    }

    private static int etherType(byte[] ip) {
        return (ip[0] >> 4) == 4 ? 0x0800 : 0x86DD;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}

package msnscope.pcap;

import static msnscope.pcap.TestPackets.ACK;
import static msnscope.pcap.TestPackets.FIN;
import static msnscope.pcap.TestPackets.PSH;
import static msnscope.pcap.TestPackets.SYN;

import java.util.function.UnaryOperator;

/**
 * Test-only TCP flow between a client and a server: builds IP packets with explicit sequence numbers
 * (client ISN 1000, server ISN 9000), optionally with IPv4 options or IPv6 extension headers, and wraps
 * them in a link layer.
 */
final class TestFlow {
    static final int CLIENT_ISN = 1000;
    static final int SERVER_ISN = 9000;
    /** The first data byte's sequence number each way (after the handshake's SYN). */
    static final int CLIENT_SEQ = CLIENT_ISN + 1;
    static final int SERVER_SEQ = SERVER_ISN + 1;
    /** A capture's first packet time, in microseconds (November 2023). */
    static final long T0 = 1_700_000_000_000_000L;

    final String clientIp;
    final int clientPort;
    final String serverIp;
    final int serverPort;
    private final UnaryOperator<byte[]> link;
    private byte[] ipv4Options = new byte[0];
    private boolean ipv6Extensions;

    TestFlow(String clientIp, int clientPort, String serverIp, int serverPort, UnaryOperator<byte[]> link) {
        this.clientIp = clientIp;
        this.clientPort = clientPort;
        this.serverIp = serverIp;
        this.serverPort = serverPort;
        this.link = link;
    }

    static TestFlow ethernet(String clientIp, String serverIp) {
        return new TestFlow(clientIp, 50123, serverIp, 1863, TestPackets::ethernet);
    }

    TestFlow withIpv4Options(byte[] options) {
        this.ipv4Options = options;
        return this;
    }

    /** IPv6 packets carry a hop-by-hop and a destination-options header before TCP. */
    TestFlow withIpv6Extensions() {
        this.ipv6Extensions = true;
        return this;
    }

    byte[] client(int seq, int ack, int flags, String payload) {
        return link.apply(ip(clientIp, clientPort, serverIp, serverPort, seq, ack, flags, payload));
    }

    byte[] server(int seq, int ack, int flags, String payload) {
        return link.apply(ip(serverIp, serverPort, clientIp, clientPort, seq, ack, flags, payload));
    }

    private byte[] ip(String src, int srcPort, String dst, int dstPort, int seq, int ack, int flags, String payload) {
        byte[] tcp = TestPackets.tcp(srcPort, dstPort, seq, ack, flags, TestPackets.ascii(payload));
        if (src.contains(":")) {
            if (ipv6Extensions) {
                byte[] ext = {
                    60, 0, 1, 4, 0, 0, 0, 0, // hop-by-hop → destination options; PadN
                    6, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // destination options (16 bytes) → TCP
                };
                return TestPackets.ipv6(src, dst, 0, ext, tcp);
            }
            return TestPackets.ipv6(src, dst, 6, new byte[0], tcp);
        }
        return TestPackets.ipv4(src, dst, 6, ipv4Options, 0x4000, tcp);
    }

    /** The standard short exchange: handshake, one line each way, both FINs. Frames in capture order. */
    byte[][] verExchange() {
        int c = CLIENT_ISN;
        int s = SERVER_ISN;
        String ver = "VER 1 MSNP8 CVR0\r\n";
        String reply = "VER 1 MSNP8\r\n";
        return new byte[][] {
            client(c, 0, SYN, ""),
            server(s, c + 1, SYN | ACK, ""),
            client(c + 1, s + 1, ACK, ""),
            client(c + 1, s + 1, PSH | ACK, ver),
            server(s + 1, c + 1 + ver.length(), PSH | ACK, reply),
            client(c + 1 + ver.length(), s + 1 + reply.length(), FIN | ACK, ""),
            server(s + 1 + reply.length(), c + 2 + ver.length(), FIN | ACK, ""),
        };
    }
}

package msnscope.pcap;

import static msnscope.pcap.TestPackets.ACK;
import static msnscope.pcap.TestPackets.FIN;
import static msnscope.pcap.TestPackets.PSH;
import static msnscope.pcap.TestPackets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import msnscope.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reassembly end to end, from synthetic capture files in several formats. */
class PcapReassemblyTest {
    private static final long T0 = TestFlow.T0;
    private static final int C = TestFlow.CLIENT_SEQ;
    private static final int S = TestFlow.SERVER_SEQ;

    @TempDir
    Path dir;

    private static String text(TcpConnection c, Direction d) {
        return new String(c.bytes(d), StandardCharsets.ISO_8859_1);
    }

    private static TcpConnection only(PcapResult r) {
        assertEquals(1, r.connections().size(), "problems: " + r.problems());
        return r.connections().get(0);
    }

    @Test
    void outOfOrderSegmentsInAPcapngAreReassembled() throws Exception {
        TestFlow f = TestFlow.ethernet("2001:db8::1", "2001:db8::2");
        PcapTestWriter w = PcapTestWriter.pcapng(ByteOrder.BIG_ENDIAN).interfaceBlock(1, 9);
        long ns = T0 * 1000;
        w.enhancedPacket(0, ns, f.client(C - 1, 0, SYN, ""));
        w.enhancedPacket(0, ns + 1000, f.server(S - 1, C, SYN | ACK, ""));
        w.enhancedPacket(0, ns + 2000, f.client(C + 12, S, PSH | ACK, "CVR0\r\n"));
        w.enhancedPacket(0, ns + 3000, f.client(C + 4, S, ACK, "1 MSNP8 "));
        w.enhancedPacket(0, ns + 4000, f.client(C, S, ACK, "VER "));
        w.enhancedPacket(0, ns + 5000, f.server(S, C + 18, PSH | ACK, "VER 1 MSNP8\r\n"));
        TcpConnection c = only(PcapReader.read(w.write(dir.resolve("ooo.pcapng"))));

        assertEquals("VER 1 MSNP8 CVR0\r\n", text(c, Direction.C2S));
        assertEquals(List.of(), c.problems());
        assertEquals(List.of(Direction.C2S, Direction.C2S, Direction.C2S, Direction.S2C),
                c.chunks().stream().map(TcpChunk::dir).toList());
        assertEquals(T0 + 4, c.chunks().get(2).timeMicros(), "held-back bytes are timed when the gap filled");
    }

    @Test
    void retransmittedAndOverlappingSegmentsInAPcapAreDeduplicated() throws Exception {
        TestFlow f = new TestFlow("10.1.1.1", 40000, "10.1.1.2", 1864, TestPackets::sll);
        PcapTestWriter w = PcapTestWriter.pcap(ByteOrder.BIG_ENDIAN, true, 113);
        String msg = "MSG 3 N 5\r\nhello";
        w.packet(T0, f.client(C - 1, 0, SYN, ""));
        w.packet(T0 + 1, f.server(S - 1, C, SYN | ACK, ""));
        w.packet(T0 + 2, f.client(C, S, ACK, msg.substring(0, 11)));
        w.packet(T0 + 3, f.client(C, S, ACK, msg.substring(0, 11))); // retransmission
        w.packet(T0 + 4, f.client(C + 8, S, PSH | ACK, msg.substring(8))); // overlaps the first by 3 bytes
        w.packet(T0 + 5, f.client(C + 11, S, PSH | ACK, msg.substring(11))); // already delivered
        w.packet(T0 + 6, f.server(S, C + msg.length(), PSH | ACK, "ACK 3\r\n"));
        TcpConnection c = only(PcapReader.read(w.write(dir.resolve("dup.pcap"))));

        assertEquals(msg, text(c, Direction.C2S));
        assertEquals("ACK 3\r\n", text(c, Direction.S2C));
        assertEquals(List.of(), c.problems());
    }

    @Test
    void aMissingSegmentIsReportedAndSkipped() throws Exception {
        TestFlow f = TestFlow.ethernet("10.0.0.1", "10.0.0.2");
        PcapTestWriter w = PcapTestWriter.pcap(1);
        w.packet(T0, f.client(C - 1, 0, SYN, ""));
        w.packet(T0 + 1, f.server(S - 1, C, SYN | ACK, ""));
        w.packet(T0 + 2, f.client(C, S, PSH | ACK, "PNG\r\n"));
        // "CHG 4 NLN 0\r\n" (13 bytes) was lost by the capture, not by the network
        w.packet(T0 + 4, f.client(C + 18, S, PSH | ACK, "OUT\r\n"));
        w.packet(T0 + 5, f.server(S, C + 23, PSH | ACK | FIN, "QNG 50\r\n"));
        w.packet(T0 + 6, f.client(C + 23, S + 9, ACK | FIN, ""));
        TcpConnection c = only(PcapReader.read(w.write(dir.resolve("gap.pcap"))));

        assertEquals("PNG\r\nOUT\r\n", text(c, Direction.C2S));
        assertEquals("QNG 50\r\n", text(c, Direction.S2C));
        assertEquals(List.of("C2S: 13 bytes missing at seq " + (C + 5) + " (never captured)"), c.problems());
    }

    @Test
    void aCaptureStartingMidStreamIsReassembledFromTheFirstSegmentSeen() throws Exception {
        TestFlow f = new TestFlow("192.168.1.5", 51000, "65.54.239.80", 1863, TestPackets::ethernet);
        PcapTestWriter w = PcapTestWriter.pcap(1);
        w.packet(T0, f.server(777_777, 123_456, PSH | ACK, "ILN 8 NLN bob@example.com bob 0\r\n"));
        w.packet(T0 + 1, f.client(123_456, 777_811, PSH | ACK, "PNG\r\n"));
        w.packet(T0 + 2, f.server(777_811, 123_461, PSH | ACK, "QNG 45\r\n"));
        TcpConnection c = only(PcapReader.read(w.write(dir.resolve("mid.pcap"))));

        assertFalse(c.sawSyn());
        assertFalse(c.clientKnownFromSyn());
        assertEquals("192.168.1.5:51000-65.54.239.80:1863", c.id());
        assertEquals("PNG\r\n", text(c, Direction.C2S));
        assertEquals("ILN 8 NLN bob@example.com bob 0\r\nQNG 45\r\n", text(c, Direction.S2C));
        assertEquals(List.of(Direction.S2C, Direction.C2S, Direction.S2C), c.chunks().stream().map(TcpChunk::dir).toList());
    }

    @Test
    void interleavedConnectionsAreKeptApartAndOrderedByFirstPacket() throws Exception {
        TestFlow ns = new TestFlow("10.0.0.1", 50001, "10.0.0.9", 1863, TestPackets::ethernet);
        TestFlow sb = new TestFlow("10.0.0.1", 50002, "10.0.0.9", 1864, TestPackets::ethernet);
        PcapTestWriter w = PcapTestWriter.pcap(1);
        w.packet(T0, ns.client(C - 1, 0, SYN, ""));
        w.packet(T0 + 1, sb.client(C - 1, 0, SYN, ""));
        w.packet(T0 + 2, sb.server(S - 1, C, SYN | ACK, ""));
        w.packet(T0 + 3, ns.server(S - 1, C, SYN | ACK, ""));
        w.packet(T0 + 4, sb.client(C, S, PSH | ACK, "USR 1 a@b c\r\n"));
        w.packet(T0 + 5, ns.client(C, S, PSH | ACK, "VER 1 MSNP8\r\n"));
        PcapResult r = PcapReader.read(w.write(dir.resolve("two.pcap")));

        assertEquals(List.of("10.0.0.1:50001-10.0.0.9:1863", "10.0.0.1:50002-10.0.0.9:1864"),
                r.connections().stream().map(TcpConnection::id).toList());
        assertEquals("VER 1 MSNP8\r\n", text(r.connections().get(0), Direction.C2S));
        assertEquals("USR 1 a@b c\r\n", text(r.connections().get(1), Direction.C2S));
        assertEquals(6, r.packets());
    }
}

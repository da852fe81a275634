package msnscope.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import msnscope.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every supported file format and link layer yields the same reassembled exchange. */
class PcapFormatsTest {
    private static final long T0 = 1_700_000_000_123_456L;

    @TempDir
    Path dir;

    static Stream<Arguments> linkLayers() {
        return Stream.of(
                link("Ethernet", 1, TestPackets::ethernet, "10.0.0.1", "10.0.0.2"),
                link("Ethernet with two VLAN tags", 1, ip -> TestPackets.ethernet(ip, 100, 200), "10.0.0.1", "10.0.0.2"),
                link("Ethernet IPv6", 1, TestPackets::ethernet, "2001:db8::1", "2001:db8::2"),
                link("Linux cooked SLL", 113, TestPackets::sll, "10.0.0.1", "10.0.0.2"),
                link("Linux cooked SLL IPv6", 113, TestPackets::sll, "2001:db8::1", "2001:db8::2"),
                link("Linux cooked SLL2", 276, TestPackets::sll2, "10.0.0.1", "10.0.0.2"),
                link("BSD null, little-endian family", 0, ip -> TestPackets.loopback(ip, ByteOrder.LITTLE_ENDIAN), "127.0.0.1", "127.0.0.1"),
                link("BSD null IPv6", 0, ip -> TestPackets.loopback(ip, ByteOrder.LITTLE_ENDIAN), "::1", "::1"),
                link("OpenBSD loop", 108, ip -> TestPackets.loopback(ip, ByteOrder.BIG_ENDIAN), "127.0.0.1", "127.0.0.1"),
                link("raw IP 101", 101, ip -> ip, "10.0.0.1", "10.0.0.2"),
                link("raw IP 101 IPv6", 101, ip -> ip, "2001:db8::1", "2001:db8::2"),
                link("raw IP 12", 12, ip -> ip, "10.0.0.1", "10.0.0.2"),
                link("raw IP 14", 14, ip -> ip, "10.0.0.1", "10.0.0.2"),
                link("IPv4 228", 228, ip -> ip, "10.0.0.1", "10.0.0.2"),
                link("IPv6 229", 229, ip -> ip, "2001:db8::1", "2001:db8::2"));
    }

    private static Arguments link(String name, int linkType, UnaryOperator<byte[]> wrap, String client, String server) {
        return Arguments.of(name, linkType, new TestFlow(client, 50123, server, 1863, wrap));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkLayers")
    void everyLinkLayerYieldsTheExchange(String name, int linkType, TestFlow flow) throws Exception {
        PcapTestWriter w = PcapTestWriter.pcap(linkType);
        write(w, flow.verExchange());
        assertVerExchange(PcapReader.read(w.write(dir.resolve("x.pcap"))), flow);
    }

    @Test
    void bigEndianClassicPcapIsRead() throws Exception {
        TestFlow flow = TestFlow.ethernet("10.0.0.1", "10.0.0.2");
        PcapTestWriter w = PcapTestWriter.pcap(ByteOrder.BIG_ENDIAN, false, 1);
        write(w, flow.verExchange());
        assertVerExchange(PcapReader.read(w.write(dir.resolve("be.pcap"))), flow);
    }

    @Test
    void nanosecondPcapTimesBecomeMicroseconds() throws Exception {
        TestFlow flow = TestFlow.ethernet("10.0.0.1", "10.0.0.2");
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            PcapTestWriter w = PcapTestWriter.pcap(order, true, 1);
            write(w, flow.verExchange());
            PcapResult r = PcapReader.read(w.write(dir.resolve("ns.pcap")));
            assertVerExchange(r, flow);
            assertEquals(T0, r.connections().get(0).firstMicros(), order.toString());
        }
    }

    @Test
    void ipv4OptionsAreSkipped() throws Exception {
        // Record route with room for one address, then end of options: 8 bytes.
        TestFlow flow = TestFlow.ethernet("10.0.0.1", "10.0.0.2").withIpv4Options(new byte[] {7, 7, 4, 0, 0, 0, 0, 0});
        PcapTestWriter w = PcapTestWriter.pcap(1);
        write(w, flow.verExchange());
        assertVerExchange(PcapReader.read(w.write(dir.resolve("opt.pcap"))), flow);
    }

    @Test
    void ipv6ExtensionHeadersAreSkipped() throws Exception {
        TestFlow flow = TestFlow.ethernet("2001:db8::1", "2001:db8::2").withIpv6Extensions();
        PcapTestWriter w = PcapTestWriter.pcap(1);
        write(w, flow.verExchange());
        PcapResult r = PcapReader.read(w.write(dir.resolve("ext.pcap")));
        assertVerExchange(r, flow);
        assertEquals("[2001:db8::1]:50123-[2001:db8::2]:1863", r.connections().get(0).id());
    }

    @Test
    void pcapngInEitherByteOrderIsRead() throws Exception {
        TestFlow flow = TestFlow.ethernet("10.0.0.1", "10.0.0.2");
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            PcapTestWriter w = PcapTestWriter.pcapng(order).interfaceBlock(1, -1);
            write(w, flow.verExchange());
            PcapResult r = PcapReader.read(w.write(dir.resolve("x.pcapng")));
            assertVerExchange(r, flow);
            assertEquals(T0, r.connections().get(0).firstMicros(), order.toString());
        }
    }

    @Test
    void pcapngTimestampResolutionIsHonoured() throws Exception {
        TestFlow flow = TestFlow.ethernet("10.0.0.1", "10.0.0.2");
        byte[][] frames = flow.verExchange();
        PcapTestWriter w = PcapTestWriter.pcapng(ByteOrder.LITTLE_ENDIAN)
                .interfaceBlock(1, 9) // nanoseconds
                .interfaceBlock(1, 0x80 | 20); // 2^-20 seconds
        w.enhancedPacket(0, T0 * 1000 + 999, frames[0]); // sub-microsecond part is dropped
        long seconds = (T0 + 10) / 1_000_000;
        long micros = (T0 + 10) % 1_000_000;
        for (int i = 1; i < frames.length; i++) {
            // 2^-20 s ticks: exact for whole seconds, the fraction rounds down to the microsecond.
            w.enhancedPacket(1, (seconds << 20) + ((micros << 20) + 999_999) / 1_000_000, frames[i]);
        }
        PcapResult r = PcapReader.read(w.write(dir.resolve("tsresol.pcapng")));
        TcpConnection c = r.connections().get(0);
        assertEquals(T0, c.firstMicros());
        assertEquals(T0 + 10, c.chunks().get(0).timeMicros());
        assertVerExchange(r, flow);
    }

    @Test
    void pcapngSimpleAndObsoletePacketBlocksAndUnknownBlocksAreHandled() throws Exception {
        TestFlow flow = TestFlow.ethernet("10.0.0.1", "10.0.0.2");
        byte[][] frames = flow.verExchange();
        PcapTestWriter w = PcapTestWriter.pcapng(ByteOrder.BIG_ENDIAN).interfaceBlock(1, -1);
        w.block(0x0BAD0BAD, new byte[1000]); // unknown to the reader: skipped by its length
        w.enhancedPacket(0, T0, frames[0]);
        w.obsoletePacket(0, T0 + 1, frames[1]);
        w.block(5, new byte[24]); // interface statistics
        w.simplePacket(frames[2]); // no timestamp: takes the previous packet's
        for (int i = 3; i < frames.length; i++) {
            w.enhancedPacket(0, T0 + i, frames[i]);
        }
        PcapResult r = PcapReader.read(w.write(dir.resolve("blocks.pcapng")));
        assertVerExchange(r, flow);
        assertEquals(7, r.packets());
    }

    @Test
    void aSecondPcapngSectionMayChangeByteOrderAndInterfaces() throws Exception {
        TestFlow flow = TestFlow.ethernet("10.0.0.1", "10.0.0.2");
        byte[][] frames = flow.verExchange();
        PcapTestWriter first = PcapTestWriter.pcapng(ByteOrder.LITTLE_ENDIAN).interfaceBlock(1, -1);
        PcapTestWriter second = PcapTestWriter.pcapng(ByteOrder.BIG_ENDIAN).interfaceBlock(113, -1);
        for (int i = 0; i < 3; i++) {
            first.enhancedPacket(0, T0 + i, frames[i]);
        }
        UnaryOperator<byte[]> toSll = f -> TestPackets.sll(java.util.Arrays.copyOfRange(f, 14, f.length));
        for (int i = 3; i < frames.length; i++) {
            second.enhancedPacket(0, T0 + i, toSll.apply(frames[i]));
        }
        Path file = dir.resolve("sections.pcapng");
        Files.write(file, TestPackets.concat(first.toByteArray(), second.toByteArray()));
        assertVerExchange(PcapReader.read(file), flow);
    }

    @Test
    void notACaptureIsRefusedWithAOneLineMessage() throws Exception {
        Path elf = dir.resolve("a.out");
        Files.write(elf, new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        PcapFormatException e = assertThrows(PcapFormatException.class, () -> PcapReader.read(elf));
        assertEquals("not a pcap or pcapng file: bad magic 0x7f454c46", e.getMessage());
    }

    @Test
    void emptyAndMissingFilesAreRefusedWithAOneLineMessage() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.pcap"));
        assertEquals("not a pcap or pcapng file: it is empty",
                assertThrows(PcapFormatException.class, () -> PcapReader.read(empty)).getMessage());
        Path missing = dir.resolve("missing.pcap");
        assertEquals("cannot read " + missing + ": no such file",
                assertThrows(PcapFormatException.class, () -> PcapReader.read(missing)).getMessage());
    }

    @Test
    void ipv4FragmentsAreSkippedWithAProblem() throws Exception {
        TestFlow flow = TestFlow.ethernet("10.0.0.1", "10.0.0.2");
        PcapTestWriter w = PcapTestWriter.pcap(1);
        write(w, flow.verExchange());
        byte[] tcp = TestPackets.tcp(50123, 1863, 5, 6, TestPackets.ACK, new byte[16]);
        w.packet(T0 + 100, TestPackets.ethernet(TestPackets.ipv4("10.0.0.1", "10.0.0.2", 6, new byte[0], 0x2000, tcp)));
        w.packet(T0 + 101, TestPackets.ethernet(TestPackets.ipv4("10.0.0.1", "10.0.0.2", 6, new byte[0], 5, new byte[8])));
        PcapResult r = PcapReader.read(w.write(dir.resolve("frag.pcap")));
        assertVerExchange(r, flow);
        assertEquals(List.of("2 IPv4 fragments of TCP skipped (IP fragment reassembly is not supported) (first: packet 8)"),
                r.problems());
    }

    @Test
    void ipv6FragmentsAreSkippedWithAProblemButAnAtomicFragmentIsRead() throws Exception {
        TestFlow flow = TestFlow.ethernet("2001:db8::1", "2001:db8::2");
        PcapTestWriter w = PcapTestWriter.pcap(1);
        byte[][] frames = flow.verExchange();
        write(w, frames);
        byte[] tcp = TestPackets.tcp(50123, 1863, 5, 6, TestPackets.ACK, new byte[16]);
        byte[] firstFragment = {6, 0, 0, 1, 0, 0, 0, 42}; // offset 0, more fragments
        byte[] atomic = {6, 0, 0, 0, 0, 0, 0, 43}; // offset 0, no more: a whole packet
        w.packet(T0 + 100, TestPackets.ethernet(TestPackets.ipv6("2001:db8::1", "2001:db8::2", 44, firstFragment, tcp)));
        w.packet(T0 + 101, TestPackets.ethernet(TestPackets.ipv6("2001:db8::1", "2001:db8::2", 44, atomic,
                TestPackets.tcp(50124, 1863, 777, 0, TestPackets.ACK, TestPackets.ascii("PNG\r\n")))));
        PcapResult r = PcapReader.read(w.write(dir.resolve("frag6.pcap")));
        assertEquals(List.of("1 IPv6 fragment of TCP skipped (IP fragment reassembly is not supported) (first: packet 8)"),
                r.problems());
        assertEquals(2, r.connections().size());
        assertEquals("PNG\r\n", new String(r.connections().get(1).bytes(Direction.C2S), StandardCharsets.ISO_8859_1));
    }

    @Test
    void nonTcpTrafficIsIgnoredQuietlyAndUnknownLinkTypesAreReported() throws Exception {
        PcapTestWriter w = PcapTestWriter.pcap(1);
        w.packet(T0, TestPackets.ethernet(TestPackets.ipv4("10.0.0.1", "10.0.0.2", 17, new byte[0], 0, new byte[12])));
        PcapResult r = PcapReader.read(w.write(dir.resolve("udp.pcap")));
        assertEquals(List.of(), r.connections());
        assertEquals(List.of(), r.problems());
        assertEquals(1, r.packets());

        PcapTestWriter wifi = PcapTestWriter.pcap(105);
        wifi.packet(T0, new byte[40]).packet(T0 + 1, new byte[40]);
        PcapResult r2 = PcapReader.read(wifi.write(dir.resolve("wifi.pcap")));
        assertEquals(List.of("2 packets on unsupported link type 105 skipped (first: packet 1)"), r2.problems());
    }

    @Test
    void progressIsReportedUpToTheWholeFile() throws Exception {
        TestFlow flow = TestFlow.ethernet("10.0.0.1", "10.0.0.2");
        PcapTestWriter w = PcapTestWriter.pcap(1);
        write(w, flow.verExchange());
        Path file = w.write(dir.resolve("p.pcap"));
        long[] last = new long[2];
        PcapResult r = PcapReader.read(file, (read, total) -> {
            last[0] = read;
            last[1] = total;
        });
        assertEquals(Files.size(file), last[0]);
        assertEquals(Files.size(file), last[1]);
        assertEquals(Files.size(file), r.bytes());
    }

    private static void write(PcapTestWriter w, byte[][] frames) {
        for (int i = 0; i < frames.length; i++) {
            w.packet(T0 + i, frames[i]);
        }
    }

    private static void assertVerExchange(PcapResult r, TestFlow flow) {
        assertEquals(1, r.connections().size(), "connections; problems: " + r.problems());
        TcpConnection c = r.connections().get(0);
        assertEquals("VER 1 MSNP8 CVR0\r\n", new String(c.bytes(Direction.C2S), StandardCharsets.ISO_8859_1));
        assertEquals("VER 1 MSNP8\r\n", new String(c.bytes(Direction.S2C), StandardCharsets.ISO_8859_1));
        assertEquals(flow.clientPort, c.client().getPort());
        assertEquals(flow.serverPort, c.server().getPort());
        assertTrue(c.clientKnownFromSyn() && c.sawSyn() && c.closed());
        assertEquals(List.of(), c.problems());
        assertTrue(MsnpDetector.looksLikeMsnp(c));
        assertFalse(c.chunks().isEmpty());
    }

    @Test
    void isCaptureKnowsEveryMagicNumberAndNothingElse() {
        int[] magics = {0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a};
        for (int m : magics) {
            byte[] head = {(byte) (m >>> 24), (byte) (m >>> 16), (byte) (m >>> 8), (byte) m, 0};
            assertTrue(PcapReader.isCapture(head), Integer.toHexString(m));
        }
        assertFalse(PcapReader.isCapture("C: VER 1 MSNP8".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(PcapReader.isCapture(new byte[] {(byte) 0xa1, (byte) 0xb2}));
        assertFalse(PcapReader.isCapture(new byte[0]));
    }
}

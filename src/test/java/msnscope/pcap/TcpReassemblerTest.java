package msnscope.pcap;

import static msnscope.pcap.TestPackets.ACK;
import static msnscope.pcap.TestPackets.FIN;
import static msnscope.pcap.TestPackets.PSH;
import static msnscope.pcap.TestPackets.RST;
import static msnscope.pcap.TestPackets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import msnscope.wire.Direction;
import org.junit.jupiter.api.Test;

/** Reassembly fed segment by segment, without a file. */
class TcpReassemblerTest {
    private static final int CLIENT = 0x0A000001; // 10.0.0.1
    private static final int SERVER = 0x0A000002; // 10.0.0.2

    private TcpReassembler reassembler = new TcpReassembler();
    private long time = 1_700_000_000_000_000L;
    private int clientPort = 50000;
    private int serverPort = 1863;

    private void fromClient(int seq, int ack, int flags, String data) {
        send(CLIENT, clientPort, SERVER, serverPort, seq, ack, flags, data, 0);
    }

    private void fromServer(int seq, int ack, int flags, String data) {
        send(SERVER, serverPort, CLIENT, clientPort, seq, ack, flags, data, 0);
    }

    private void send(int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags, String data, int missing) {
        TcpSegment s = new TcpSegment().ipv4(src, srcPort, dst, dstPort);
        byte[] payload = data.getBytes(StandardCharsets.ISO_8859_1);
        // Surround the payload so offsets are exercised, and reuse nothing the reassembler may keep.
        byte[] buf = new byte[payload.length + 7];
        System.arraycopy(payload, 0, buf, 5, payload.length);
        s.seq = seq;
        s.ack = ack;
        s.flags = flags;
        s.buf = buf;
        s.payloadOffset = 5;
        s.payloadLength = payload.length;
        s.missingLength = missing;
        s.timeMicros = time += 1000;
        reassembler.accept(s);
        java.util.Arrays.fill(buf, (byte) '#');
    }

    private void handshake() {
        fromClient(1000, 0, SYN, "");
        fromServer(9000, 1001, SYN | ACK, "");
        fromClient(1001, 9001, ACK, "");
    }

    private TcpConnection only() {
        List<TcpConnection> all = reassembler.finish();
        assertEquals(1, all.size());
        return all.get(0);
    }

    private static String text(TcpConnection c, Direction dir) {
        return new String(c.bytes(dir), StandardCharsets.ISO_8859_1);
    }

    @Test
    void bothDirectionsComeOutInCaptureOrderWithTheirPacketTimes() {
        handshake();
        fromClient(1001, 9001, PSH | ACK, "VER 1 MSNP8 CVR0\r\n");
        long verTime = time;
        fromServer(9001, 1019, PSH | ACK, "VER 1 MSNP8\r\n");
        fromClient(1019, 9014, PSH | ACK, "CVR 2 x\r\n");

        TcpConnection c = only();
        assertEquals(List.of(Direction.C2S, Direction.S2C, Direction.C2S), c.chunks().stream().map(TcpChunk::dir).toList());
        assertEquals(verTime, c.chunks().get(0).timeMicros());
        assertEquals("VER 1 MSNP8 CVR0\r\nCVR 2 x\r\n", text(c, Direction.C2S));
        assertEquals("VER 1 MSNP8\r\n", text(c, Direction.S2C));
        assertEquals("10.0.0.1:50000-10.0.0.2:1863", c.id());
        assertTrue(c.sawSyn() && c.clientKnownFromSyn());
        assertFalse(c.closed());
        assertEquals(List.of(), c.problems());
    }

    @Test
    void outOfOrderSegmentsWaitUntilTheGapFills() {
        handshake();
        fromClient(1001, 9001, ACK, "AAAA");
        fromClient(1009, 9001, ACK, "CCCC");
        fromClient(1013, 9001, ACK, "DDDD");
        fromClient(1005, 9001, ACK, "BBBB");
        long fillTime = time;

        TcpConnection c = only();
        assertEquals("AAAABBBBCCCCDDDD", text(c, Direction.C2S));
        assertEquals(List.of(), c.problems());
        // Held-back bytes are timed when they became usable, so time never runs backwards.
        assertEquals(fillTime, c.chunks().get(c.chunks().size() - 1).timeMicros());
    }

    @Test
    void retransmittedAndOverlappingBytesAreKeptOnce() {
        handshake();
        fromClient(1001, 9001, ACK, "ABCDEF");
        fromClient(1001, 9001, ACK, "ABCDEF");
        fromClient(1004, 9001, ACK, "DEFGHI");
        fromClient(1008, 9001, ACK, "HI");
        fromClient(1013, 9001, ACK, "MN"); // waits
        fromClient(1012, 9001, ACK, "LMNO"); // waits, overlapping the other
        fromClient(1010, 9001, ACK, "JKL");

        TcpConnection c = only();
        assertEquals("ABCDEFGHIJKLMNO", text(c, Direction.C2S));
        assertEquals(List.of(), c.problems());
    }

    @Test
    void aMissingSegmentIsReportedAndSkippedWithNothingInItsPlace() {
        handshake();
        fromClient(1001, 9001, ACK, "AAAA");
        fromClient(1009, 9001, ACK | FIN, "CCCC");
        fromServer(9001, 1014, ACK | FIN, "");

        TcpConnection c = only();
        assertEquals("AAAACCCC", text(c, Direction.C2S));
        assertEquals(List.of("C2S: 4 bytes missing at seq 1005 (never captured)"), c.problems());
        assertTrue(c.closed());
    }

    @Test
    void aResetMakesEveryGapFinal() {
        handshake();
        fromClient(1001, 9001, ACK, "AAAA");
        fromClient(1009, 9001, ACK, "CCCC");
        fromServer(9001, 0, RST, "");
        fromClient(1005, 9001, ACK, "BBBB"); // after the reset: too late to count

        TcpConnection c = only();
        assertEquals("AAAACCCC", text(c, Direction.C2S));
        assertEquals(List.of("C2S: 4 bytes missing at seq 1005 (never captured before the reset)"), c.problems());
        assertTrue(c.closed());
    }

    @Test
    void aCaptureStartingMidStreamTakesTheFirstSequenceNumbersSeen() {
        fromServer(77_000, 5_000, PSH | ACK, "NLN NLN bob@example.com bob 0\r\n");
        fromClient(5_000, 77_031, PSH | ACK, "PNG\r\n");
        fromServer(77_031, 5_005, PSH | ACK, "QNG 50\r\n");

        TcpConnection c = only();
        assertEquals("PNG\r\n", text(c, Direction.C2S));
        assertEquals("NLN NLN bob@example.com bob 0\r\nQNG 50\r\n", text(c, Direction.S2C));
        assertFalse(c.sawSyn());
        assertFalse(c.clientKnownFromSyn());
        assertEquals(1863, c.server().getPort(), "the MSNP port marks the server though it spoke first");
        assertEquals(List.of("no SYN captured: the capture starts after the connection was opened"), c.problems());
    }

    @Test
    void sequenceNumbersWrapAroundAt2To32() {
        fromClient(0xFFFFFFF0, 0, SYN, "");
        fromServer(9000, 0xFFFFFFF1, SYN | ACK, "");
        fromClient(0xFFFFFFF1, 9001, ACK, "0123456789");
        fromClient(0x00000005, 9001, ACK, "UVWXYZ"); // after the wrap, out of order
        fromClient(0xFFFFFFFB, 9001, ACK, "abcdefghij"); // straddles the wrap

        TcpConnection c = only();
        assertEquals("0123456789abcdefghijUVWXYZ", text(c, Direction.C2S));
        assertEquals(List.of(), c.problems());
    }

    @Test
    void theOutOfOrderBufferIsBoundedAndGivesUpOnTheGap() {
        reassembler = new TcpReassembler(8, 100);
        handshake();
        fromClient(1001, 9001, ACK, "AAAA");
        fromClient(1009, 9001, ACK, "CCCC");
        fromClient(1013, 9001, ACK, "DDDD"); // 8 bytes waiting: still within the limit
        fromClient(1017, 9001, ACK, "EEEE"); // 12: over it
        fromClient(1005, 9001, ACK, "BBBB"); // too late

        TcpConnection c = only();
        assertEquals("AAAACCCCDDDDEEEE", text(c, Direction.C2S));
        assertEquals(List.of("C2S: 4 bytes missing at seq 1005 (still missing when the out-of-order buffer filled up)"),
                c.problems());
    }

    @Test
    void bytesAcknowledgedButNeverCapturedAtTheEndAreReported() {
        handshake();
        fromClient(1001, 9001, ACK, "AAAA");
        fromServer(9001, 1013, ACK, "");

        TcpConnection c = only();
        assertEquals("AAAA", text(c, Direction.C2S));
        assertEquals(List.of("C2S: 8 bytes missing at seq 1005 (acknowledged by the other side but never captured)"),
                c.problems());
    }

    @Test
    void payloadCutBySnapLengthIsReportedAndTheStreamGoesOn() {
        handshake();
        send(CLIENT, clientPort, SERVER, serverPort, 1001, 9001, ACK, "AAAA", 6);
        fromClient(1011, 9001, ACK, "BBBB");

        TcpConnection c = only();
        assertEquals("AAAABBBB", text(c, Direction.C2S));
        assertEquals(List.of("C2S: 6 bytes missing at seq 1005 (not captured (snap length or damaged file))"), c.problems());
    }

    @Test
    void aSynOnAClosedFourTupleStartsTheNextConnection() {
        handshake();
        fromClient(1001, 9001, PSH | ACK | FIN, "OUT\r\n");
        fromServer(9001, 1007, ACK | FIN, "");
        fromClient(1007, 9002, ACK, "");
        fromClient(2000, 0, SYN, "");
        fromServer(3000, 2001, SYN | ACK, "");
        fromClient(2001, 3001, PSH | ACK, "VER 1 MSNP8\r\n");

        List<TcpConnection> all = reassembler.finish();
        assertEquals(List.of("10.0.0.1:50000-10.0.0.2:1863", "10.0.0.1:50000-10.0.0.2:1863#2"),
                all.stream().map(TcpConnection::id).toList());
        assertEquals("OUT\r\n", text(all.get(0), Direction.C2S));
        assertEquals("VER 1 MSNP8\r\n", text(all.get(1), Direction.C2S));
    }

    @Test
    void aSynAfterDataOnTheSameFourTupleStartsTheNextConnectionEvenWithoutACapturedClose() {
        fromClient(5000, 7000, PSH | ACK, "PNG\r\n"); // the end of an older connection, its close not captured
        fromClient(1000, 0, SYN, "");
        fromClient(1000, 0, SYN, ""); // retransmitted SYN: same connection
        fromServer(9000, 1001, SYN | ACK, "");
        fromClient(1001, 9001, PSH | ACK, "VER 1 MSNP8\r\n");

        List<TcpConnection> all = reassembler.finish();
        assertEquals(2, all.size());
        assertEquals("PNG\r\n", text(all.get(0), Direction.C2S));
        assertEquals("VER 1 MSNP8\r\n", text(all.get(1), Direction.C2S));
        assertTrue(all.get(1).clientKnownFromSyn());
    }

    @Test
    void aSynAckCapturedBeforeItsSynStaysOneConnection() {
        fromServer(9000, 1001, SYN | ACK, "");
        fromClient(1000, 0, SYN, "");
        fromClient(1001, 9001, PSH | ACK, "VER 1 MSNP8\r\n");

        TcpConnection c = only();
        assertEquals("VER 1 MSNP8\r\n", text(c, Direction.C2S));
        assertEquals(1863, c.server().getPort());
    }

    @Test
    void aSynAckAloneTellsWhoTheServerIs() {
        serverPort = 40000; // higher than the client's: the port rule would guess wrong
        clientPort = 30000;
        fromServer(9000, 1001, SYN | ACK, "");
        fromClient(1001, 9001, ACK, "hello");

        TcpConnection c = only();
        assertEquals(40000, c.server().getPort());
        assertTrue(c.clientKnownFromSyn());
    }

    @Test
    void withoutASynAPortSeenListeningElsewhereMarksTheServer() {
        serverPort = 50000;
        clientPort = 30000;
        handshake();
        clientPort = 40000; // second connection, captured mid-stream, server speaking first
        fromServer(123, 456, PSH | ACK, "data");
        fromClient(456, 127, ACK, "more");

        List<TcpConnection> all = reassembler.finish();
        assertEquals(50000, all.get(1).server().getPort());
        assertEquals(40000, all.get(1).client().getPort());
        assertFalse(all.get(1).clientKnownFromSyn());
    }

    @Test
    void withoutASynOrKnownPortsAClientOpeningLineMarksTheClient() {
        serverPort = 6000;
        clientPort = 7000;
        fromServer(100, 200, PSH | ACK, "noise");
        fromClient(200, 105, PSH | ACK, "VER 1 MSNP8 CVR0\r\n");

        TcpConnection c = only();
        assertEquals(7000, c.client().getPort());
    }

    @Test
    void withNothingElseToGoOnTheLowerPortIsTheServer() {
        serverPort = 6000;
        clientPort = 7000;
        fromServer(200, 100, PSH | ACK, "hello"); // the listening side happens to speak first
        fromClient(100, 205, PSH | ACK, "world");

        TcpConnection c = only();
        assertEquals(6000, c.server().getPort());
        assertEquals("hello", text(c, Direction.S2C));
    }

    @Test
    void chunksAreCopiesTheCallerMayNotChange() {
        handshake();
        fromClient(1001, 9001, ACK, "AAAA");
        TcpConnection c = only();
        byte[] data = c.chunks().get(0).data();
        data[0] = 'X';
        assertEquals("AAAA", text(c, Direction.C2S));
    }
}

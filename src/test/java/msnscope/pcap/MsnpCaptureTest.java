package msnscope.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static msnscope.pcap.TestPackets.ACK;
import static msnscope.pcap.TestPackets.PSH;
import static msnscope.pcap.TestPackets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a capture without anything to dissect says about itself, and reading one from a pipe. */
class MsnpCaptureTest {

    private static final long T0 = TestFlow.T0;
    private static final int C = TestFlow.CLIENT_SEQ;
    private static final int S = TestFlow.SERVER_SEQ;

    @TempDir
    Path dir;

    @Test
    void aCaptureOfOnlyHttpSaysItHoldsNoMsnpConnection() throws Exception {
        TestFlow f = TestFlow.ethernet("10.0.0.2", "10.0.0.1");
        PcapTestWriter w = PcapTestWriter.pcap(1)
                .packet(T0, f.client(C - 1, 0, SYN, ""))
                .packet(T0 + 1, f.server(S - 1, C, SYN | ACK, ""))
                .packet(T0 + 2, f.client(C, S, PSH | ACK, "GET /rdr/pprdr.asp HTTP/1.1\r\nHost: nexus\r\n\r\n"));
        MsnpCapture c = MsnpCapture.of(PcapReader.read(w.write(dir.resolve("http.pcap"))));
        assertEquals(List.of(), c.connections());
        assertEquals(List.of("no MSNP connection in 1 TCP connection"), c.problems());
    }

    @Test
    void aHeaderOnlyCaptureSaysItHoldsNoPackets() throws Exception {
        MsnpCapture c = MsnpCapture.of(PcapReader.read(PcapTestWriter.pcap(1).write(dir.resolve("empty.pcap"))));
        assertEquals(List.of("the capture holds no packets (only its header)"), c.problems());
        MsnpCapture ng = MsnpCapture.of(PcapReader.read(PcapTestWriter.pcapng(java.nio.ByteOrder.LITTLE_ENDIAN)
                .interfaceBlock(1, 6).write(dir.resolve("empty.pcapng"))));
        assertEquals(List.of("the capture holds no packets (only its header)"), ng.problems());
    }

    @Test
    void aPipeIsReadLikeTheFileEvenPastBlocksItSkips() throws Exception {
        TestFlow f = TestFlow.ethernet("10.0.0.2", "10.0.0.1");
        PcapTestWriter w = PcapTestWriter.pcapng(java.nio.ByteOrder.BIG_ENDIAN).interfaceBlock(1, 6)
                .block(0x0BAD0BAD, new byte[3 << 20]) // skipped unread in a file, read and dropped in a pipe
                .enhancedPacket(0, T0, f.client(C - 1, 0, SYN, ""))
                .enhancedPacket(0, T0 + 1, f.server(S - 1, C, SYN | ACK, ""))
                .enhancedPacket(0, T0 + 2, f.client(C, S, PSH | ACK, "VER 1 MSNP8 CVR0\r\n"))
                .enhancedPacket(0, T0 + 3, f.server(S, C + 18, PSH | ACK, "VER 1 MSNP8\r\n"));
        Path file = w.write(dir.resolve("skip.pcapng"));
        PcapResult fromFile = PcapReader.read(file);
        PcapResult fromPipe = PcapReader.read(new ByteArrayInputStream(Files.readAllBytes(file)), "standard input", -1, ProgressListener.NONE);
        assertEquals(fromFile.packets(), fromPipe.packets());
        assertEquals(fromFile.bytes(), fromPipe.bytes());
        assertEquals(fromFile.problems(), fromPipe.problems());
        assertEquals(1, MsnpCapture.of(fromPipe).connections().size());
        assertEquals(new String(fromFile.connections().get(0).chunks().get(0).data()),
                new String(fromPipe.connections().get(0).chunks().get(0).data()));
    }
}

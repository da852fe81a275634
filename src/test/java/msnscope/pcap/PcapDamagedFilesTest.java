package msnscope.pcap;

import static msnscope.pcap.TestPackets.ACK;
import static msnscope.pcap.TestPackets.PSH;
import static msnscope.pcap.TestPackets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import msnscope.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncated and damaged captures never throw: the problem is reported and what was read is kept. */
class PcapDamagedFilesTest {
    private static final long T0 = TestFlow.T0;
    private static final String LINE1 = "VER 1 MSNP8 CVR0\r\n";
    private static final String LINE2 = "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0816 MSMSGS alice@example.com\r\n";

    @TempDir
    Path dir;

    private final TestFlow flow = TestFlow.ethernet("10.0.0.1", "10.0.0.2");

    /** Handshake and two client lines; the last frame is the second line (frame length 54 + payload). */
    private byte[][] frames() {
        int c = TestFlow.CLIENT_ISN + 1;
        int s = TestFlow.SERVER_ISN + 1;
        return new byte[][] {
            flow.client(c - 1, 0, SYN, ""),
            flow.server(s - 1, c, SYN | ACK, ""),
            flow.client(c, s, PSH | ACK, LINE1),
            flow.client(c + LINE1.length(), s, PSH | ACK, LINE2),
        };
    }

    private PcapTestWriter pcap(byte[][] frames) {
        PcapTestWriter w = PcapTestWriter.pcap(1);
        for (int i = 0; i < frames.length; i++) {
            w.packet(T0 + i, frames[i]);
        }
        return w;
    }

    private static String c2s(PcapResult r) {
        return new String(r.connections().get(0).bytes(Direction.C2S), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aPcapCutMidPacketKeepsThePartThatWasWritten() throws Exception {
        PcapResult r = PcapReader.read(pcap(frames()).writeTruncated(dir.resolve("cut.pcap"), 10));

        assertEquals(List.of("file ends inside packet 4: " + (54 + LINE2.length() - 10) + " of " + (54 + LINE2.length())
                + " bytes present (capture cut short?)"), r.problems());
        assertEquals(4, r.packets());
        assertEquals(LINE1 + LINE2.substring(0, LINE2.length() - 10), c2s(r));
        assertEquals(List.of("C2S: 10 bytes missing at seq " + (TestFlow.CLIENT_ISN + 1 + LINE1.length() + LINE2.length() - 10)
                + " (not captured (snap length or damaged file))"), r.connections().get(0).problems());
    }

    @Test
    void aPcapCutInsideARecordHeaderKeepsEveryWholePacket() throws Exception {
        PcapTestWriter w = pcap(frames()).raw(new byte[7]);
        PcapResult r = PcapReader.read(w.write(dir.resolve("cut.pcap")));

        assertEquals(List.of("file ends inside the header of packet 5 (capture cut short?)"), r.problems());
        assertEquals(LINE1 + LINE2, c2s(r));
    }

    @Test
    void aPcapWithOnlyPartOfItsFileHeaderIsRefusedWithAOneLineMessage() throws Exception {
        Path file = PcapTestWriter.pcap(1).writeTruncated(dir.resolve("h.pcap"), 10);
        PcapFormatException e = org.junit.jupiter.api.Assertions.assertThrows(PcapFormatException.class, () -> PcapReader.read(file));
        assertEquals("pcap file header truncated: 14 of 24 bytes", e.getMessage());
    }

    @Test
    void aPcapngCutMidBlockKeepsThePartThatWasWritten() throws Exception {
        PcapTestWriter w = PcapTestWriter.pcapng(ByteOrder.LITTLE_ENDIAN).interfaceBlock(1, -1);
        byte[][] frames = frames();
        for (int i = 0; i < frames.length; i++) {
            w.packet(T0 + i, frames[i]);
        }
        // The block ends with padding and its trailing length: cut 20 bytes to lose payload too.
        int padding = (4 - (54 + LINE2.length()) % 4) % 4;
        PcapResult r = PcapReader.read(w.writeTruncated(dir.resolve("cut.pcapng"), 20));

        int lost = 20 - 4 - padding;
        assertEquals(LINE1 + LINE2.substring(0, LINE2.length() - lost), c2s(r));
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).startsWith("file ends inside packet 4: "), r.problems().get(0));
    }

    @Test
    void aSnapLengthCutIsReportedAndLaterSegmentsStillArrive() throws Exception {
        String line3 = "USR 3 TWN I alice@example.com\r\n";
        byte[][] base = frames();
        int seq3 = TestFlow.CLIENT_ISN + 1 + LINE1.length() + LINE2.length();
        byte[] third = flow.client(seq3, TestFlow.SERVER_ISN + 1, PSH | ACK, line3);
        PcapTestWriter w = PcapTestWriter.pcap(1).snapLen(54 + 40);
        for (int i = 0; i < base.length; i++) {
            w.packet(T0 + i, base[i]);
        }
        w.packet(T0 + 10, third);
        PcapResult r = PcapReader.read(w.write(dir.resolve("snap.pcap")));

        assertEquals(List.of(), r.problems());
        assertEquals(LINE1 + LINE2.substring(0, 40) + line3, c2s(r));
        assertEquals(List.of("C2S: " + (LINE2.length() - 40) + " bytes missing at seq " + (TestFlow.CLIENT_ISN + 1 + LINE1.length() + 40)
                + " (not captured (snap length or damaged file))"), r.connections().get(0).problems());
    }

    @Test
    void anImpossibleRecordLengthStopsReadingWithAProblem() throws Exception {
        PcapTestWriter w = pcap(frames());
        w.raw(java.nio.ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(1).putInt(0).putInt(0x7FFFFFF0).putInt(0x7FFFFFF0).array());
        w.raw(new byte[100]);
        PcapResult r = PcapReader.read(w.write(dir.resolve("bad.pcap")));

        assertEquals(LINE1 + LINE2, c2s(r));
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).startsWith("packet 5 claims 2147483632 captured bytes"), r.problems().get(0));
    }

    @Test
    void aPcapngBlockWithAnImpossibleLengthStopsReadingWithAProblem() throws Exception {
        PcapTestWriter w = PcapTestWriter.pcapng(ByteOrder.LITTLE_ENDIAN).interfaceBlock(1, -1);
        byte[][] frames = frames();
        for (int i = 0; i < frames.length; i++) {
            w.packet(T0 + i, frames[i]);
        }
        w.raw(java.nio.ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(6).putInt(13).putInt(0).array());
        PcapResult r = PcapReader.read(w.write(dir.resolve("bad.pcapng")));

        assertEquals(LINE1 + LINE2, c2s(r));
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).contains("impossible length 13"), r.problems().get(0));
    }

    @Test
    void framesCutBeforeTheirTcpHeaderAreCountedNotThrown() throws Exception {
        PcapTestWriter w = PcapTestWriter.pcap(1).snapLen(40);
        for (byte[] f : frames()) {
            w.packet(T0, f);
        }
        PcapResult r = PcapReader.read(w.write(dir.resolve("tiny.pcap")));
        assertEquals(List.of(), r.connections());
        assertEquals(List.of("4 packets cut before the end of their TCP/IP headers skipped (snap length too small?) (first: packet 1)"),
                r.problems());
    }
}

package msnscope.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parse speed on a generated capture. Off by default (it writes hundreds of megabytes); run with
 * {@code mvn -o test -Dtest=PcapThroughputTest -Dpcap.bench=true [-Dpcap.bench.mb=300]}.
 */
@EnabledIfSystemProperty(named = "pcap.bench", matches = "true")
class PcapThroughputTest {
    private static final int CONNECTIONS = 64;

    @TempDir
    Path dir;

    @Test
    void printsParseSpeedForBulkSegments() throws Exception {
        measure("bulk 1400-byte segments + ACKs", 1400);
    }

    @Test
    void printsParseSpeedForChattySmallLines() throws Exception {
        measure("chatty 90-byte lines + ACKs", 90);
    }

    private void measure(String shape, int payload) throws Exception {
        long megabytes = Long.getLong("pcap.bench.mb", 200);
        Path file = dir.resolve("big.pcap");
        long segments = generate(file, megabytes << 20, payload);
        long size = Files.size(file);
        for (int round = 1; round <= 3; round++) {
            long t0 = System.nanoTime();
            PcapResult r = PcapReader.read(file);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(CONNECTIONS, r.connections().size());
            long payloadBytes = r.connections().stream().mapToLong(TcpConnection::payloadBytes).sum();
            assertEquals(segments * payload, payloadBytes);
            System.out.printf("%s: round %d: %d MB, %d packets in %.2f s = %.0f MB/s, %.0f kpackets/s%n", shape, round,
                    size >> 20, r.packets(), seconds, size / seconds / 1e6, r.packets() / seconds / 1e3);
        }
    }

    /** Writes round-robin traffic on {@link #CONNECTIONS} connections; returns the data segments written. */
    private static long generate(Path file, long targetBytes, int payload) throws IOException {
        byte[] data = new byte[payload];
        Arrays.fill(data, (byte) 'x');
        byte[] dataFrame = TestPackets.ethernet(TestPackets.ipv4Tcp("10.0.0.1", 0, "10.0.0.2", 1863, 0, 0, 0x18, data));
        byte[] ackFrame = TestPackets.ethernet(TestPackets.ipv4Tcp("10.0.0.2", 1863, "10.0.0.1", 0, 0, 0, 0x10, new byte[0]));
        int[] clientSeq = new int[CONNECTIONS];
        long written = 24;
        long segments = 0;
        long time = 1_700_000_000_000_000L;
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(PcapTestWriter.pcap(1).toByteArray());
            while (written < targetBytes) {
                int c = (int) (segments % CONNECTIONS);
                int port = 40000 + c;
                // client → server data
                ByteBuffer.wrap(dataFrame).putShort(34, (short) port).putInt(38, clientSeq[c]);
                written += record(out, header, time, dataFrame);
                clientSeq[c] += payload;
                // server → client ack
                ByteBuffer.wrap(ackFrame).putShort(36, (short) port).putInt(42, clientSeq[c]);
                written += record(out, header, time + 1, ackFrame);
                time += 10;
                segments++;
            }
        }
        return segments;
    }

    private static int record(OutputStream out, ByteBuffer header, long time, byte[] frame) throws IOException {
        header.clear();
        header.putInt((int) (time / 1_000_000)).putInt((int) (time % 1_000_000)).putInt(frame.length).putInt(frame.length);
        out.write(header.array());
        out.write(frame);
        return 16 + frame.length;
    }
}

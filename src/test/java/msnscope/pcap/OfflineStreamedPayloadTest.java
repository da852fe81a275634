package msnscope.pcap;

import msnscope.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static msnscope.pcap.TestPackets.ACK;
import static msnscope.pcap.TestPackets.PSH;
import static msnscope.pcap.TestPackets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dissect} of a capture frames a payload above {@code --max-payload} the way the proxy does and
 * the way the server reads it: as the payload it declares, streamed undissected, with framing resuming
 * after it; the lines inside the payload never become commands.
 */
class OfflineStreamedPayloadTest {

    private static final long T0 = TestFlow.T0;
    private static final int C = TestFlow.CLIENT_SEQ;
    private static final int S = TestFlow.SERVER_SEQ;

    @TempDir
    Path dir;

    @Test
    void oversizedPayloadInACaptureIsStreamedAndFramingResumesAfterIt() throws Exception {
        StringBuilder payload = new StringBuilder("MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n");
        while (payload.length() < 3000) {
            payload.append("XFR 9 SB 127.0.0.1:4444 CKI x\r\nRNG 77 127.0.0.1:4444 CKI y evil@example.com Evil\r\n");
        }
        payload.setLength(3000);
        String server = "VER 1 MSNP11\r\nMSG bob@example.com Bob 3000\r\n" + payload + "QNG 50\r\n";
        String client = "VER 1 MSNP11 CVR0\r\n";
        TestFlow f = TestFlow.ethernet("10.0.0.1", "10.0.0.2");
        PcapTestWriter w = PcapTestWriter.pcap(1);
        w.packet(T0, f.client(C - 1, 0, SYN, ""));
        w.packet(T0 + 1, f.server(S - 1, C, SYN | ACK, ""));
        w.packet(T0 + 2, f.client(C, S, PSH | ACK, client));
        int seq = S;
        for (int i = 0; i < server.length(); i += 1000) {
            String piece = server.substring(i, Math.min(server.length(), i + 1000));
            w.packet(T0 + 3 + i, f.server(seq, C + client.length(), PSH | ACK, piece));
            seq += piece.length();
        }
        Path file = w.write(dir.resolve("streamed.pcap"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"dissect", "--format", "jsonl", "--max-payload", "1024", file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String jsonl = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        List<String> frames = jsonl.lines().toList();
        assertFalse(jsonl.contains("\"cmd\":\"XFR\"") || jsonl.contains("\"cmd\":\"RNG\""), "payload lines read as commands:\n" + jsonl);
        assertTrue(frames.stream().anyMatch(l -> l.contains("\"cmd\":\"MSG\"") && l.contains("payload-too-large")), jsonl);
        assertTrue(frames.get(frames.size() - 1).contains("\"cmd\":\"QNG\""), "framing resumed after the payload:\n" + jsonl);
    }
}

package msnscope.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import msnscope.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link MsnpDetector}: MSNP is recognised by its first line, whatever the port. */
class PcapMsnpDetectorTest {

    private static TcpConnection connection(int serverPort, String c2s, String s2c) {
        List<TcpChunk> chunks = new ArrayList<>();
        if (!c2s.isEmpty()) {
            chunks.add(TcpChunk.of(Direction.C2S, 1, c2s.getBytes(StandardCharsets.ISO_8859_1)));
        }
        if (!s2c.isEmpty()) {
            chunks.add(TcpChunk.of(Direction.S2C, 2, s2c.getBytes(StandardCharsets.ISO_8859_1)));
        }
        return new TcpConnection("x", new InetSocketAddress("127.0.0.1", 40000), new InetSocketAddress("127.0.0.1", serverPort),
                true, chunks, List.of(), true, true, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"VER 1 MSNP8 CVR0\r\n", "USR 1 alice@example.com 123\r\n", "ANS 1 bob@example.com x y\r\n",
        "OUT\r\n", "PNG\r\n", "MSG 3 N 5\r\nhello"})
    void aClientCommandFirstLineIsMsnpOnAnyPort(String first) {
        assertTrue(MsnpDetector.looksLikeMsnp(connection(40321, first, "")));
    }

    @Test
    void aServerOnlyFirstLineIsEnough() {
        assertTrue(MsnpDetector.looksLikeMsnp(connection(1863, "", "NLN NLN bob@example.com bob 0\r\n")));
        assertTrue(MsnpDetector.looksLikeMsnp(connection(1864, "\u0000\u0001binary", "911 4\r\n")));
    }

    @Test
    void httpIsNotMsnpEvenOnAnMsnpPort() {
        assertFalse(MsnpDetector.looksLikeMsnp(connection(1863,
                "GET /login HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n")));
        assertFalse(MsnpDetector.looksLikeMsnp(connection(80, "PUT /x HTTP/1.0\r\n", "")));
    }

    @Test
    void otherProtocolsAndBinaryAreNotMsnp() {
        assertFalse(MsnpDetector.looksLikeMsnp(connection(22, "SSH-2.0-OpenSSH_9.6\r\n", "SSH-2.0-OpenSSH_9.6\r\n")));
        assertFalse(MsnpDetector.looksLikeMsnp(connection(443, "\u0016\u0003\u0001\u0002\u0000\u0001", "")));
        assertFalse(MsnpDetector.looksLikeMsnp(connection(25, "EHLO example.com\r\n", "220 mail.example.com ESMTP\r\n")));
        assertFalse(MsnpDetector.looksLikeMsnp(connection(1863, "", "")));
        assertFalse(MsnpDetector.looksLikeMsnp(connection(1863, "ABC \u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\r\n", "")));
    }

    @Test
    void theFirstLineMayArriveInSeveralChunks() {
        List<TcpChunk> chunks = List.of(
                TcpChunk.of(Direction.C2S, 1, "VE".getBytes(StandardCharsets.US_ASCII)),
                TcpChunk.of(Direction.C2S, 2, "R 1 MSNP8 CVR0\r\n".getBytes(StandardCharsets.US_ASCII)));
        TcpConnection c = new TcpConnection("x", new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.1", 2),
                false, chunks, List.of(), false, false, 0);
        assertTrue(MsnpDetector.looksLikeMsnp(c));
        assertEquals("VER 1 MSNP8 CVR0\r\n", new String(c.head(Direction.C2S, 100), StandardCharsets.US_ASCII));
    }

    @Test
    void firstBytesAloneCanBeChecked() {
        assertTrue(MsnpDetector.looksLikeMsnp("VER 1 MSNP12 CVR0\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(MsnpDetector.looksLikeMsnp("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)));
    }
}

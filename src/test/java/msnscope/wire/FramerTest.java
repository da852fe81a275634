package msnscope.wire;

import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The framer, fed like the wire feeds it: the traps of MSNP.md §1.5, byte by byte. */
class FramerTest {

    private static final ProtocolSpec SPEC = SpecLoader.builtIn();

    private static PayloadOracle version(int v) {
        return (key, dir, tokens) -> SPEC.expectsPayload(key, dir, tokens, v);
    }

    private static List<Frame> server(int version, String text) {
        return FramerTestSupport.byteByByte(text.getBytes(StandardCharsets.UTF_8), Direction.S2C, version(version), FramerLimits.DEFAULT);
    }

    private static List<Frame> client(int version, String text) {
        return FramerTestSupport.byteByByte(text.getBytes(StandardCharsets.UTF_8), Direction.C2S, version(version), FramerLimits.DEFAULT);
    }

    @Test
    void serverUuxAckWithTrailingZeroCarriesNoPayload() {
        List<Frame> frames = server(11, "UUX 11 0\r\nILN 10 NLN a@b.com a 1073791084\r\n");
        assertEquals(2, frames.size());
        assertFalse(frames.get(0).hasPayload());
        assertEquals("ILN", frames.get(1).command());
        assertFalse(frames.get(1).hasPayload(), "ILN's trailing capability number is not a length");
    }

    @Test
    void clientUuxCarriesItsXmlPayload() {
        String xml = "<Data><PSM></PSM><CurrentMedia></CurrentMedia></Data>";
        List<Frame> frames = client(11, "UUX 11 " + xml.length() + "\r\n" + xml + "PNG\r\n");
        assertEquals(2, frames.size());
        assertEquals(xml, new String(frames.get(0).payload(), StandardCharsets.UTF_8));
        assertEquals("PNG", frames.get(1).command());
    }

    @Test
    void qryReplyAndChallengeAreNotPayloads() {
        List<Frame> frames = server(11, "QRY 5\r\nCHL 0 29409134351025259292\r\nQNG 60\r\n");
        assertEquals(3, frames.size());
        frames.forEach(f -> assertFalse(f.hasPayload(), f.line()));
    }

    @Test
    void clientQryCarriesThirtyTwoHexCharacters() {
        List<Frame> frames = client(11, "QRY 12 PROD0090YUAUV{2B 32\r\n85ecb0db8f32113df79ce0892b9a102cPNG\r\n");
        assertEquals(2, frames.size());
        assertEquals(32, frames.get(0).payloadLength());
    }

    @Test
    void adlAcknowledgementIsNotAPayloadButAsyncAdlIs() {
        String ml = "<ml><d n=\"example.com\"><c n=\"bob\" l=\"8\" t=\"1\"/></d></ml>";
        List<Frame> frames = server(13, "ADL 8 OK\r\nADL 0 " + ml.length() + "\r\n" + ml);
        assertEquals(2, frames.size());
        assertFalse(frames.get(0).hasPayload());
        assertEquals(ml.length(), frames.get(1).payloadLength());
    }

    @Test
    void errorWithLengthCarriesPayloadFromMsnp13Only() {
        String ml = "<ml><d n=\"x\"></d></ml>";
        List<Frame> v13 = server(13, "241 9 " + ml.length() + "\r\n" + ml + "911 10\r\n");
        assertEquals(2, v13.size());
        assertEquals(ml.length(), v13.get(0).payloadLength());
        assertTrue(v13.get(0).isError());
        List<Frame> v11 = server(11, "911 7\r\n");
        assertFalse(v11.get(0).hasPayload());
    }

    @Test
    void binaryPayloadWithCrLfAndNulIsCountedNotScanned() {
        byte[] head = "MSG 4 D 10\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] payload = {0, '\r', '\n', 'M', 'S', 'G', ' ', 0, '\n', (byte) 0xff};
        byte[] tail = "MSG 5 U 0\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = FramerTestSupport.concat(head, payload, tail);
        List<Frame> frames = FramerTestSupport.byteByByte(all, Direction.C2S, version(11), FramerLimits.DEFAULT);
        assertEquals(2, frames.size());
        assertArrayEquals(payload, frames.get(0).payload());
        assertTrue(frames.get(1).hasPayload());
        assertEquals(0, frames.get(1).payloadLength());
    }

    @Test
    void bareLfIsAcceptedAndFlagged() {
        List<Frame> frames = server(11, "QNG 60\nOUT\r\n");
        assertEquals(2, frames.size());
        assertTrue(frames.get(0).has(Frame.BARE_LF));
        assertEquals("QNG 60", frames.get(0).line());
        assertFalse(frames.get(1).has(Frame.BARE_LF));
    }

    @Test
    void garbageIsAFlaggedFrameAndFramingResumesAtTheNextLine() {
        List<Frame> frames = server(11, "\u0001\u0002garbage here\r\nQNG 60\r\n");
        assertEquals(2, frames.size());
        assertTrue(frames.get(0).has(Frame.NOT_A_COMMAND));
        assertNull(frames.get(0).command());
        assertEquals("QNG", frames.get(1).command());
    }

    @Test
    void overLongLineIsCutIntoBoundedPieces() {
        FramerLimits limits = new FramerLimits(64, 1024);
        String longLine = "MSG " + "x".repeat(200);
        byte[] data = (longLine + "\r\nQNG 60\r\n").getBytes(StandardCharsets.US_ASCII);
        List<Frame> frames = FramerTestSupport.byteByByte(data, Direction.S2C, version(11), limits);
        assertTrue(frames.size() >= 4);
        for (Frame f : frames.subList(0, frames.size() - 1)) {
            assertTrue(f.has(Frame.LINE_TOO_LONG));
            assertTrue(f.size() <= 64 + 2);
        }
        assertEquals("QNG 60", frames.get(frames.size() - 1).line());
        assertArrayEquals(data, FramerTestSupport.join(frames));
    }

    @Test
    void absurdPayloadLengthIsStreamedAsPayloadNeverReadAsCommands() {
        List<Frame> frames = client(11, "MSG 1 N 999999999999\r\nPNG\r\n");
        assertEquals(1 + 5, frames.size(), "the line, then each byte as it arrived");
        assertTrue(frames.get(0).has(Frame.PAYLOAD_TOO_LARGE));
        assertTrue(frames.get(0).has(Frame.PAYLOAD_STREAMED));
        assertFalse(frames.get(0).hasPayload());
        for (Frame part : frames.subList(1, frames.size())) {
            assertTrue(part.has(Frame.PAYLOAD_PART));
            assertNull(part.command(), "the bytes after the line are payload, not a PNG");
        }
        assertArrayEquals("MSG 1 N 999999999999\r\nPNG\r\n".getBytes(StandardCharsets.US_ASCII), FramerTestSupport.join(frames));
    }

    @Test
    void streamEndingMidPayloadGivesATruncatedFrameWithWhatArrived() {
        List<Frame> frames = client(11, "MSG 1 N 100\r\nMIME-Version: 1.0\r\n");
        assertEquals(1, frames.size());
        assertTrue(frames.get(0).has(Frame.PAYLOAD_TRUNCATED));
        assertEquals(100, frames.get(0).declaredLength());
        assertEquals(19, frames.get(0).payloadLength());
    }

    @Test
    void streamEndingMidLineGivesATruncatedLine() {
        List<Frame> frames = client(11, "PNG\r\nCHG 9 NL");
        assertEquals(2, frames.size());
        assertTrue(frames.get(1).has(Frame.LINE_TRUNCATED));
        assertEquals("CHG 9 NL", frames.get(1).line());
    }

    @Test
    void encodingAFrameGivesBackItsOriginalBytes() {
        byte[] data = "MSG alice@example.com alice 5\r\nhello".getBytes(StandardCharsets.US_ASCII);
        Frame f = Framer.frameAll(data, Direction.S2C, version(11), FramerLimits.DEFAULT).get(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(f.copyBytes());
        assertArrayEquals(data, out.toByteArray());
    }
}

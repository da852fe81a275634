package msnscope.dissect;

import msnscope.support.Conversation;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Numbers a peer sends are never trusted: too large for any integer type, negative, absurdly long (issue 9, item 1). */
class HostileNumbersTest {

    private static List<Warning> badParameters(Dissection d) {
        return d.warnings().stream().filter(w -> w.code().equals(Warning.BAD_PARAMETER)).toList();
    }

    @Test
    void overflowingNumberBecomesBadParameterWarning() {
        Conversation c = Conversation.negotiated(11);
        Dissection chg = c.client("CHG 5 NLN 9999999999999999999");
        assertEquals(1, badParameters(chg).size(), chg.warnings().toString());
        assertTrue(badParameters(chg).get(0).message().startsWith("caps: '9999999999999999999' is too large"), chg.warnings().toString());
        assertEquals("9999999999999999999", chg.fields().get("caps"), "kept as the text it was");
        assertEquals(5L, chg.trid());

        Dissection echo = c.server("CHG 5 NLN 99999999999999999999");
        assertEquals(chg.seq(), echo.replyTo(), "the TrID still pairs the echo with its request");
        assertEquals(1, badParameters(echo).size());

        c.client("PNG");
        Dissection qng = c.server("QNG 99999999999999999999");
        assertTrue(badParameters(qng).get(0).message().startsWith("seconds: '99999999999999999999' is too large a number"),
                qng.warnings().toString());
        assertNotNull(qng.replyTo(), "the pong still answers the ping");
    }

    /**
     * A payload length that overflows is still the length the line declares (the server reads that many
     * bytes too): the line is flagged, and what follows is its payload, streamed in pieces, never commands.
     */
    @Test
    void payloadLengthThatOverflowsIsABadParameterAndWhatFollowsIsItsPayload() {
        Conversation c = Conversation.negotiated(11);
        List<Dissection> frames = c.bytes(Direction.C2S,
                "UUX 7 99999999999999999999\r\nMSG 8 N 99999999999999999999\r\nCHG 9 NLN 0\r\n".getBytes(StandardCharsets.US_ASCII));
        Dissection uux = frames.get(0);
        assertEquals("UUX", uux.command());
        assertTrue(uux.warnings().stream().anyMatch(w -> w.code().equals(Warning.PAYLOAD_TOO_LARGE)), uux.warnings().toString());
        assertTrue(badParameters(uux).stream().anyMatch(w -> w.message().startsWith("length: '99999999999999999999' is too large")),
                uux.warnings().toString());
        assertTrue(frames.size() > 1);
        for (Dissection part : frames.subList(1, frames.size())) {
            assertNull(part.command(), "payload bytes are never read as a command: " + part.frame().line());
        }
    }

    /**
     * A TrID must fit an unsigned 32-bit integer. A larger one is a bad parameter and the frame has no TrID:
     * it pairs with nothing, and later requests pair as usual.
     */
    @Test
    void tridThatOverflowsIsNoTridAndPairsNothing() {
        Conversation c = new Conversation();
        Dissection ver = c.client("VER 99999999999999999999 MSNP11 CVR0");
        assertNull(ver.trid());
        assertTrue(badParameters(ver).get(0).message().startsWith("trid: '99999999999999999999' is too large a number (the most is 4294967295)"),
                ver.warnings().toString());
        Dissection reply = c.server("VER 99999999999999999999 MSNP11");
        assertNull(reply.trid());
        assertNull(reply.replyTo());
        assertEquals(11, reply.version(), "the version is still negotiated");

        assertNull(c.client("CHG 4294967296 NLN 0").trid(), "one past the largest TrID");
        Dissection largest = c.client("CHG 4294967295 NLN 0");
        assertEquals(4294967295L, largest.trid());
        assertEquals(largest.seq(), c.server("CHG 4294967295 NLN 0").replyTo());
        assertNull(c.client("CHG -5 NLN 0").trid());
        assertTrue(c.close().stream().noneMatch(d -> d.trid() == null), "a frame without a TrID is never reported unanswered");
    }

    @Test
    void anAbsurdlyLongNumberIsQuotedShortInItsWarning() {
        Conversation c = Conversation.negotiated(11);
        Dissection d = c.client("CHG 5 NLN " + "9".repeat(5000));
        String message = badParameters(d).get(0).message();
        assertTrue(message.length() < 120, message);
        assertTrue(message.contains("…"), message);
    }

    /**
     * A frame whose lengths do not fit its bytes (a hand-made or damaged capture record; the framer never makes
     * one) is kept whole with a dissector-failed warning, and the connection's next frame is dissected as usual.
     */
    @Test
    void frameWhoseLengthsDoNotFitItsBytesIsKeptWholeAndTheNextFrameIsDissected() {
        Conversation c = Conversation.negotiated(11);
        byte[] bytes = "MSG 5 N 10\r\nabc".getBytes(StandardCharsets.US_ASCII);
        Frame misshapen = Frame.ofRaw(bytes, 10, 40, 10, 0, "MSG");
        Dissection d = c.stream().dissect(misshapen, Direction.C2S, null);
        assertEquals(List.of(Warning.DISSECTOR_FAILED), d.warnings().stream().map(Warning::code).toList());
        assertFalse(d.warnings().get(0).message().contains("Exception"), d.warnings().get(0).message());
        assertArrayEquals(bytes, d.frame().copyBytes(), "every byte kept");
        assertEquals("MSG 5 N 10", d.frame().line());
        assertEquals(11, d.version());
        Dissection next = c.client("CHG 6 NLN 0");
        assertEquals(d.seq() + 1, next.seq());
        assertTrue(next.warnings().isEmpty(), next.warnings().toString());
    }
}

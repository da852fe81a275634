package msnscope.dissect;

import msnscope.dissect.spec.FormSpec.Role;
import msnscope.support.Conversation;
import msnscope.wire.Direction;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dissector, one conversation at a time. */
class DissectorTest {

    private static boolean warns(Dissection d, String code) {
        return d.warnings().stream().anyMatch(w -> w.code().equals(code));
    }

    @Test
    void serverVerReplySetsTheNegotiatedVersion() {
        Conversation c = new Conversation();
        Dissection offer = c.client("VER 1 MSNP11 MSNP10 CVR0");
        assertNull(offer.version());
        Dissection reply = c.server("VER 1 MSNP11");
        assertEquals(11, reply.version());
        assertEquals(0, reply.replyTo());
        assertEquals(Role.NS, reply.role());
        assertEquals(11, c.client("CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0777 MSMSGS alice@example.com").version());
        assertEquals("alice@example.com", c.stream().account());
    }

    @Test
    void replyIsPairedWithItsRequestByTridAndTimed() {
        Conversation c = new Conversation();
        c.at(1_000_000).client("VER 1 MSNP11 CVR0");
        Dissection ver = c.at(1_000_250).server("VER 1 MSNP11");
        assertEquals(0, ver.replyTo());
        assertEquals(250L, ver.fields().get("latency-us"));
        c.client("CHG 5 NLN 1073791084");
        c.client("XFR 6 SB");
        assertEquals(3, c.server("XFR 6 SB 10.0.0.9:1863 CKI 17262740.1050826919.32308").replyTo());
        assertEquals(2, c.server("CHG 5 NLN 1073791084").replyTo());
        assertEquals(2, c.server("ILN 5 NLN bob@example.com Bob 1073791084").replyTo(), "ILN borrows CHG's TrID");
    }

    @Test
    void pingIsAnsweredByQngWithoutTrid() {
        Conversation c = Conversation.negotiated(11);
        c.client("PNG");
        Dissection qng = c.server("QNG 60");
        assertEquals(2, qng.replyTo());
        assertTrue(c.close().isEmpty(), "nothing left unanswered");
    }

    @Test
    void requestLeftWithoutReplyIsMarkedAtClose() {
        Conversation c = Conversation.negotiated(11);
        Dissection xfr = c.client("XFR 9 SB");
        List<Dissection> notes = c.close();
        assertEquals(List.of(xfr), notes);
        assertTrue(warns(xfr, Warning.UNANSWERED));
    }

    @Test
    void errorReplyIsNamedAndAnswersItsRequest() {
        Conversation c = Conversation.negotiated(11);
        c.client("USR 3 TWN I alice@example.com");
        Dissection err = c.server("911 3");
        assertEquals("911", err.command());
        assertEquals(2, err.replyTo());
        assertEquals("ERR_AUTHENTICATION_FAILED", err.fields().get("error-name"));
        assertTrue(warns(err, Warning.ERROR_REPLY));
        assertTrue(err.summary().contains("911"), err.summary());
    }

    @Test
    void unknownCommandIsKeptAndFlagged() {
        Conversation c = new Conversation();
        Dissection d = c.client("ZZZ 4 hello world");
        assertEquals("ZZZ", d.command());
        assertEquals(4L, d.trid());
        assertEquals(List.of("4", "hello", "world"), d.params());
        assertTrue(warns(d, Warning.UNKNOWN_COMMAND));
    }

    @Test
    void serverOnlyCommandSentByClientIsWrongDirection() {
        Conversation c = Conversation.negotiated(11);
        assertTrue(warns(c.client("ILN 5 NLN bob@example.com Bob 0"), Warning.WRONG_DIRECTION));
    }

    @Test
    void wrongParameterCountIsAnArityWarning() {
        Conversation c = Conversation.negotiated(11);
        c.client("USR 3 TWN I alice@example.com");
        Dissection d = c.server("XFR 3 NS");
        assertTrue(warns(d, Warning.ARITY), d.warnings().toString());
    }

    @Test
    void commandOutsideTheNegotiatedVersionIsFlaggedButDissected() {
        Conversation c = new Conversation();
        c.client("VER 1 MSNP10 MSNP9 CVR0");
        c.server("VER 1 MSNP10");
        Dissection uux = c.client("UUX 11 40", "<PSM></PSM><CurrentMedia></CurrentMedia>");
        assertEquals(40, uux.frame().payloadLength());
        assertTrue(warns(uux, Warning.VERSION_MISMATCH));
        Dissection ack = c.server("UUX 11 0");
        assertFalse(ack.frame().hasPayload());
        assertEquals(2, ack.replyTo());
    }

    @Test
    void referralIsDecodedAndMakesTheConnectionADispatchServer() {
        Conversation c = new Conversation();
        Dissection ver = c.client("VER 1 MSNP11 CVR0");
        c.server("VER 1 MSNP11");
        c.client("USR 3 TWN I alice@example.com");
        Dissection xfr = c.server("XFR 3 NS 10.0.0.5:1863 0 10.0.0.1:1863");
        @SuppressWarnings("unchecked")
        Map<String, Object> ref = (Map<String, Object>) xfr.fields().get("referral");
        assertEquals("NS", ref.get("kind"));
        assertEquals("10.0.0.5:1863", ref.get("address"));
        assertEquals("Referral to notification server 10.0.0.5:1863 (current server 10.0.0.1:1863)", xfr.summary());
        assertEquals(Role.DS, xfr.role());
        assertEquals(Role.DS, ver.role(), "earlier frames are relabelled too");
    }

    @Test
    void switchboardInheritsTheVersionOfTheSessionThatIssuedItsCookie() {
        SessionContext session = new SessionContext("s");
        Conversation ns = new Conversation(session, "c1", null);
        ns.client("VER 1 MSNP12 CVR0");
        ns.server("VER 1 MSNP12");
        ns.client("XFR 10 SB");
        ns.server("XFR 10 SB m1.escargot.log1p.xyz:1864 CKI 45729854d561f37d4a0f");
        Conversation sb = new Conversation(session, "c2", null);
        Dissection usr = sb.client("USR 1 alice@example.com 45729854d561f37d4a0f");
        assertEquals(Role.SB, usr.role());
        assertEquals(12, usr.version());
        assertEquals("alice@example.com", sb.stream().account());
    }

    @Test
    void captureStartingMidSessionGuessesRoleAndVersionAndSaysSo() {
        Conversation c = new Conversation();
        Dissection first = c.server("JOI bob@example.com Bob");
        assertEquals(Role.SB, first.role());
        assertTrue(warns(first, Warning.ROLE_GUESSED), first.warnings().toString());
        Dissection msg = c.client("MSG 4 A 5", "hello");
        assertEquals(5, msg.frame().payloadLength());
        assertEquals(5, c.server("ACK 4").replyTo() == null ? -1 : 5);
    }

    @Test
    void garbageAndInvalidUtf8AreMarkedNotDropped() {
        Conversation c = new Conversation();
        List<Dissection> out = c.bytes(Direction.S2C, new byte[]{(byte) 0xff, (byte) 0xfe, 'x', '\r', '\n', 'Q', 'N', 'G', ' ', '6', '0', '\n'});
        assertEquals(2, out.size());
        assertNull(out.get(0).command());
        assertTrue(warns(out.get(0), Warning.NOT_A_COMMAND));
        assertTrue(warns(out.get(0), Warning.INVALID_UTF8));
        assertTrue(warns(out.get(1), Warning.BARE_LF));
    }

    @Test
    void badParameterIsReported() {
        Conversation c = Conversation.negotiated(11);
        Dissection d = c.server("XFR 3 NS nowhere 0 10.0.0.1:1863");
        assertTrue(warns(d, Warning.BAD_PARAMETER), d.warnings().toString());
    }

    @Test
    void capabilityNumberIsDecodedIntoFlagsAndClientVersion() {
        Conversation c = Conversation.negotiated(11);
        Dissection iln = c.server("ILN 10 NLN anotheruser@hotmail.com another%20user 1073791084");
        assertEquals("another user", iln.fields().get("nick"));
        @SuppressWarnings("unchecked")
        Map<String, Object> caps = (Map<String, Object>) iln.fields().get("caps");
        assertEquals("0x4000C06C", caps.get("hex"));
        assertTrue(String.valueOf(caps.get("client")).contains("MSNC4"), caps.toString());
        assertTrue(((List<?>) caps.get("flags")).size() >= 5);
    }

    @Test
    void handleWithNetworkPrefixAndEndpointIsSplit() {
        Conversation c = Conversation.negotiated(18);
        Dissection fln = c.server("FLN 1:bob@example.com 0:0");
        assertEquals("bob@example.com", fln.fields().get("handle"));
        assertEquals("Messenger".length() > 0, fln.fields().containsKey("handle-network"));
    }

    @Test
    void lineBytesSurviveEvenWhenNotUtf8() {
        Conversation c = new Conversation();
        byte[] raw = "MSG 1 U 3\r\n\u00e9\u00e8x".getBytes(StandardCharsets.ISO_8859_1);
        List<Dissection> out = c.bytes(Direction.C2S, raw);
        assertEquals(1, out.size());
        assertEquals(3, out.get(0).frame().payloadLength());
    }

    @Test
    void correctMsnp11ChallengeAnswerIsAccepted() {
        Conversation c = Conversation.negotiated(11);
        c.server("CHL 0 22210219642164014968");
        Dissection qry = c.client("QRY 9 PROD0090YUAUV{2B 32", "85ecb0db8f32113df79ce0892b9a102c");
        assertTrue(qry.warnings().isEmpty(), qry.warnings().toString());
        assertTrue(String.valueOf(qry.fields().get("answer-check")).startsWith("correct"), qry.fields().toString());
        assertEquals(3, c.server("QRY 9").replyTo());
    }

    @Test
    void wrongChallengeAnswerIsFlagged() {
        Conversation c = Conversation.negotiated(11);
        c.server("CHL 0 22210219642164014968");
        Dissection qry = c.client("QRY 9 PROD0090YUAUV{2B 32", "00000000000000000000000000000000");
        assertTrue(warns(qry, Warning.CHALLENGE_WRONG), qry.warnings().toString());
        assertTrue(qry.warnings().get(0).message().contains("85ecb0db8f32113df79ce0892b9a102c"));
    }

    @Test
    void msnp8ChallengeUsesTheMd5Form() {
        Conversation c = Conversation.negotiated(8);
        c.server("CHL 0 22299241447072743325");
        Dissection qry = c.client("QRY 9 msmsgs@msnmsgr.com 32", "20dba7e6e9817826b9cd5240cc8add99");
        assertTrue(qry.warnings().isEmpty(), qry.warnings().toString());
    }
}

package msnscope.replay;

import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.spec.SpecLoader;
import msnscope.dissect.spec.VolatileSpec;
import msnscope.transcript.TranscriptReader;
import msnscope.wire.Direction;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayComparisonTest {

    private static final VolatileSpec VOLATILE = SpecLoader.builtIn().volatility();

    /** The server frames of a one-connection transcript, dissected in order with the client's. */
    private static List<Dissection> serverFrames(String transcript) {
        SessionAssembler s = new SessionAssembler(new Dissector(SpecLoader.builtIn()), "t", FramerLimits.DEFAULT);
        new TranscriptReader(FramerLimits.DEFAULT).read("Client opens a connection to 10.0.0.5:1863 (notification server)\n\n"
                + transcript, s);
        return s.connections().get(0).frames().stream().filter(d -> d.direction() == Direction.S2C).toList();
    }

    private static Comparison compareLast(String captured, String live) {
        List<Dissection> c = serverFrames(captured);
        List<Dissection> l = serverFrames(live);
        return Comparison.of(c.get(c.size() - 1), l.get(l.size() - 1), VOLATILE);
    }

    @Test
    void switchboardReferralDiffersOnlyInTridAddressAndCookie() {
        String login = "C: VER 1 MSNP8 CVR0\nS: VER 1 MSNP8 CVR0\n";
        Comparison c = compareLast(login + "C: XFR 15 SB\nS: XFR 15 SB 10.0.0.9:1863 CKI 17262740.1050826919.32308\n",
                login + "C: XFR 3 SB\nS: XFR 3 SB 127.0.0.1:40411 CKI ck1001.4711\n");
        assertTrue(c.same(), c.difference());
        assertEquals(Set.of("address", "cookie", "trid"), c.volatiles());
    }

    @Test
    void loginChallengeIsVolatileButTheHandleIsNot() {
        String ver = "C: VER 1 MSNP2 CVR0\nS: VER 1 MSNP2\n";
        Comparison challenge = compareLast(ver + "C: USR 6 MD5 I alice@example.com\nS: USR 6 MD5 S 7c2e9f41a08d3b6\n",
                ver + "C: USR 6 MD5 I alice@example.com\nS: USR 6 MD5 S 1013928519.693957190\n");
        assertTrue(challenge.same(), challenge.difference());
        assertEquals(Set.of("challenge"), challenge.volatiles());

        Comparison handle = compareLast(ver + "C: USR 7 MD5 S 6234d167a08127ff481904f972aa19de\nS: USR 7 OK alice@example.com Alice\n",
                ver + "C: USR 7 MD5 S 6234d167a08127ff481904f972aa19de\nS: USR 7 OK bob@example.com Alice\n");
        assertFalse(handle.same());
        assertEquals("handle 'bob@example.com' instead of 'alice@example.com'", handle.difference());
    }

    @Test
    void anErrorInPlaceOfTheReplyDiffers() {
        String ver = "C: VER 1 MSNP8 CVR0\nS: VER 1 MSNP8 CVR0\n";
        Comparison c = compareLast(ver + "C: USR 7 TWN S t=abc&p=def\nS: USR 7 OK alice@example.com Alice 1 0\n",
                ver + "C: USR 7 TWN S t=abc&p=def\nS: 911 7\n");
        assertFalse(c.same());
        assertTrue(c.difference().contains("911 7"), c.difference());
    }

    @Test
    void profileDiffersOnlyInLoginTimeTicketAndAddressHeaders() {
        String ver = "C: VER 1 MSNP8 CVR0\nS: VER 1 MSNP8 CVR0\n";
        String head = "S: MSG Hotmail Hotmail %d\nMIME-Version: 1.0\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\n";
        String a = "LoginTime: 1726322047\nkv: 5\nMSPAuth: 8abc$$\nClientIP: 10.0.0.20\nClientPort: 51687\n\n";
        String b = "LoginTime: 1062714000\nkv: 5\nMSPAuth: 2AAAAAAAAD$$\nClientIP: 127.0.0.1\nClientPort: 4022\n\n";
        Comparison c = compareLast(ver + String.format(head, 73 + a.length() + 6) + a, ver + String.format(head, 73 + b.length() + 6) + b);
        assertTrue(c.same(), c.difference());
        assertEquals(Set.of("address", "ticket", "time"), c.volatiles());

        String kv = b.replace("kv: 5", "kv: 6");
        Comparison changed = compareLast(ver + String.format(head, 73 + a.length() + 6) + a, ver + String.format(head, 73 + kv.length() + 6) + kv);
        assertFalse(changed.same());
        assertEquals("payload header kv: '6' instead of '5'", changed.difference());
    }

    @Test
    void identicalFramesHaveNoVolatileKinds() {
        String ver = "C: VER 1 MSNP11 CVR0\nS: VER 1 MSNP11\n";
        Comparison c = compareLast(ver + "C: CHG 10 NLN 0\nS: CHG 10 NLN 0\n", ver + "C: CHG 10 NLN 0\nS: CHG 10 NLN 0\n");
        assertTrue(c.same());
        assertTrue(c.volatiles().isEmpty());
        assertNull(c.difference());
    }
}

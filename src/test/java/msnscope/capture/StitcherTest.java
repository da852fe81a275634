package msnscope.capture;

import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Rule 3 by evidence: a notification-server connection is tied to the referral that explains it, or to none. */
class StitcherTest {

    private static final String HOST = "10.0.0.2";
    private static final String NS = "10.0.0.5:1863";

    private final Stitcher stitcher = new Stitcher();

    @Test
    void theOnlyCandidateIsTakenBeforeTheAccountIsKnown() {
        stitcher.nsReferral("s1", HOST, NS, "alice@example.com", 100);
        assertEquals(1, stitcher.nsCandidates(HOST, NS));
        assertEquals("s1", stitcher.notificationServer(HOST, NS, null));
        assertEquals(0, stitcher.nsCandidates(HOST, NS), "consumed");
        assertNull(stitcher.notificationServer(HOST, NS, null), "a referral explains one connection");
    }

    @Test
    void severalCandidatesAndNoAccountIsNoAnswerAndConsumesNothing() {
        stitcher.nsReferral("s1", HOST, NS, "alice@example.com", 100);
        stitcher.nsReferral("s2", HOST, NS, "bob@example.com", 101);
        assertNull(stitcher.notificationServer(HOST, NS, null));
        assertEquals(2, stitcher.nsCandidates(HOST, NS));
    }

    @Test
    void theAccountPicksItsOwnLoginWhicheverReferralCameFirst() {
        stitcher.nsReferral("s1", HOST, NS, "alice@example.com", 100);
        stitcher.nsReferral("s2", HOST, NS, "bob@example.com", 101);
        assertEquals("s2", stitcher.notificationServer(HOST, NS, "Bob@Example.COM"));
        assertEquals("s1", stitcher.notificationServer(HOST, NS, "alice@example.com"));
        assertEquals(0, stitcher.nsCandidates(HOST, NS));
    }

    @Test
    void aReferralOfAnotherAccountNeverFitsEvenAlone() {
        stitcher.nsReferral("s2", HOST, NS, "bob@example.com", 101);
        assertNull(stitcher.notificationServer(HOST, NS, "carol@example.com"));
        assertEquals(1, stitcher.nsCandidates(HOST, NS), "bob's referral is still his");
    }

    @Test
    void twoLoginsOfOneAccountAreServedOldestFirst() {
        stitcher.nsReferral("s1", HOST, NS, "alice@example.com", 100);
        stitcher.nsReferral("s2", HOST, NS, "alice@example.com", 200);
        assertEquals("s1", stitcher.notificationServer(HOST, NS, "alice@example.com"));
        assertEquals("s2", stitcher.notificationServer(HOST, NS, "alice@example.com"));
    }

    @Test
    void aReferralWithoutAnAccountFitsWhenItIsTheOnlyOneThatDoes() {
        stitcher.nsReferral("s1", HOST, NS, null, 100);
        stitcher.nsReferral("s2", HOST, NS, "bob@example.com", 101);
        assertEquals("s1", stitcher.notificationServer(HOST, NS, "alice@example.com"));
        stitcher.nsReferral("s3", HOST, NS, null, 102);
        stitcher.nsReferral("s4", HOST, NS, null, 103);
        assertNull(stitcher.notificationServer(HOST, NS, "carol@example.com"), "two unknown-account referrals: ambiguous");
        assertEquals("s2", stitcher.notificationServer(HOST, NS, "bob@example.com"), "the same account wins over unknown ones");
    }

    @Test
    void aReferralThatPassedAfterTheConnectionOpenedDoesNotExplainIt() {
        stitcher.nsReferral("s1", HOST, NS, "alice@example.com", 500);
        assertNull(stitcher.notificationServer(HOST, NS, "alice@example.com", 400));
        assertEquals("s1", stitcher.notificationServer(HOST, NS, "alice@example.com", 500));
    }

    @Test
    void aReferralLongBeforeTheConnectionIsAnotherLoginsLeftover() {
        long minute = 60_000_000L;
        stitcher.nsReferral("s1", HOST, NS, "alice@example.com", 1_000 * minute);
        assertNull(stitcher.notificationServer(HOST, NS, "alice@example.com", 1_011 * minute));
        stitcher.nsReferral("s2", HOST, NS, "alice@example.com", 1_010 * minute);
        assertEquals("s2", stitcher.notificationServer(HOST, NS, "alice@example.com", 1_011 * minute), "the recent one, not the oldest");
    }

    @Test
    void referralsAreKeptApartByClientHostAndServer() {
        stitcher.nsReferral("s1", HOST, NS, "alice@example.com", 100);
        assertEquals(0, stitcher.nsCandidates("10.0.0.3", NS));
        assertEquals(0, stitcher.nsCandidates(HOST, "10.0.0.6:1863"));
        assertNull(stitcher.notificationServer("10.0.0.3", NS, "alice@example.com"));
        assertEquals("s1", stitcher.notificationServer(HOST, "10.0.0.5:1863", "alice@example.com"));
    }

    @Test
    void aDispatchFrameRegistersItsReferralWithTheLoginsAccountAndTimeOnce() {
        StreamDissector ds = new Dissector(SpecLoader.builtIn()).stream(new SessionContext("s1"), "c1", null);
        ds.dissect(frame("VER 1 MSNP8 CVR0"), Direction.C2S, 10L);
        ds.dissect(frame("VER 1 MSNP8 CVR0"), Direction.S2C, 11L);
        ds.dissect(frame("CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS alice@example.com"), Direction.C2S, 12L);
        Dissection xfr = ds.dissect(frame("XFR 3 NS " + NS + " 0 10.0.0.1:1863"), Direction.S2C, 300L);
        stitcher.frame("s1", HOST, xfr);
        stitcher.nsReferral("s1", HOST, NS, "alice@example.com", 300L);
        assertEquals(1, stitcher.nsCandidates(HOST, NS), "the frame and the proxy's event are one referral");
        assertNull(stitcher.notificationServer(HOST, NS, "bob@example.com"));
        assertNull(stitcher.notificationServer(HOST, NS, "alice@example.com", 299L));
        assertEquals("s1", stitcher.notificationServer(HOST, NS, "ALICE@example.com", 301L));
    }

    @Test
    void aSoftResetNamesNoServer() {
        StreamDissector ns = new Dissector(SpecLoader.builtIn()).stream(new SessionContext("s1"), "c1", null);
        ns.dissect(frame("VER 1 MSNP11 CVR0"), Direction.C2S, 10L);
        ns.dissect(frame("VER 1 MSNP11"), Direction.S2C, 11L);
        stitcher.frame("s1", HOST, ns.dissect(frame("XFR 0 NS 0"), Direction.S2C, 12L));
        assertEquals(0, stitcher.nsCandidates(HOST, "0"));
    }

    private static Frame frame(String line) {
        return Frame.of(line.getBytes(StandardCharsets.US_ASCII), false, null, -1, line.substring(0, 3), 0);
    }
}

package msnscope.proxy;

import msnscope.dissect.Dissection;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full login (dispatch → XFR NS → notification server), chat on a switchboard (XFR SB), invitation
 * (RNG), a 64 KiB message and a binary P2P message, through msnscope, for each generation of referral
 * forms. Proves every referral points at msnscope and both directions are byte-exact but for the
 * rewritten addresses.
 */
@ExtendWith(LeakWatch.class)
class ProxyConversationTest {

    @ParameterizedTest(name = "MSNP{0}")
    @ValueSource(ints = {2, 5, 8, 11, 13, 15})
    void loginChatInviteThroughTheProxy(int version) throws Exception {
        try (ProxyFixture fx = new ProxyFixture()) {
            Conversation talk = new Conversation(fx);
            talk.aliceAndBobChat(version, true);
            assertEquals(talk.clients.size(), fx.events.closed.size(), "every connection ended: " + fx.events.closed);
            talk.assertByteExact();

            List<String> kinds = fx.settled().referrals.stream().map(Referral::kind).toList();
            assertEquals(List.of("NS", "NS", "SB", "SB"), kinds, "XFR NS twice, XFR SB, RNG");
            Referral rng = fx.settled().referrals.get(3);
            assertEquals(MsnWorld.SB_NAME + ":" + fx.world.sb.getLocalPort(), rng.original());
            assertTrue(rng.sessionId() != null && rng.cookie() != null, rng.toString());
            // switchboard connections were routed by listener and matched to the login by cookie
            long sbWithReferral = fx.settled().opened.stream().filter(c -> c.role() == msnscope.dissect.spec.FormSpec.Role.SB).count();
            assertEquals(2, sbWithReferral);
            // the switchboards inherited the NS's negotiated version through the cookie
            for (Dissection d : fx.settled().frames) {
                if (d.role() == msnscope.dissect.spec.FormSpec.Role.SB && d.command() != null && d.command().equals("MSG")) {
                    assertEquals(version, d.version(), "SB frame version: " + d);
                }
            }
            assertEquals(0, fx.proxy.liveConnections());
        }
    }
}

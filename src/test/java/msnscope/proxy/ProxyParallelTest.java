package msnscope.proxy;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 200 clients at once (100 pairs, a bounded pool of 24 drivers): each logs in through the dispatch
 * server, opens a switchboard, invites its partner and chats. Every referral must point at msnscope,
 * every connection must be byte-exact, and every cookie must route the switchboard to its own login.
 */
@ExtendWith(LeakWatch.class)
class ProxyParallelTest {

    @Test
    void twoHundredClientsInParallel() throws Exception {
        try (ProxyFixture fx = new ProxyFixture()) {
            Conversation talk = new Conversation(fx);
            talk.pairsInParallel(100, 24);
            fx.events.awaitClosed(talk.clients.size(), 10_000);
            assertEquals(600, talk.clients.size());
            assertEquals(talk.clients.size(), fx.events.closed.size());
            talk.assertByteExact();
            assertEquals(400, fx.settled().referrals.size(), "200 XFR NS + 100 XFR SB + 100 RNG");
            assertEquals(0, fx.proxy.routes().pending("127.0.0.1"), "every cookie was presented");
            assertEquals(0, fx.proxy.liveConnections());
        }
    }
}

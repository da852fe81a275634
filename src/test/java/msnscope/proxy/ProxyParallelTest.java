package msnscope.proxy;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
            ExecutorService pool = Executors.newFixedThreadPool(24);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                int version = new int[]{8, 11, 13, 15}[i % 4];
                done.add(pool.submit(() -> {
                    Conversation.User a = talk.login("a" + n + "@example.com", version);
                    Conversation.User b = talk.login("b" + n + "@example.com", version);
                    talk.chat(a, b, n % 10 == 0);
                    talk.logout(a);
                    talk.logout(b);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            fx.events.awaitClosed(talk.clients.size(), 10_000);
            assertEquals(600, talk.clients.size());
            assertEquals(talk.clients.size(), fx.events.closed.size());
            talk.assertByteExact();
            assertEquals(400, fx.events.referrals.size(), "200 XFR NS + 100 XFR SB + 100 RNG");
            assertEquals(0, fx.proxy.routes().pending("127.0.0.1"), "every cookie was presented");
            assertEquals(0, fx.proxy.liveConnections());
        }
    }
}

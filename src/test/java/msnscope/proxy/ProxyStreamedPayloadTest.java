package msnscope.proxy;

import msnscope.dissect.Dissection;
import msnscope.dissect.Warning;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, item 4, on real sockets: a chat peer puts referral-shaped lines into a switchboard message
 * whose payload the proxy does not buffer (above {@code --max-payload}, or no room in {@code --max-buffered}).
 * The payload must reach the other client byte for byte, no listener may open for the address the peer
 * chose, and both streams must stay in step: the commands after the payload are framed and dissected as
 * commands.
 */
@ExtendWith(LeakWatch.class)
class ProxyStreamedPayloadTest {

    /** Lines a peer would love the proxy to take for a referral, pointing at {@code port}. */
    private static byte[] hostileMessage(int port, int size) {
        StringBuilder b = new StringBuilder("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n");
        while (b.length() < size) {
            b.append("XFR 9 SB 127.0.0.1:").append(port).append(" CKI x\r\n")
                    .append("RNG 77 127.0.0.1:").append(port).append(" CKI y evil@example.com Evil\r\n")
                    .append("MSG 5 N 3\r\nabc");
        }
        b.setLength(size);
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] text(String s) {
        return ("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + s).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void payloadAboveMaxPayloadIsRelayedExactlyAndNeverReadAsReferrals() throws Exception {
        try (ProxyFixture fx = new ProxyFixture(c -> c.withFramerLimits(new FramerLimits(8192, 4096)));
             ServerSocket trap = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Conversation conv = new Conversation(fx);
            Conversation.User alice = conv.login("alice@example.com", 11);
            Conversation.User bob = conv.login("bob@example.com", 11);
            Conversation.Switchboard sb = conv.openSwitchboard(alice, bob);
            int routesBefore = fx.proxy.routes().routes().size();
            byte[] hostile = hostileMessage(trap.getLocalPort(), 20_000);

            // C->S: bob's message is above the limit; S->C: the switchboard relays it to alice.
            sb.b().sendPayload("MSG 2 A", hostile);
            String relayed = sb.a().readLine();
            assertEquals("MSG bob@example.com " + MsnWorld.nick("bob@example.com") + " " + hostile.length, relayed);
            assertArrayEquals(hostile, sb.a().payloadOf(relayed), "alice gets the payload byte for byte");
            sb.b().expect("ACK 2");

            // The streams are in step: the next messages each way are framed and relayed as messages.
            byte[] hi = text("still in sync");
            sb.a().sendPayload("MSG 3 N", hi);
            String toBob = sb.b().readLine();
            assertEquals("MSG alice@example.com " + MsnWorld.nick("alice@example.com") + " " + hi.length, toBob);
            assertArrayEquals(hi, sb.b().payloadOf(toBob));
            byte[] back = text("me too");
            sb.b().sendPayload("MSG 4 A", back);
            String toAlice = sb.a().readLine();
            assertArrayEquals(back, sb.a().payloadOf(toAlice));
            sb.b().expect("ACK 4");

            assertEquals(routesBefore, fx.proxy.routes().routes().size(), "no listener opened for a payload's address");
            assertTrue(fx.proxy.routes().routes().stream().noneMatch(r -> r.upstream().port() == trap.getLocalPort()));
            assertTrue(fx.settled().referrals.stream().noneMatch(r -> r.original().contains(":" + trap.getLocalPort())),
                    "no referral taken from a payload: " + fx.settled().referrals);

            sb.a().send("OUT");
            sb.b().expect("BYE alice@example.com");
            sb.a().assertClosed();
            sb.b().send("OUT");
            sb.b().assertClosed();
            conv.logout(alice);
            conv.logout(bob);
            fx.events.awaitClosed(conv.clients.size(), 5000);
            conv.assertByteExact();

            List<Dissection> sbFrames = List.copyOf(fx.settled().frames).stream().filter(d -> d.role() == msnscope.dissect.spec.FormSpec.Role.SB)
                    .toList();
            assertTrue(sbFrames.stream().noneMatch(d -> "XFR".equals(d.command()) || "RNG".equals(d.command())),
                    "payload lines dissected as commands");
            for (msnscope.wire.Direction dir : msnscope.wire.Direction.values()) {
                List<Dissection> msgs = sbFrames.stream().filter(d -> d.direction() == dir && "MSG".equals(d.command())).toList();
                assertTrue(msgs.size() >= 2, dir + ": " + msgs);
                Dissection streamed = msgs.get(0);
                assertTrue(streamed.warnings().stream().anyMatch(w -> w.code().equals(Warning.PAYLOAD_TOO_LARGE)
                        && w.message().contains("streamed through undissected")), dir + ": " + streamed.warnings());
                Dissection after = msgs.get(1);
                assertTrue(after.frame().hasPayload() && after.warnings().isEmpty(),
                        dir + ": the message after the streamed one is dissected cleanly: " + after.warnings());
            }
        }
    }

    @Test
    void payloadWithoutRoomInTheBudgetIsStreamedNotBuffered() throws Exception {
        try (ProxyFixture fx = new ProxyFixture(c -> c.withMaxBuffered(0));
             ServerSocket trap = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Conversation conv = new Conversation(fx);
            Conversation.User alice = conv.login("alice@example.com", 11);
            Conversation.User bob = conv.login("bob@example.com", 11);
            Conversation.Switchboard sb = conv.openSwitchboard(alice, bob);
            int routesBefore = fx.proxy.routes().routes().size();
            byte[] hostile = hostileMessage(trap.getLocalPort(), 3000);
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            first.writeBytes(("MSG 2 A " + hostile.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            first.write(hostile, 0, 1000);
            // Half now, half later: the proxy must hold the first half or stream it.
            sb.b().sendRaw(first.toByteArray());
            Thread.sleep(150);
            sb.b().sendRaw(java.util.Arrays.copyOfRange(hostile, 1000, hostile.length));
            String relayed = sb.a().readLine();
            assertArrayEquals(hostile, sb.a().payloadOf(relayed));
            sb.b().expect("ACK 2");
            sb.b().sendPayload("MSG 3 N", "ok".getBytes(StandardCharsets.US_ASCII));
            String next = sb.a().readLine();
            assertEquals("ok", new String(sb.a().payloadOf(next), StandardCharsets.US_ASCII));

            assertEquals(routesBefore, fx.proxy.routes().routes().size());
            assertTrue(fx.proxy.budget().refusals() > 0, "the budget was asked and said no");
            Dissection streamed = List.copyOf(fx.settled().frames).stream()
                    .filter(d -> d.direction() == msnscope.wire.Direction.C2S && "MSG".equals(d.command())
                            && d.role() == msnscope.dissect.spec.FormSpec.Role.SB)
                    .findFirst().orElseThrow();
            assertTrue(streamed.warnings().stream().anyMatch(w -> w.message().contains("--max-buffered")), streamed.warnings().toString());
            assertFalse(streamed.frame().hasPayload());
            sb.a().close();
            sb.b().close();
            alice.ns.close();
            bob.ns.close();
            fx.events.awaitClosed(conv.clients.size(), 5000);
            assertEquals(0, fx.proxy.budget().used(), "every byte of budget given back");
        }
    }
}

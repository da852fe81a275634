package msnscope.replay;

import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.proxy.HostPort;
import msnscope.support.Captures;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code serve} plays the servers of a capture to a scripted client over real loopback sockets. */
class ServeChatTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());
    private final List<String> console = new CopyOnWriteArrayList<>();
    private ServeServer serve;

    private ServeServer serve(Script script, ServeConfig.OnDivergence policy) throws Exception {
        serve = new ServeServer(script, new ServeConfig(new HostPort("127.0.0.1", 0), 0, policy, FramerLimits.DEFAULT), DISSECTOR,
                null, console::add);
        serve.start();
        return serve;
    }

    @AfterEach
    void stop() {
        if (serve != null) {
            serve.shutdown(1_000);
        }
    }

    private static Script load(String name) throws ScriptException {
        return Script.load(List.of(Captures.DIR.resolve(name)), DISSECTOR, FramerLimits.DEFAULT);
    }

    @Test
    void capturedClientGetsTheCapturedRepliesAndFollowsReferralsBackToServe() throws Exception {
        Script script = load("msnp11-chat.txt");
        serve(script, ServeConfig.OnDivergence.ERROR);
        try (ServeDriver client = new ServeDriver(script, serve.address(), 0)) {
            client.playRest();
            assertTrue(client.received.contains("XFR 3 NS 127.0.0.1:" + serve.address().getPort() + " 0 127.0.0.1:" + serve.address().getPort()),
                    client.received.toString());
            // A switchboard referral names serve's switchboard listener, as a real server names another machine.
            assertTrue(client.received.stream().anyMatch(l -> l.startsWith("XFR 13 SB 127.0.0.1:" + serve.switchboardAddress().getPort() + " ")),
                    client.received.toString());
        }
        assertEquals(0, serve.divergences(), console.toString());
        assertEquals(3, serve.connections());
        assertEquals(script.frames().stream().filter(f -> !f.fromClient()).count(), serve.answered());
    }

    @Test
    void repliesCarryTheClientsTrids() throws Exception {
        Script script = load("msnp11-chat.txt");
        serve(script, ServeConfig.OnDivergence.ERROR);
        try (ServeDriver client = new ServeDriver(script, serve.address(), 1000)) {
            client.playRest();
            assertTrue(client.received.contains("VER 1001 MSNP11"), client.received.toString());
            assertTrue(client.received.contains("ACK 1004"), client.received.toString());
        }
        assertEquals(0, serve.divergences(), console.toString());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("everyCapture")
    void everyCaptureIsServedToItsCapturedClientsWithoutDivergence(Path capture) throws Exception {
        Script script = Script.load(List.of(capture), DISSECTOR, FramerLimits.DEFAULT);
        serve(script, ServeConfig.OnDivergence.ERROR);
        try (ServeDriver clients = new ServeDriver(script, serve.address(), 0)) {
            clients.playRest();
        }
        assertEquals(0, serve.divergences(), console.toString());
        assertEquals(script.frames().stream().filter(f -> !f.fromClient()).count(), serve.answered());
    }

    static List<Path> everyCapture() throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(Captures.DIR)) {
            return s.filter(p -> p.toString().endsWith(".pcap") || Captures.transcripts().contains(p)).sorted().toList();
        }
    }

    @Test
    void pcapWithTwoUsersPlaysBothAtOnce() throws Exception {
        Script script = load("escargot-msnp8.pcap");
        serve(script, ServeConfig.OnDivergence.ERROR);
        try (ServeDriver clients = new ServeDriver(script, serve.address(), 0)) {
            clients.playRest();
        }
        assertEquals(0, serve.divergences(), console.toString());
        assertEquals(script.connections().size(), serve.connections());
    }

    @Test
    void secondUserConnectingFirstIsToldApartByTheAccountItNames() throws Exception {
        Script script = load("escargot-msnp8.pcap");
        serve(script, ServeConfig.OnDivergence.ERROR);
        ScriptLogin bob = script.logins().stream().filter(l -> l.account().startsWith("bob")).findFirst().orElseThrow();
        ScriptConnection bobNs = bob.connections().get(0);
        try (ServeDriver clients = new ServeDriver(script, serve.address(), 0)) {
            // bob's VER is alice's too, byte for byte: it is answered from alice's connection until CVR names bob.
            for (ScriptFrame f : bobNs.frames().subList(0, 4)) {
                clients.step(f);
            }
            clients.playRest();
        }
        assertEquals(0, serve.divergences(), console.toString());
        assertTrue(console.stream().anyMatch(l -> l.contains("named bob@example.com")), console.toString());
    }
}

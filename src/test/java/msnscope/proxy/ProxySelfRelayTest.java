package msnscope.proxy;

import msnscope.dissect.spec.SpecLoader;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy never relays to itself (issue 9, item 9): a referral naming one of its own listeners, in any
 * spelling of this host or on a port of {@code --ports} it has not opened yet, is passed to the client
 * unrewritten with a warning and opens nothing; and a route whose server is the proxy itself is closed at
 * the connect, in one line. Everything runs on real loopback sockets against a scripted server.
 */
@ExtendWith(LeakWatch.class)
class ProxySelfRelayTest {

    /** The referral lines a hostile or confused server sends; {@code MAIN}/{@code NEXT} become the proxy's ports. */
    private static final List<String> SELF_REFERRALS = List.of(
            "XFR 2 NS 127.1:MAIN 0 UPSTREAM",
            "XFR 3 NS 0.0.0.0:MAIN 0 UPSTREAM",
            "XFR 4 NS 2130706433:MAIN 0 UPSTREAM",
            "XFR 5 NS 127.000.000.001:MAIN 0 UPSTREAM",
            "XFR 6 NS [::ffff:127.0.0.1]:MAIN 0 UPSTREAM",
            "XFR 7 NS [::1]:MAIN 0 UPSTREAM",
            "XFR 8 NS localhost:MAIN 0 UPSTREAM",
            "XFR 9 NS LOCALHOST:MAIN 0 UPSTREAM",
            "XFR 10 NS self.example.test:MAIN 0 UPSTREAM",
            "XFR 11 NS [::]:MAIN 0 UPSTREAM",
            "XFR 12 NS 127.0.0.1:NEXT 0 UPSTREAM",
            "XFR 13 NS 127.0.0.1:LAST 0 UPSTREAM",
            "XFR 14 SB 127.1:NEXT CKI 17262740.1050826919.32308",
            "XFR 15 SB 0.0.0.0:MAIN CKI 17262741.1050826919.32308",
            "RNG 11752013 2130706433:NEXT CKI 849102291.520491113 alice@example.com Alice",
            "RNG 11752014 [::ffff:7f00:1]:MAIN CKI 849102292.520491113 alice@example.com Alice",
            "XFR 16 NS ::ffff:127.0.0.1:MAIN 0 UPSTREAM",
            "XFR 17 NS ::1:MAIN 0 UPSTREAM");

    @Test
    void everySpellingOfTheProxysOwnListenersIsPassedUnrewrittenWithAWarningAndOpensNothing() throws Exception {
        int[] range = freeRange(4);
        BlockingQueue<String> toSend = new LinkedBlockingQueue<>();
        try (FakeServer upstream = new FakeServer(scripted(toSend));
             ProxyServer proxy = new ProxyServer(config(HostPort.parse("127.0.0.1:0"), upstream.address(), range,
                     Map.of("self.example.test", "127.0.0.1")), SpecLoader.builtIn())) {
            int main = proxy.start().getPort();
            try (ScriptClient client = new ScriptClient("client", "127.0.0.1", main)) {
                client.send("VER 1 MSNP11 CVR0");
                client.expect("VER 1 MSNP11");
                long fdsBefore = openFds();
                List<String> lines = new ArrayList<>();
                for (String template : SELF_REFERRALS) {
                    lines.add(template.replace("MAIN", "" + main).replace("NEXT", "" + range[0])
                            .replace("LAST", "" + range[1]).replace("UPSTREAM", upstream.address().toString()));
                }
                String log = ProxyRoutingTest.stderrOf(() -> {
                    for (String line : lines) {
                        toSend.put(line);
                        client.expect(line);
                    }
                    return null;
                });
                for (String line : lines) {
                    assertTrue(log.lines().anyMatch(l -> l.contains("referral NOT rewritten")
                            && (l.contains("own listener") || l.contains("is not HOST:PORT")) && l.endsWith(line)),
                            "warned about: " + line + "\n" + log);
                }
                assertEquals(1, proxy.routes().routes().size(), "no listener opened: " + proxy.routes().routes());
                assertFdsStable(fdsBefore);
                // The client follows the unrewritten --ports referral: nothing listens there, nothing loops.
                assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", range[0]).close());
                assertFdsStable(fdsBefore);
            }
        }
    }

    @Test
    void aReferralToAnOpenReferralListenerIsRefusedToo() throws Exception {
        int[] range = freeRange(4);
        BlockingQueue<String> toSend = new LinkedBlockingQueue<>();
        try (FakeServer upstream = new FakeServer(scripted(toSend));
             ProxyServer proxy = new ProxyServer(config(HostPort.parse("127.0.0.1:0"), upstream.address(), range, Map.of()),
                     SpecLoader.builtIn())) {
            int main = proxy.start().getPort();
            try (ScriptClient client = new ScriptClient("client", "127.0.0.1", main)) {
                client.send("VER 1 MSNP11 CVR0");
                client.expect("VER 1 MSNP11");
                toSend.put("XFR 2 SB 10.255.0.7:1864 CKI one.cookie");
                String rewritten = client.readLine();
                assertEquals("XFR 2 SB 127.0.0.1:" + range[0] + " CKI one.cookie", rewritten, "a real server gets a listener");
                String loop = "XFR 3 NS [::ffff:127.0.0.1]:" + range[0] + " 0 " + upstream.address();
                String log = ProxyRoutingTest.stderrOf(() -> {
                    toSend.put(loop);
                    client.expect(loop);
                    return null;
                });
                assertTrue(log.contains("referral NOT rewritten") && log.contains("own listener"), log);
                assertEquals(2, proxy.routes().routes().size(), proxy.routes().routes().toString());
            }
        }
    }

    @Test
    void aRouteWhoseServerIsTheProxyItselfIsClosedAtTheConnectInOneLine() throws Exception {
        int port = freeRange(1)[0];
        ProxyFixture.Events events = new ProxyFixture.Events();
        // --upstream names the proxy's own listener: the connect path is the only guard left.
        try (ProxyServer proxy = new ProxyServer(config(new HostPort("127.0.0.1", port), new HostPort("localhost", port),
                new int[] {0, 0}, Map.of()), SpecLoader.builtIn())) {
            proxy.addListener(events);
            java.io.ByteArrayOutputStream consoleBytes = new java.io.ByteArrayOutputStream();
            ConsolePrinter console = new ConsolePrinter(ConsolePrinter.Format.TEXT, false, true,
                    new java.io.PrintStream(consoleBytes, true, java.nio.charset.StandardCharsets.UTF_8), System.err);
            proxy.addListener(console);
            proxy.start();
            long fdsBefore = openFds();
            String log = ProxyRoutingTest.stderrOf(() -> {
                try (ScriptClient client = new ScriptClient("client", "127.0.0.1", port)) {
                    client.send("VER 1 MSNP11 CVR0");
                    client.assertClosed();
                }
                events.awaitClosed(1, 5000);
                // The lane hands the close to the console: wait for it, not for a fixed time (slow under load).
                assertTrue(proxy.awaitAnalysis(10_000));
                return null;
            });
            console.close();
            log += consoleBytes.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(1, events.opened.size(), "exactly the client's connection, no relay into itself: " + events.opened);
            String reason = events.closed.values().iterator().next();
            assertTrue(reason.contains("own listener") && !reason.contains("Exception"), reason);
            assertEquals(1, log.lines().filter(l -> l.contains("own listener")).count(), log);
            assertEquals(0, proxy.liveConnections());
            assertFdsStable(fdsBefore);
        }
    }

    @Test
    void theGuardCanonicalisesAddressesTheWayTheConnectPathResolvesThem() throws Exception {
        RouteTable routes = new RouteTable(40100, 40109, 64, 8, java.time.Duration.ofMinutes(2));
        routes.addMain(HostPort.parse("10.0.0.1:1863"), new InetSocketAddress("127.0.0.1", 1863));
        Resolver resolver = new Resolver(Map.of("sb.example.test", "127.0.0.1", "far.example.test", "10.0.0.9"));
        for (String self : List.of("127.0.0.1:1863", "127.1:1863", "2130706433:1863", "127.000.000.001:1863", "0.0.0.0:1863",
                "[::ffff:127.0.0.1]:1863", "[::127.0.0.1]:1863", "[::1]:1863", "[::]:1863", "localhost:1863", "127.9.9.9:1863",
                "SB.example.TEST:1863", "127.0.0.1:40100", "127.1:40109", "0:40105")) {
            assertTrue(routes.isOwn(resolver.resolve(HostPort.parse(self))), self);
        }
        for (String other : List.of("10.0.0.1:1863", "127.0.0.1:1864", "127.0.0.1:40110", "far.example.test:1863",
                "[::ffff:10.0.0.9]:40100")) {
            assertFalse(routes.isOwn(resolver.resolve(HostPort.parse(other))), other);
        }
    }

    @Test
    void aWildcardListenerIsReachedOnEveryAddressOfThisHostButNotElsewhere() throws Exception {
        RouteTable routes = new RouteTable(0, 0, 64, 8, java.time.Duration.ofMinutes(2));
        routes.addMain(HostPort.parse("10.0.0.1:1863"), new InetSocketAddress(InetAddress.getByName("::"), 1863));
        List<InetAddress> mine = new ArrayList<>(List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"),
                InetAddress.getByName("0.0.0.0")));
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            mine.addAll(java.util.Collections.list(nic.getInetAddresses()));
        }
        for (InetAddress a : mine) {
            assertTrue(routes.isOwn(new InetSocketAddress(a, 1863)), a.toString());
        }
        assertFalse(routes.isOwn(new InetSocketAddress(InetAddress.getByName("192.0.2.44"), 1863)), "TEST-NET-1 is nobody's");
        assertFalse(routes.isOwn(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1864)), "another port");
    }

    // ---- helpers ----

    private static ProxyConfig config(HostPort listen, HostPort upstream, int[] range, Map<String, String> resolve) {
        return new ProxyConfig(listen, upstream, null, range[0], range[1], new Resolver(resolve), false, true,
                FramerLimits.DEFAULT, ProxyConfig.DEFAULT_MAX_PENDING, ProxyConfig.DEFAULT_MAX_LISTENERS,
                ProxyConfig.DEFAULT_COOKIE_TTL, null, msnscope.wire.PartialBudget.DEFAULT_BYTES, null);
    }

    /** Answers VER, then sends each queued line as the server, until the client leaves. */
    private static FakeServer.Script scripted(BlockingQueue<String> lines) {
        return (s, received) -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    return;
                }
                line.write(b);
            }
            assertTrue(line.toString(StandardCharsets.US_ASCII).startsWith("VER 1 MSNP11"));
            out.write("VER 1 MSNP11\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(100);
            for (;;) {
                String next = lines.poll(20, TimeUnit.MILLISECONDS);
                if (next != null) {
                    out.write((next + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                try {
                    if (in.read() < 0) {
                        return;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // the client is still there
                } catch (IOException e) {
                    return;
                }
            }
        };
    }

    /** {@code n} consecutive ports nothing listens on (below the ephemeral range, so the OS will not hand them out meanwhile). */
    private static int[] freeRange(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int low = 20_000 + (int) (Math.random() * 10_000);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int p = low; p < low + n; p++) {
                    held.add(new ServerSocket(p, 1, InetAddress.getLoopbackAddress()));
                }
                return new int[] {low, low + n - 1};
            } catch (IOException busy) {
                // try another range
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
        }
        throw new IOException("no " + n + " free consecutive ports");
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** A relay into itself grows by thousands a second; a few for lazily opened jars and sockets in TIME_WAIT are noise. */
    private static void assertFdsStable(long before) throws Exception {
        Thread.sleep(300);
        long now = openFds();
        assertTrue(now <= before + 3, "file descriptors grew from " + before + " to " + now);
    }
}

package msnscope.proxy;

import msnscope.dissect.Dissection;
import msnscope.dissect.spec.SpecLoader;
import msnscope.intercept.FrameBytes;
import msnscope.intercept.Interceptor;
import msnscope.intercept.Interest;
import msnscope.intercept.Side;
import msnscope.intercept.Verdict;
import msnscope.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's interception point with a scripted interceptor (what the rules and the hook plug into): each
 * verdict in both directions, bytes sent one at a time so every frame is split across reads, and the far side
 * receiving whole frames with the right lengths. A frame no verdict touches arrives byte-exact.
 */
@ExtendWith(LeakWatch.class)
class InterceptionRelayTest {

    /** Verdicts by "DIR CMD"; the interest is exactly those commands. */
    private record Scripted(Map<String, Function<Dissection, Verdict>> verdicts, List<String> asked) implements Interceptor {
        Scripted(Map<String, Function<Dissection, Verdict>> verdicts) {
            this(verdicts, new CopyOnWriteArrayList<>());
        }

        @Override
        public Interest interest() {
            Set<String> c2s = new java.util.HashSet<>();
            Set<String> s2c = new java.util.HashSet<>();
            verdicts.keySet().forEach(k -> (k.startsWith("C2S") ? c2s : s2c).add(k.substring(4)));
            return new Interest(c2s, s2c);
        }

        @Override
        public CompletionStage<Verdict> intercept(Dissection d, String connection) {
            asked.add(d.direction() + " " + d.frame().line());
            Function<Dissection, Verdict> f = verdicts.get(d.direction() + " " + d.command());
            return CompletableFuture.completedFuture(f == null ? Verdict.FORWARD : f.apply(d));
        }

        @Override
        public String describe() {
            return "scripted";
        }
    }

    private static Verdict by(byte[] replacement, boolean drop, long delay, List<Verdict.Injection> inj, Side close, String action) {
        return new Verdict(replacement, drop, delay, inj, close, "test", action);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ProxyServer proxy(FakeServer server, Interceptor i) throws Exception {
        ProxyServer p = new ProxyServer(ProxyConfig.of(new HostPort("127.0.0.1", 0), server.address()), SpecLoader.builtIn());
        p.intercept(i);
        return p;
    }

    /** Writes {@code s} one byte per write, so the proxy frames it across many reads. */
    private static void dribble(ScriptClient c, String s) throws Exception {
        for (byte b : bytes(s)) {
            c.sendRaw(new byte[]{b});
            Thread.sleep(1);
        }
    }

    @Test
    void clientFramesAreDroppedReplacedAndAnsweredAcrossSplitReadsWithLengthsRecomputed() throws Exception {
        String expected = "CHG 2 NLN 0\r\nMSG 3 N 11\r\nHELLO there" + "OUT\r\n";
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.read(s, expected.length(), rec);
            s.getOutputStream().write(bytes("CHG 2 NLN 0\r\n"));
            FakeServer.readToEnd(s, rec);
        })) {
            Scripted i = new Scripted(Map.of(
                    "C2S PNG", d -> by(null, true, 0, List.of(), null, "drop"),
                    "C2S USR", d -> by(null, true, 0, List.of(new Verdict.Injection(Side.CLIENT, false,
                            bytes("911 " + d.trid() + "\r\n"))), null, "reply"),
                    "C2S MSG", d -> by(FrameBytes.build(d.frame().line(), bytes("HELLO there")), false, 0, List.of(), null, "replace")));
            ProxyServer p = proxy(server, i);
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                dribble(c, "PNG\r\nUSR 1 TWN I alice@x.com\r\nCHG 2 NLN 0\r\nMSG 3 N 5\r\nhelloOUT\r\n");
                c.expect("911 1");
                c.expect("CHG 2 NLN 0");
                assertEquals(expected, new String(server.receivedBytes(), StandardCharsets.UTF_8));
                assertEquals(List.of("C2S PNG", "C2S USR 1 TWN I alice@x.com", "C2S MSG 3 N 5"), i.asked(),
                        "only the frames of the interest are asked about");
            }
        }
    }

    @Test
    void serverFramesAreDelayedInOrderAndInjectionsWaitForAFrameBoundary() throws Exception {
        byte[] big = new byte[20_000];
        java.util.Arrays.fill(big, (byte) 'x');
        ByteArrayOutputStream fromServer = new ByteArrayOutputStream();
        fromServer.writeBytes(bytes("JOI bob@x.com Bob\r\n"));
        fromServer.writeBytes(bytes("MSG bob@x.com Bob " + big.length + "\r\n"));
        fromServer.writeBytes(big);
        fromServer.writeBytes(bytes("QNG 50\r\n"));
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.read(s, "CAL 1 bob@x.com\r\n".length(), rec);
            var out = s.getOutputStream();
            byte[] all = fromServer.toByteArray();
            // The big payload in pieces, with a pause in the middle: the client's CHG (below) is read meanwhile.
            int half = 2000;
            out.write(all, 0, half);
            out.flush();
            Thread.sleep(400);
            out.write(all, half, all.length - half);
            out.flush();
            FakeServer.readToEnd(s, rec);
        })) {
            Scripted i = new Scripted(Map.of(
                    "S2C JOI", d -> by(null, false, 300, List.of(), null, "delay"),
                    "C2S CHG", d -> by(null, true, 0, List.of(new Verdict.Injection(Side.CLIENT, false, bytes("OUT OTH\r\n"))), null, "reply")));
            ProxyServer p = proxy(server, i);
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                long start = System.nanoTime();
                c.send("CAL 1 bob@x.com");
                c.expect("JOI bob@x.com Bob");
                assertTrue(System.nanoTime() - start >= 300_000_000L, "JOI waited for its delay");
                // While the server's MSG payload is half through, the client's CHG is answered: OUT OTH comes
                // after the whole payload, never inside it.
                Thread.sleep(150);
                c.send("CHG 2 NLN 0");
                String msg = c.readLine();
                assertEquals("MSG bob@x.com Bob " + big.length, msg);
                assertArrayEquals(big, c.readBytes(big.length));
                String next = c.readLine();
                String after = c.readLine();
                assertEquals(Set.of("OUT OTH", "QNG 50"), Set.of(next, after), "the injection sits between whole frames");
            }
        }
    }

    @Test
    void aVerdictClosesTheSideItNames() throws Exception {
        try (FakeServer server = new FakeServer((s, rec) -> {
            s.getOutputStream().write(bytes("NLN NLN bob@x.com Bob 0\r\nQNG 50\r\n"));
            FakeServer.readToEnd(s, rec);
        })) {
            Scripted i = new Scripted(Map.of("S2C NLN", d -> by(null, false, 0, List.of(), Side.BOTH, "close")));
            ProxyServer p = proxy(server, i);
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                c.expect("NLN NLN bob@x.com Bob 0");
                c.assertClosed();
                server.done.get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void framesOutsideTheInterestAreNeverHeldAndStayByteExact() throws Exception {
        String script = "VER 1 MSNP11 CVR0\r\nCVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0816 msmsgs alice@x.com\r\n";
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.read(s, script.length(), rec);
            s.getOutputStream().write(bytes("VER 1 MSNP11\r\n"));
            FakeServer.readToEnd(s, rec);
        })) {
            Scripted i = new Scripted(Map.of("C2S QRY", d -> by(null, true, 0, List.of(), null, "drop")));
            ProxyServer p = proxy(server, i);
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                dribble(c, script);
                c.expect("VER 1 MSNP11");
                assertArrayEquals(bytes(script), java.util.Arrays.copyOf(server.receivedBytes(), script.length()));
                assertEquals(List.of(), i.asked());
            }
        }
    }

    /**
     * Every frame held for a verdict that forwards it: random commands, payloads, garbage and bare LFs, written
     * in random pieces, arrive byte-exact both ways (the server echoes what it gets).
     */
    @Test
    void everyFrameHeldAndForwardedArrivesByteExactBothWays() throws Exception {
        java.util.Random random = new java.util.Random(20261207);
        ByteArrayOutputStream traffic = new ByteArrayOutputStream();
        String[] lines = {"PNG", "CHG 9 NLN 0", "OUT", "QNG 50", "\u00e9\u00e8 not a command", "JOI bob@x.com Bob",
                "911 4", "ILN 1 NLN a@b.c A 0", ""};
        // No referral among them: the proxy rewrites those on purpose.
        for (int i = 0; i < 400; i++) {
            int k = random.nextInt(lines.length + 2);
            if (k < lines.length) {
                traffic.writeBytes(bytes(lines[k] + (random.nextInt(10) == 0 ? "\n" : "\r\n")));
            } else if (k == lines.length) {
                byte[] body = new byte[random.nextInt(300)];
                random.nextBytes(body);
                traffic.writeBytes(bytes("MSG " + i + " N " + body.length + "\r\n"));
                traffic.writeBytes(body);
            } else {
                byte[] junk = new byte[1 + random.nextInt(40)];
                random.nextBytes(junk);
                traffic.writeBytes(junk);
            }
        }
        // A frame that may be changed goes on once it is whole: junk at the very end would wait for its line's end.
        traffic.writeBytes(bytes("\r\n"));
        byte[] all = traffic.toByteArray();
        try (FakeServer server = new FakeServer((s, rec) -> {
            byte[] got = FakeServer.read(s, all.length, rec);
            s.getOutputStream().write(got);
            s.getOutputStream().flush();
            FakeServer.readToEnd(s, rec);
        })) {
            Interceptor everything = new Interceptor() {
                @Override
                public Interest interest() {
                    return Interest.ALL;
                }

                @Override
                public CompletionStage<Verdict> intercept(Dissection d, String connection) {
                    return CompletableFuture.completedFuture(Verdict.FORWARD);
                }

                @Override
                public String describe() {
                    return "forward everything";
                }
            };
            ProxyServer p = proxy(server, everything);
            try (p; ScriptClient c = new ScriptClient("client", "127.0.0.1", p.start().getPort())) {
                for (int at = 0; at < all.length; ) {
                    int n = Math.min(all.length - at, 1 + random.nextInt(64));
                    c.sendRaw(java.util.Arrays.copyOfRange(all, at, at + n));
                    at += n;
                }
                assertArrayEquals(all, c.readBytes(all.length), "what the server echoed, through the proxy both ways");
                assertArrayEquals(all, java.util.Arrays.copyOf(server.receivedBytes(), all.length));
            }
        }
    }
}

package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.FramerLimits;
import msnscope.wire.PartialBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every referral form of MSNP.md §3 (XFR NS 2 / 3–6 / 7–12 / 13+, XFR 0 NS, XFR SB 2–12 / 13 / 14+, RNG
 * 2–12 / 13 / 14+, Escargot's host names and UUID session ids) is rewritten through the form the dissector
 * matched, only in its address tokens; and the S2C forwarder gives the same bytes however the stream is split.
 */
class ProxyRewriteTest {

    private static final ProtocolSpec SPEC = SpecLoader.builtIn();

    private final AtomicInteger nextPort = new AtomicInteger(40000);
    private final RouteTable routes = new RouteTable(0, 0, 64, 8, Duration.ofMinutes(2));
    private final ReferralRewriter rewriter = new ReferralRewriter(routes, port -> new InetSocketAddress("127.0.0.1", nextPort.getAndIncrement()));

    private Dissection dissect(int version, byte[] line) {
        StreamDissector s = new Dissector(SPEC).stream(new SessionContext("s"), "c1", null);
        s.dissect(frame(("VER 1 MSNP" + version + " CVR0").getBytes(StandardCharsets.US_ASCII)), Direction.C2S, 1L);
        s.dissect(frame(("VER 1 MSNP" + version).getBytes(StandardCharsets.US_ASCII)), Direction.S2C, 2L);
        return s.dissect(frame(line), Direction.S2C, 3L);
    }

    private static Frame frame(byte[] line) {
        String cmd = new String(line, 0, 3, StandardCharsets.US_ASCII);
        return Frame.of(line, false, null, -1, cmd, 0);
    }

    private ReferralRewriter.Result rewrite(int version, String line) {
        return rewriter.rewrite(dissect(version, line.getBytes(StandardCharsets.UTF_8)),
                new ReferralRewriter.Receiver("c1", "alice@example.com", "127.0.0.1", "127.0.0.1", new SessionContext("s")), 1L);
    }

    private int portFor(String hostPort) {
        return routes.routes().stream().filter(r -> r.upstream().toString().equals(hostPort)).findFirst().orElseThrow()
                .listenAddress().getPort();
    }

    @ParameterizedTest(name = "MSNP{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "2 |XFR 3 NS 10.0.0.5:1863                                                      |NS|10.0.0.5:1863|",
            "5 |XFR 4 NS 10.0.0.5:1863 0                                                    |NS|10.0.0.5:1863|",
            "11|XFR 5 NS 10.0.0.5:1863 0 10.0.0.1:1863                                      |NS|10.0.0.5:1863|10.0.0.1:1863",
            "11|XFR 0 NS 10.0.0.6:1863 0 10.0.0.1:1863                                      |NS|10.0.0.6:1863|10.0.0.1:1863",
            "13|XFR 8 NS 10.0.0.5:1863 U D                                                  |NS|10.0.0.5:1863|",
            "18|XFR 8 NS 10.0.0.5:1863 U D                                                  |NS|10.0.0.5:1863|",
            "8 |XFR 10 SB m1.escargot.log1p.xyz:1864 CKI 0fc2823505fca1de21ae               |SB|m1.escargot.log1p.xyz:1864|",
            "11|XFR 15 SB 207.46.108.37:1863 CKI 17262740.1050826919.32308                  |SB|207.46.108.37:1863|",
            "13|XFR 16 SB 10.0.0.7:1864 CKI 1318472355.1750196310 U messenger.msn.com       |SB|10.0.0.7:1864|",
            "15|XFR 14 SB 10.0.0.7:1864 CKI 1180375526.1249987532 U messenger.msn.com 1     |SB|10.0.0.7:1864|",
            "11|RNG 11752013 10.0.0.7:1864 CKI 849102291.520491113 alice@example.com Alice%20%E2%99%A5|SB|10.0.0.7:1864|",
            "13|RNG 30214477 10.0.0.7:1864 CKI 1188430211.2077431839 carol@example.com Carol%20K. U messenger.hotmail.com|SB|10.0.0.7:1864|",
            "15|RNG 41170263 10.0.0.7:1864 CKI 1933051202.1248803561 bob@example.com Bob U messenger.hotmail.com 1|SB|10.0.0.7:1864|",
            "2 |RNG 64de76cd-57c9-4bd4-ac60-d4ceaba68425 m1.escargot.log1p.xyz:1864 CKI 2c98186e9a9b95ab6106 alice@example.com alice@example.com|SB|m1.escargot.log1p.xyz:1864|",
            "12|RNG 155bbe0f-e084-4805-8bef-d9b808d6506f m1.escargot.log1p.xyz:1864 CKI 2d0a94e7ea6d36829257 alice@example.com alice@example.com|SB|m1.escargot.log1p.xyz:1864|",
    })
    void everyReferralFormIsRewrittenInItsAddressesOnly(int version, String line, String kind, String address, String also) {
        ReferralRewriter.Result r = rewrite(version, line.trim());
        assertNotNull(r, "recognised as a referral: " + line);
        assertNull(r.refusal());
        String expected = line.trim().replace(" " + address + " ", " 127.0.0.1:" + portFor(address) + " ")
                .replaceAll(" " + java.util.regex.Pattern.quote(address) + "$", " 127.0.0.1:" + portFor(address));
        if (also != null) {
            expected = expected.replaceAll(" " + java.util.regex.Pattern.quote(also) + "$", " 127.0.0.1:" + portFor(also));
        }
        assertEquals(expected + "\r\n", new String(r.forwarded(), StandardCharsets.UTF_8));
        assertEquals(kind, r.referral().kind());
        assertEquals(address, r.referral().original());
        if (kind.equals("SB")) {
            assertNotNull(r.referral().cookie());
            assertEquals(1, routes.pending("127.0.0.1"));
        }
        if (line.startsWith("RNG")) {
            assertEquals(line.split(" ")[1], r.referral().sessionId());
        }
    }

    @Test
    void softResetToTheSameServerIsNotARoute() {
        assertNull(rewrite(11, "XFR 0 NS 0"), "XFR 0 NS 0 names no server");
        assertTrue(routes.routes().isEmpty());
    }

    @Test
    void bytesThatAreNotUtf8AndABareLfSurviveTheRewrite() {
        byte[] line = "RNG 1 10.0.0.7:1864 CKI ab.cd bob@example.com B\u00e9b".getBytes(StandardCharsets.ISO_8859_1);
        Frame f = Frame.of(line, true, null, -1, "RNG", 0);
        StreamDissector s = new Dissector(SPEC).stream(new SessionContext("s"), "c1", FormSpec.Role.NS);
        Dissection d = s.dissect(f, Direction.S2C, 1L);
        ReferralRewriter.Result r = rewriter.rewrite(d, new ReferralRewriter.Receiver("c1", null, "127.0.0.1", "10.9.8.7", null), 1L);
        byte[] expected = ("RNG 1 10.9.8.7:" + portFor("10.0.0.7:1864") + " CKI ab.cd bob@example.com B\u00e9b\n").getBytes(StandardCharsets.ISO_8859_1);
        assertArrayEquals(expected, r.forwarded());
    }

    @Test
    void pendingCookiesAreLimitedPerClient() {
        RouteTable small = new RouteTable(0, 0, 64, 2, Duration.ofMinutes(2));
        ReferralRewriter rw = new ReferralRewriter(small, port -> new InetSocketAddress("127.0.0.1", 41000));
        ReferralRewriter.Receiver who = new ReferralRewriter.Receiver("c1", null, "127.0.0.1", "127.0.0.1", null);
        assertNull(rw.rewrite(dissect(11, "XFR 6 SB 10.0.0.7:1864 CKI one".getBytes()), who, 1).refusal());
        assertNull(rw.rewrite(dissect(11, "XFR 7 SB 10.0.0.7:1864 CKI two".getBytes()), who, 1).refusal());
        ReferralRewriter.Result third = rw.rewrite(dissect(11, "XFR 8 SB 10.0.0.7:1864 CKI three".getBytes()), who, 1);
        assertTrue(third.refusal().contains("pending"), third.refusal());
        assertNull(third.forwarded(), "refused referrals are forwarded unchanged");
        RouteTable.Route route = small.routes().get(0);
        assertEquals(RouteTable.Status.KNOWN, small.present("one", route).status());
        assertEquals(RouteTable.Status.REUSED, small.present("one", route).status());
        assertEquals(RouteTable.Status.UNKNOWN, small.present("nope", route).status());
        assertNull(rw.rewrite(dissect(11, "XFR 8 SB 10.0.0.7:1864 CKI three".getBytes()), who, 1).refusal(), "room again");
    }

    @Test
    void listenersAreLimited() {
        RouteTable one = new RouteTable(0, 0, 1, 8, Duration.ofMinutes(2));
        ReferralRewriter rw = new ReferralRewriter(one, port -> new InetSocketAddress("127.0.0.1", 41000));
        ReferralRewriter.Receiver who = new ReferralRewriter.Receiver("c1", null, "127.0.0.1", "127.0.0.1", null);
        assertNull(rw.rewrite(dissect(11, "XFR 6 SB 10.0.0.7:1864 CKI one".getBytes()), who, 1).refusal());
        ReferralRewriter.Result r = rw.rewrite(dissect(11, "XFR 7 SB 10.0.0.8:1864 CKI two".getBytes()), who, 1);
        assertTrue(r.refusal().contains("listener limit"), r.refusal());
    }

    @Test
    void aReferralToTheProxyItselfIsRefused() {
        routes.addMain(HostPort.parse("10.0.0.1:1863"), new InetSocketAddress("127.0.0.1", 1863));
        ReferralRewriter.Result r = rewrite(11, "XFR 5 NS 127.0.0.1:1863 0 10.0.0.1:1863");
        assertTrue(r.refusal().contains("own listener"), r.refusal());
    }

    @Test
    void cookiesExpire() throws InterruptedException {
        RouteTable quick = new RouteTable(0, 0, 4, 8, Duration.ofMillis(50));
        RouteTable.Route route = new RouteTable.Route(HostPort.parse("10.0.0.7:1864"), new InetSocketAddress(1), false, FormSpec.Role.SB);
        assertDoesNotThrow(() -> quick.issue(new RouteTable.Ticket("c", route, null, "127.0.0.1", null, System.nanoTime())));
        Thread.sleep(120);
        assertEquals(RouteTable.Status.EXPIRED, quick.present("c", route).status());
        assertEquals(0, quick.pending("127.0.0.1"));
    }

    private static void assertDoesNotThrow(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(e);
    }

    /** S2C forwarding gives the same bytes for every split of the stream, and rewrites held referral lines. */
    @Test
    void forwardingIsTheSameForEverySplit() {
        byte[] stream = ("QNG 60\r\nXFR 9 SB 10.0.0.7:1864 CKI abc\r\nMSG Hotmail Hotmail 12\r\nXFR 1 NS x\r\nPRNG 1 2\r\n"
                + "RNG 5 10.0.0.7:1864 CKI d a@b A\r\nJUNK").getBytes(StandardCharsets.US_ASCII);
        byte[] expected = ("QNG 60\r\nXFR 9 SB P CKI abc\r\nMSG Hotmail Hotmail 12\r\nXFR 1 NS x\r\nPRNG 1 2\r\n"
                + "RNG 5 P CKI d a@b A\r\nJUNK").getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(expected, forward(stream, new int[]{stream.length}));
        for (int cut = 1; cut < stream.length; cut++) {
            assertArrayEquals(expected, forward(stream, new int[]{cut, stream.length}), "split at " + cut);
        }
        int[] bytewise = new int[stream.length];
        for (int i = 0; i < stream.length; i++) {
            bytewise[i] = i + 1;
        }
        assertArrayEquals(expected, forward(stream, bytewise));
    }

    private static byte[] forward(byte[] stream, int[] cuts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, Boolean> partialReferralSeen = new ConcurrentHashMap<>();
        java.util.ArrayDeque<byte[]> decisions = new java.util.ArrayDeque<>();
        Forwarder[] fw = new Forwarder[1];
        fw[0] = new Forwarder(UnpooledByteBufAllocator.DEFAULT,
                (k, d, t) -> SPEC.expectsPayload(k, d, t, 11), FramerLimits.DEFAULT, PartialBudget.unlimited(), List.of("XFR", "RNG"),
                new Forwarder.Sink() {
                    @Override
                    public void forward(ByteBuf bytes) {
                        byte[] b = new byte[bytes.readableBytes()];
                        bytes.readBytes(b);
                        bytes.release();
                        out.writeBytes(b);
                    }

                    @Override
                    public void observe(Frame frame) {
                        if (frame.line().startsWith("XFR 9")) {
                            partialReferralSeen.put(frame.line(), true);
                        }
                    }

                    @Override
                    public void hold(Frame frame) {
                        String line = frame.line();
                        byte[] out = line.startsWith("XFR 9") || line.startsWith("RNG")
                                ? (line.replace("10.0.0.7:1864", "P") + "\r\n").getBytes(StandardCharsets.US_ASCII) : null;
                        decisions.add(out == null ? new byte[0] : out);
                    }
                });
        // Decided later, as the analysis lane does: after the forwarder has returned.
        Runnable decide = () -> {
            while (!decisions.isEmpty()) {
                byte[] d = decisions.poll();
                fw[0].decided(d.length == 0 ? null : d);
            }
        };
        int from = 0;
        for (int cut : cuts) {
            fw[0].feed(Unpooled.wrappedBuffer(stream, from, cut - from));
            decide.run();
            from = cut;
        }
        fw[0].finish();
        decide.run();
        assertTrue(partialReferralSeen.isEmpty(), "a referral line was forwarded in pieces");
        return out.toByteArray();
    }
}

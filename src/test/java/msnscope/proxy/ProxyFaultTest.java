package msnscope.proxy;

import msnscope.dissect.spec.SpecLoader;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a connection ends badly, and traffic that is not MSNP: each ends with one clear reason, the
 * other side closed, nothing already received lost, no leaked channel or buffer.
 */
@ExtendWith(LeakWatch.class)
class ProxyFaultTest {

    private ProxyServer proxy;
    private final ProxyFixture.Events events = new ProxyFixture.Events();

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private ScriptClient through(HostPort upstream) throws Exception {
        proxy = new ProxyServer(ProxyConfig.of(new HostPort("127.0.0.1", 0), upstream), SpecLoader.builtIn());
        proxy.addListener(events);
        int port = proxy.start().getPort();
        return new ScriptClient("client", "127.0.0.1", port);
    }

    /** The frames listeners heard of, once the analysis lane has caught up with the relay. */
    private List<msnscope.dissect.Dissection> settledFrames() throws InterruptedException {
        assertTrue(proxy.awaitAnalysis(10_000));
        return List.copyOf(events.frames);
    }

    private String reason() throws InterruptedException {
        events.awaitClosed(1, 5000);
        assertEquals(1, events.closed.size(), "one connection, closed once: " + events.closed);
        assertEquals(0, proxy.liveConnections());
        return events.closed.values().iterator().next();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void refusedUpstreamClosesTheClientWithAClearReason() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (ScriptClient c = through(new HostPort("127.0.0.1", closedPort))) {
            c.send("VER 1 MSNP11 CVR0");
            c.assertClosed();
        }
        String reason = reason();
        assertTrue(reason.contains("refused"), reason);
    }

    @Test
    void unresolvableUpstreamSaysSo() throws Exception {
        try (ScriptClient c = through(new HostPort("no-such-host.invalid", 1863))) {
            c.assertClosed();
        }
        String reason = reason();
        assertTrue(reason.contains("unresolvable"), reason);
    }

    @Test
    void upstreamResetMidPayloadForwardsWhatArrived() throws Exception {
        byte[] partial = ascii("VER 1 MSNP11\r\nMSG Hotmail Hotmail 200\r\nMIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile\r\n");
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.read(s, 18, rec);
            s.getOutputStream().write(partial);
            s.getOutputStream().flush();
            Thread.sleep(200);
            s.setSoLinger(true, 0);
            s.close();
        }); ScriptClient c = through(server.address())) {
            c.send("VER 1 MSNP11 CVR0");
            c.closedWithin(5000);
            assertArrayEquals(partial, c.received.toByteArray(), "everything the server sent before the reset");
            server.await();
        }
        String reason = reason();
        assertTrue(reason.startsWith("server reset"), reason);
        assertTrue(settledFrames().stream().anyMatch(d -> d.warnings().stream().anyMatch(w -> w.code().equals("payload-truncated"))),
                "the cut payload is marked");
    }

    @Test
    void clientResetIsPassedOnAfterItsBytes() throws Exception {
        try (FakeServer server = new FakeServer((s, rec) -> FakeServer.readToEnd(s, rec))) {
            ScriptClient c = through(server.address());
            c.sendRaw(ascii("VER 1 MSNP11 CVR0\r\nCVR 2 0x0409 win"));
            Thread.sleep(200);
            c.socket.setSoLinger(true, 0);
            c.close();
            server.await();
            assertArrayEquals(ascii("VER 1 MSNP11 CVR0\r\nCVR 2 0x0409 win"), server.receivedBytes());
        }
        String reason = reason();
        assertTrue(reason.startsWith("client reset"), reason);
    }

    @Test
    void halfCloseLetsTheServerAnswerLast() throws Exception {
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.readToEnd(s, rec);
            s.getOutputStream().write(ascii("OUT OTH\r\n"));
            s.getOutputStream().flush();
        }); ScriptClient c = through(server.address())) {
            c.send("OUT");
            c.socket.shutdownOutput();
            server.await();
            assertArrayEquals(ascii("OUT\r\n"), server.receivedBytes());
            c.expect("OUT OTH");
            c.assertClosed();
        }
        String reason = reason();
        assertTrue(reason.startsWith("client closed"), reason);
        assertTrue(reason.contains("server sent OUT OTH and closed"), reason);
    }

    @Test
    void serverOutThenCloseReachesTheClient() throws Exception {
        try (FakeServer server = new FakeServer((s, rec) -> {
            s.getOutputStream().write(ascii("OUT OTH\r\n"));
            s.getOutputStream().flush();
        }); ScriptClient c = through(server.address())) {
            c.expect("OUT OTH");
            c.assertClosed();
            server.await();
        }
        assertTrue(reason().startsWith("server sent OUT OTH and closed"), events.closed.toString());
    }

    /**
     * A dispatch server that closes right after its referral (they do): the XFR waits for the analysis
     * lane's decision while the server's end arrives; the client still gets the rewritten line, then the end.
     */
    @Test
    void aReferralFollowedAtOnceByTheServersCloseIsRewrittenThenClosed() throws Exception {
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.read(s, 19, rec);
            s.getOutputStream().write(ascii("VER 1 MSNP11\r\nXFR 2 NS 10.0.0.5:1863 0 10.0.0.1:1863\r\n"));
            s.getOutputStream().flush();
        }); ScriptClient c = through(server.address())) {
            c.send("VER 1 MSNP11 CVR0");
            c.expect("VER 1 MSNP11");
            String xfr = c.readLine();
            assertTrue(xfr.startsWith("XFR 2 NS 127.0.0.1:"), "rewritten to the proxy: " + xfr);
            c.assertClosed();
            server.await();
        }
        assertTrue(reason().startsWith("server closed"), events.closed.toString());
    }

    @Test
    void aClientThatNeverReadsPausesTheServerAndMemoryStaysBounded() throws Exception {
        AtomicLong written = new AtomicLong();
        byte[] payload = new byte[1600];
        java.util.Arrays.fill(payload, (byte) 'x');
        byte[] frame = concat(ascii("MSG Hotmail Hotmail 1600\r\n"), payload);
        try (FakeServer server = new FakeServer((s, rec) -> {
            s.getOutputStream().write(ascii("VER 1 MSNP11\r\n"));
            try {
                for (;;) {
                    s.getOutputStream().write(frame);
                    written.addAndGet(frame.length);
                }
            } catch (IOException e) {
                // the proxy closed us at the end of the test
            }
        }); ScriptClient c = through(server.address())) {
            c.send("VER 1 MSNP11 CVR0");
            long before = -1;
            long after = written.get();
            int still = 0;
            long deadline = System.currentTimeMillis() + 15_000;
            while (still < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(300);
                before = after;
                after = written.get();
                still = after == before && after > 1_000_000 ? still + 1 : 0;
            }
            assertEquals(before, after, "the server is paused once buffers are full");
            assertTrue(after < 64L * 1024 * 1024, "bounded: " + after + " bytes left the server");
            // the kernel lets the client's window open slowly, so the relay alternates between paused and
            // reading a little; at every moment its own buffers stay within the water marks
            Relay r = proxy.relays().iterator().next();
            boolean sawPaused = false;
            for (int i = 0; i < 20; i++) {
                long pending = r.clientChannel().unsafe().outboundBuffer().totalPendingWriteBytes();
                assertTrue(pending <= ProxyServer.HIGH_WATER + 128 * 1024, "pending bytes in the proxy: " + pending);
                assertTrue(r.heldS2C() <= 2 * frame.length, "the framer holds at most one frame: " + r.heldS2C());
                sawPaused |= !r.upstreamChannel().config().isAutoRead();
                Thread.sleep(50);
            }
            assertTrue(sawPaused, "reading from the server was paused");
            // now the client reads: everything flows again, byte-exact
            InputStream in = c.socket.getInputStream();
            byte[] head = in.readNBytes(14);
            assertArrayEquals(ascii("VER 1 MSNP11\r\n"), head);
            for (int i = 0; i < 2000; i++) {
                assertArrayEquals(frame, in.readNBytes(frame.length));
            }
        }
        reason();
    }

    @Test
    void aServerThatNeverReadsPausesTheClient() throws Exception {
        AtomicLong sent = new AtomicLong();
        byte[] line = ascii("MSG 1 U 4000\r\n" + "x".repeat(4000));
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try (FakeServer server = new FakeServer((s, rec) -> done.await(20, java.util.concurrent.TimeUnit.SECONDS));
             ScriptClient c = through(server.address())) {
            Thread writer = new Thread(() -> {
                try {
                    for (;;) {
                        c.socket.getOutputStream().write(line);
                        sent.addAndGet(line.length);
                    }
                } catch (IOException e) {
                    // closed at the end
                }
            });
            writer.setDaemon(true);
            writer.start();
            long before = -1;
            long after = sent.get();
            int still = 0;
            long deadline = System.currentTimeMillis() + 7_000;
            while (still < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(300);
                before = after;
                after = sent.get();
                still = after == before && after > 0 ? still + 1 : 0;
            }
            assertEquals(before, after, "the client is paused once buffers are full");
            assertTrue(after < 64L * 1024 * 1024, "bounded: " + after);
            Relay r = proxy.relays().iterator().next();
            boolean sawPaused = false;
            for (int i = 0; i < 60 && !sawPaused; i++) {
                assertTrue(r.upstreamChannel().unsafe().outboundBuffer().totalPendingWriteBytes() <= ProxyServer.HIGH_WATER + 128 * 1024);
                sawPaused |= !r.clientChannel().config().isAutoRead();
                Thread.sleep(20);
            }
            assertTrue(sawPaused, "reading from the client was paused");
            c.close();
            done.countDown();
        }
        reason();
    }

    @Test
    void anIdleConnectionIsNotTimedOut() throws Exception {
        try (FakeServer server = new FakeServer((s, rec) -> {
            String l = new String(FakeServer.read(s, 5, rec), StandardCharsets.US_ASCII);
            assertEquals("PNG\r\n", l);
            s.getOutputStream().write(ascii("QNG 60\r\n"));
            FakeServer.readToEnd(s, rec);
        }); ScriptClient c = through(server.address())) {
            Thread.sleep(1500);
            c.send("PNG");
            c.expect("QNG 60");
        }
        reason();
    }

    @Test
    void garbageIsForwardedAsIsAndMarked() throws Exception {
        ByteArrayOutputStream clientGot = new ByteArrayOutputStream();
        try (FakeServer server = new FakeServer((s, rec) -> {
            FakeServer.read(s, 6, rec);
            s.getOutputStream().write(new byte[]{0, 1, (byte) 0xff, 'g', 'a', 'r', 'b', '\r', '\n'});
            s.getOutputStream().write(ascii("HELLO no newline yet"));
            s.getOutputStream().flush();
            Thread.sleep(500);
            s.getOutputStream().write(ascii("\r\nXFR 1 S"));
            s.getOutputStream().flush();
            Thread.sleep(500);
            s.getOutputStream().write(ascii("B 10.1.2.3:1864 CKI abc\r\n"));
            s.getOutputStream().flush();
            FakeServer.readToEnd(s, rec);
        }); ScriptClient c = through(server.address())) {
            c.sendRaw(new byte[]{(byte) 0xfe, 0, '\r', '\n', 'Z', '\n'});
            InputStream in = c.socket.getInputStream();
            byte[] first = in.readNBytes(9 + 20);
            assertArrayEquals(concat(new byte[]{0, 1, (byte) 0xff, 'g', 'a', 'r', 'b', '\r', '\n'}, ascii("HELLO no newline yet")), first,
                    "an incomplete line that cannot be a referral is not held back");
            byte[] two = in.readNBytes(2);
            assertArrayEquals(ascii("\r\n"), two);
            c.socket.setSoTimeout(250);
            assertThrowsTimeout(in);
            c.socket.setSoTimeout(5000);
            String rest = new String(readLine(in), StandardCharsets.US_ASCII);
            int port = proxy.routes().routes().stream().filter(r -> !r.main()).findFirst().orElseThrow().listenAddress().getPort();
            assertEquals("XFR 1 SB 127.0.0.1:" + port + " CKI abc", rest, "the held XFR line is rewritten when complete");
            c.close();
            server.await();
            assertArrayEquals(new byte[]{(byte) 0xfe, 0, '\r', '\n', 'Z', '\n'}, server.receivedBytes());
        }
        reason();
        assertTrue(settledFrames().stream().filter(d -> d.warnings().stream().anyMatch(w -> w.code().equals("not-a-command"))).count() >= 3,
                "garbage is marked both ways");
        assertEquals(2, proxy.routes().routes().size(), "only the server's referral made a route");
    }

    private static void assertThrowsTimeout(InputStream in) throws IOException {
        try {
            int b = in.read();
            throw new AssertionError("a partial XFR line must be held until complete, got byte " + b);
        } catch (java.net.SocketTimeoutException expected) {
            // held
        }
    }

    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int x; (x = in.read()) >= 0 && x != '\n'; ) {
            if (x != '\r') {
                b.write(x);
            }
        }
        return b.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}

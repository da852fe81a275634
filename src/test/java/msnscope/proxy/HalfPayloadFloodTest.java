package msnscope.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, item 7, on real sockets: many connections each declare {@code UUX 2 1048576} and send all but
 * the last byte, then wait. What the proxy holds for them must stay within {@code --max-buffered} (the
 * shared budget's counter, and Netty's direct memory), and a new client must still log in and chat at
 * once. Before the fix each such connection held its megabyte in direct memory (the issue measured
 * ~2 GiB for 1,000 of them, and OutOfMemoryError at -Xmx1g).
 *
 * <p>The suite floods 300 connections into an in-process proxy. The full attack, 1,000
 * connections against a proxy process started with {@code -Xmx512m} whose resident memory is read from
 * {@code /proc}, runs on demand:
 * <pre>
 * mvn -o test -Dtest=HalfPayloadFloodTest -Dmsnscope.flood=1000
 * </pre>
 */
@ExtendWith(LeakWatch.class)
class HalfPayloadFloodTest {

    private static final int DECLARED = 1024 * 1024;
    private static final long BUDGET = 4L * 1024 * 1024;
    private static final byte[] LINE = ("UUX 2 " + DECLARED + "\r\n").getBytes(StandardCharsets.US_ASCII);

    @Test
    void halfSentPayloadsStayWithinTheBudgetAndANewClientStillChats() throws Exception {
        int connections = 300;
        DrainingFront front = new DrainingFront();
        List<Socket> flood = new ArrayList<>();
        try (front; ProxyFixture fx = new ProxyFixture(c -> c.withUpstream(front.address()).withMaxBuffered(BUDGET))) {
            front.target = HostPort.parse(fx.world.dsAddress());
            fx.events.keepFrames = false;
            long directBefore = directMemory();
            long heapBefore = heapAfterGc();

            flood(HostPort.parse(fx.address), connections, flood, front);
            long held = fx.proxy.budget().used();
            long direct = directMemory() - directBefore;
            long heap = heapAfterGc() - heapBefore;
            System.out.printf("half-payload flood: %d connections, budget %d of %d bytes held (peak %d, %d refusals), "
                            + "direct memory +%d bytes, heap +%d bytes%n", connections, held, BUDGET, fx.proxy.budget().peak(),
                    fx.proxy.budget().refusals(), direct, heap);
            assertTrue(heap < BUDGET + 48L * 1024 * 1024,
                    "heap grew by " + heap + " bytes for " + connections + " idle half-payload connections");
            assertTrue(held <= BUDGET, "held " + held);
            assertTrue(fx.proxy.budget().refusals() > 0, "the flood asked for more than the budget, and was refused");
            assertTrue(direct < BUDGET + 32L * 1024 * 1024,
                    "direct memory grew by " + direct + " bytes for " + connections + " idle half-payload connections");

            long t0 = System.nanoTime();
            Conversation conv = new Conversation(fx);
            Conversation.User alice = conv.login("alice@example.com", 11);
            Conversation.User bob = conv.login("bob@example.com", 11);
            long loggedIn = System.nanoTime();
            conv.chat(alice, bob, false);
            long chatted = System.nanoTime();
            System.out.printf("half-payload flood: a new client logged in in %d ms and chatted in %d ms%n",
                    (loggedIn - t0) / 1_000_000, (chatted - loggedIn) / 1_000_000);
            assertTrue(chatted - t0 < 1_000_000_000L, "login and chat took " + (chatted - t0) / 1_000_000 + " ms");

            conv.logout(alice);
            conv.logout(bob);
            for (Socket s : flood) {
                s.close();
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (fx.proxy.liveConnections() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, fx.proxy.liveConnections(), "every flood connection ended");
            assertEquals(0, fx.proxy.budget().used(), "every closed connection gave its budget back");
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "msnscope.flood", matches = "[0-9]+")
    void proxyProcessInHalfAGibHeapStaysUnderOneGibResidentUnderTheFlood() throws Exception {
        int connections = Integer.getInteger("msnscope.flood");
        DrainingFront front = new DrainingFront();
        List<Socket> flood = new ArrayList<>();
        Process proxy = null;
        Path log = Files.createTempFile("msnscope-flood-proxy", ".log");
        try (front; MsnWorld world = new MsnWorld()) {
            front.target = HostPort.parse(world.dsAddress());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            proxy = new ProcessBuilder(java, "-Xmx512m", "-XX:MaxDirectMemorySize=512m", "-cp", System.getProperty("java.class.path"),
                    "msnscope.cli.Main", "proxy", "--upstream", front.address().toString(), "--listen", "127.0.0.1:0", "--quiet",
                    "--max-buffered", "4M", "--resolve", MsnWorld.SB_NAME + "=127.0.0.1").redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            HostPort address = listeningAddress(proxy, log);
            long rssBefore = rssBytes(proxy.pid());
            flood(address, connections, flood, front);
            long rss = rssBytes(proxy.pid());

            long t0 = System.nanoTime();
            try (ScriptClient ds = ScriptClient.connect("ds", address.toString())) {
                ds.send("VER 1 MSNP11 CVR0");
                ds.expect("VER 1 MSNP11");
                ds.send("USR 3 TWN I alice@example.com");
                String xfr = ds.readLine();
                try (ScriptClient ns = ScriptClient.connect("ns", xfr.split(" ")[3])) {
                    ns.send("VER 1 MSNP11 CVR0");
                    ns.expect("VER 1 MSNP11");
                    ns.send("USR 3 TWN I alice@example.com");
                    ns.expectPrefix("USR 3 TWN S ");
                    ns.send("USR 4 TWN S t=ticket&p=profile");
                    assertTrue(ns.readLine().startsWith("USR 4 OK alice@example.com"));
                    ns.payloadOf(ns.readLine());
                    ns.send("CHG 5 NLN 0");
                    ns.expect("CHG 5 NLN 0");
                }
            }
            long loginMillis = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("half-payload flood against a -Xmx512m proxy process: %d connections, resident %d MiB before, "
                    + "%d MiB under the flood; a new client logged in in %d ms%n", connections, rssBefore >> 20, rss >> 20, loginMillis);
            assertTrue(rss < 1024L * 1024 * 1024, "resident memory " + (rss >> 20) + " MiB");
            assertTrue(proxy.isAlive(), "the proxy survived");
            assertTrue(loginMillis < 1000, "login took " + loginMillis + " ms");
        } finally {
            for (Socket s : flood) {
                s.close();
            }
            if (proxy != null) {
                proxy.destroy();
            }
            System.out.println("proxy process log: " + log);
        }
    }

    /**
     * Opens {@code n} connections, each sending a {@code UUX} line and all but the last byte of its payload,
     * and waits until the upstream has every one of those bytes (the proxy relays before it frames, so by
     * then it has framed them too).
     */
    private static void flood(HostPort proxy, int n, List<Socket> into, DrainingFront front) throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(8);
        List<Future<Socket>> opened = new ArrayList<>();
        byte[] body = new byte[DECLARED - 1];
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            opened.add(senders.submit(() -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(proxy.host(), proxy.port()), 10_000);
                OutputStream out = s.getOutputStream();
                out.write(LINE);
                out.write(body);
                out.flush();
                return s;
            }));
        }
        try {
            for (Future<Socket> f : opened) {
                into.add(f.get());
            }
        } finally {
            senders.shutdown();
        }
        long expected = n * (LINE.length + DECLARED - 1L);
        long deadline = System.currentTimeMillis() + 120_000;
        while (front.drained.get() < expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, front.drained.get(), "every byte was relayed, none held back");
        System.out.printf("half-payload flood: %d connections sent in %d ms%n", n, (System.nanoTime() - start) / 1_000_000);
    }

    /** Waits for the proxy's "listening on HOST:PORT" line in its log. */
    private static HostPort listeningAddress(Process p, Path log) throws Exception {
        Matcher m = Pattern.compile("listening on (127\\.0\\.0\\.1:[0-9]+),").matcher("");
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline && p.isAlive()) {
            if (m.reset(Files.readString(log)).find()) {
                return HostPort.parse(m.group(1));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the proxy process did not start listening: " + Files.readString(log));
    }

    /** Heap in use after a collection: what is really held, not garbage. */
    private static long heapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            least = Math.min(least, rt.totalMemory() - rt.freeMemory());
        }
        return least;
    }

    private static long directMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    /** A process's resident memory (Linux), 0 where it cannot be read. */
    private static long rssBytes(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return 0;
    }

    /**
     * The upstream of the proxy under attack: a connection whose first bytes are {@code UUX} is read and
     * thrown away (a server waiting for the rest of a payload); any other is spliced to the world's
     * dispatch server, so a real client logs in through the same proxy.
     */
    static final class DrainingFront implements AutoCloseable {
        final ServerSocket server;
        final AtomicLong drained = new AtomicLong();
        private final List<Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "front");
            t.setDaemon(true);
            return t;
        });

        /** Where other connections go; set once the world is up. */
        volatile HostPort target;

        DrainingFront() throws IOException {
            server = new ServerSocket(0, 2000, InetAddress.getLoopbackAddress());
            threads.execute(() -> {
                for (;;) {
                    Socket s;
                    try {
                        s = server.accept();
                    } catch (IOException e) {
                        return;
                    }
                    sockets.add(s);
                    threads.execute(() -> serve(s, target));
                }
            });
        }

        HostPort address() {
            return new HostPort("127.0.0.1", server.getLocalPort());
        }

        private void serve(Socket s, HostPort ds) {
            try {
                InputStream in = s.getInputStream();
                byte[] head = in.readNBytes(3);
                if (new String(head, StandardCharsets.US_ASCII).equals("UUX")) {
                    drained.addAndGet(head.length);
                    byte[] buf = new byte[8 * 1024];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        drained.addAndGet(n);
                    }
                    s.close();
                    return;
                }
                Socket up = new Socket();
                sockets.add(up);
                up.connect(new InetSocketAddress(ds.host(), ds.port()), 5000);
                up.getOutputStream().write(head);
                threads.execute(() -> copy(up, s));
                copy(s, up);
            } catch (IOException e) {
                // the peer went away
            }
        }

        private static void copy(Socket from, Socket to) {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // the peer went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            threads.shutdownNow();
        }
    }
}

package msnscope.proxy;

import msnscope.dissect.Dissection;
import msnscope.dissect.spec.SpecLoader;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** An {@link MsnWorld} behind a running {@link ProxyServer}, with every listener event recorded. */
public final class ProxyFixture implements AutoCloseable {

    public final MsnWorld world;
    public final ProxyServer proxy;
    public final String address;
    final Events events = new Events();

    /**
     * The events once the proxy's analysis lane has handed on everything relayed so far: listeners hear of
     * frames on the lane's thread, a moment after the bytes moved.
     */
    Events settled() throws InterruptedException {
        if (!proxy.awaitAnalysis(10_000)) {
            throw new IllegalStateException("the analysis lane did not catch up within 10 s");
        }
        return events;
    }

    /** Everything the proxy told its listeners. */
    static final class Events implements ProxyListener {
        final List<ProxyConnection> opened = new CopyOnWriteArrayList<>();
        final List<Referral> referrals = new CopyOnWriteArrayList<>();
        /** The first frames (bounded: a flood test must not keep them all). */
        final List<Dissection> frames = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        final Map<String, byte[]> rewrites = new ConcurrentHashMap<>();
        final Map<String, String> closed = new ConcurrentHashMap<>();
        private volatile CountDownLatch closeLatch = new CountDownLatch(0);
        /** Off for floods whose frames would only fill the heap. */
        volatile boolean keepFrames = true;

        @Override
        public void connectionOpened(ProxyConnection c) {
            opened.add(c);
        }

        @Override
        public void frame(ProxyConnection c, Dissection d, byte[] forwarded) {
            if (keepFrames && frames.size() < 20_000) {
                frames.add(d);
            }
            if (forwarded != null) {
                rewrites.put(c.id() + "#" + d.seq(), forwarded);
            }
        }

        @Override
        public void referral(ProxyConnection c, Referral r) {
            referrals.add(r);
        }

        @Override
        public void connectionClosed(ProxyConnection c, String reason) {
            closed.put(c.id(), reason);
            closeLatch.countDown();
        }

        void expectCloses(int n) {
            closeLatch = new CountDownLatch(n);
        }

        boolean awaitCloses(long seconds) throws InterruptedException {
            return closeLatch.await(seconds, TimeUnit.SECONDS);
        }

        /** Waits until {@code n} connections have closed in total. */
        void awaitClosed(int n, long millis) throws InterruptedException {
            long end = System.currentTimeMillis() + millis;
            while (closed.size() < n && System.currentTimeMillis() < end) {
                Thread.sleep(10);
            }
        }
    }

    public ProxyFixture() throws Exception {
        this(c -> c);
    }

    public ProxyFixture(UnaryOperator<ProxyConfig> tweak) throws Exception {
        this(tweak, null);
    }

    /** A proxy whose frames {@code interceptor} may change (rules, the hook); null: none. */
    public ProxyFixture(UnaryOperator<ProxyConfig> tweak, msnscope.intercept.Interceptor interceptor) throws Exception {
        LeakWatch.install();
        world = new MsnWorld();
        ProxyConfig config = ProxyConfig.of(new HostPort("127.0.0.1", 0), HostPort.parse(world.dsAddress()))
                .withResolver(new Resolver(Map.of(MsnWorld.SB_NAME, "127.0.0.1")));
        proxy = new ProxyServer(tweak.apply(config), SpecLoader.builtIn());
        proxy.intercept(interceptor);
        proxy.addListener(events);
        var bound = proxy.start();
        address = "127.0.0.1:" + bound.getPort();
    }

    @Override
    public void close() throws Exception {
        proxy.close();
        world.close();
    }
}

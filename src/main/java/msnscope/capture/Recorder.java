package msnscope.capture;

import msnscope.proxy.HostPortText;
import msnscope.wire.Clock;
import msnscope.dissect.Dissection;
import msnscope.proxy.ProxyConnection;
import msnscope.proxy.ProxyListener;
import msnscope.proxy.Referral;
import msnscope.wire.Direction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Records everything the proxy sees into the {@link CaptureStore}: a {@link ProxyListener} whose hooks
 * only put an event on a bounded queue (they run on the proxy's event loops and never block), and one
 * writer thread that stitches connections into sessions ({@link Stitcher}), appends records and flushes
 * once per batch.
 *
 * <p>Guarantees: a frame counted by {@link #acknowledged()} has been flushed to the operating system and
 * survives {@code kill -9} (with {@code fsync}, a power cut too). When the queue is full the event is
 * dropped and counted ({@link #dropped()}) rather than stalling the relay; the proxy prints
 * {@link #status()}. The index is not fed from here: it follows the capture files ({@code onWritten}),
 * so an index that falls behind never slows recording and catches up from the files.
 */
public final class Recorder implements ProxyListener, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
    /** Default queue bound: about a few seconds of a busy proxy; each event holds one frame. */
    public static final int DEFAULT_QUEUE = 65_536;
    /** Events taken per batch; one flush per batch. */
    private static final int BATCH = 4096;
    /** Events held for a switchboard connection until its first client line says which session it joins. */
    private static final int MAX_PENDING = 256;

    private final CaptureStore store;
    private final boolean fsync;
    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private final BiConsumer<String, Long> onWritten;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedFrames = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private volatile boolean closing;
    private volatile IOException failure;

    // Writer-thread state only.
    private final Stitcher stitcher = new Stitcher();
    private final Map<String, Conn> conns = new HashMap<>();
    private final Map<String, Sess> sessions = new HashMap<>();
    /** Proxy connection id to session id and session-local id, kept after close for later referrals. */
    private final Map<String, String[]> placed = new java.util.LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String[]> eldest) {
            return size() > 65_536;
        }
    };

    private record Opened(ProxyConnection c) {
    }

    private record FrameEvent(ProxyConnection c, Dissection d, byte[] forwarded) {
    }

    private record ReferralEvent(ProxyConnection c, Referral r) {
    }

    private record Closed(ProxyConnection c, String reason, long micros) {
    }

    private static final class Conn {
        final ProxyConnection pc;
        String session;
        String localId;
        final ArrayDeque<Object> pending = new ArrayDeque<>();

        Conn(ProxyConnection pc) {
            this.pc = pc;
        }
    }

    private static final class Sess {
        final CaptureWriter writer;
        int connections;
        int open;

        Sess(CaptureWriter writer) {
            this.writer = writer;
        }
    }

    /**
     * @param onWritten told (on the writer thread) after each flush: session id and its file length
     */
    public Recorder(CaptureStore store, int queueSize, boolean fsync, BiConsumer<String, Long> onWritten) {
        this.store = store;
        this.fsync = fsync;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.onWritten = onWritten == null ? (s, l) -> { } : onWritten;
        this.thread = new Thread(this::run, "msnscope-recorder");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void connectionOpened(ProxyConnection connection) {
        offer(new Opened(connection));
    }

    @Override
    public void frame(ProxyConnection connection, Dissection dissection, byte[] forwarded) {
        received.incrementAndGet();
        offer(new FrameEvent(connection, dissection, forwarded));
    }

    @Override
    public void referral(ProxyConnection connection, Referral referral) {
        offer(new ReferralEvent(connection, referral));
    }

    @Override
    public void connectionClosed(ProxyConnection connection, String reason) {
        offer(new Closed(connection, reason, Clock.nowMicros()));
    }

    private void offer(Object event) {
        if (!queue.offer(event)) {
            if (event instanceof FrameEvent) {
                droppedFrames.incrementAndGet();
            }
            if (dropped.incrementAndGet() % 10_000 == 1) {
                LOG.warn("recorder queue full ({} events): {} events dropped so far; the disk cannot keep up", queue.size(), dropped.get());
            }
        }
    }

    /** Frames handed to the recorder. */
    public long received() {
        return received.get();
    }

    /** Frames flushed to the capture files. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Events lost because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Frames lost because the queue was full ({@code received = acknowledged + droppedFrames + backlog}). */
    public long droppedFrames() {
        return droppedFrames.get();
    }

    /** Events waiting to be written. */
    public int backlog() {
        return queue.size();
    }

    /** One line for the proxy's console. */
    public String status() {
        return String.format("recorded %d frames, %d waiting, %d dropped%s", acknowledged(), backlog(), dropped(),
                failure == null ? "" : ", capture failed: " + failure.getMessage());
    }

    /** Waits until every event queued so far is written and flushed (tests, shutdown). */
    public boolean drain(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        CountDownMarker m = new CountDownMarker();
        while (!queue.offer(m)) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return m.latch.await(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
    }

    private static final class CountDownMarker {
        final java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
    }

    private void run() {
        List<Object> batch = new ArrayList<>(BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                Object first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                Set<Sess> touched = new LinkedHashSet<>();
                List<CountDownMarker> markers = new ArrayList<>();
                long frames = 0;
                for (Object e : batch) {
                    if (e instanceof CountDownMarker m) {
                        markers.add(m);
                        continue;
                    }
                    frames += handle(e, touched);
                }
                batch.clear();
                for (Sess s : touched) {
                    s.writer.flush();
                }
                acknowledged.addAndGet(frames);
                for (Sess s : touched) {
                    onWritten.accept(CaptureStore.sessionOf(s.writer), s.writer.length());
                    if (s.open == 0) {
                        s.writer.close();
                        sessions.values().remove(s);
                    }
                }
                markers.forEach(m -> m.latch.countDown());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
                LOG.error("capture write failed: {}", e.toString());
                batch.clear();
            }
        }
    }

    /** Handles one event; returns the number of frames it wrote. */
    private int handle(Object e, Set<Sess> touched) throws IOException {
        if (e instanceof Opened o) {
            Conn c = new Conn(o.c());
            conns.put(o.c().id(), c);
            String session = null;
            Referral ref = o.c().referral();
            if (ref != null && placed.containsKey(ref.fromConnection())) {
                session = placed.get(ref.fromConnection())[0];
            } else if (ref != null && ref.cookie() != null) {
                session = stitcher.cookieSession(ref.cookie());
            }
            if (session == null && ref == null && o.c().role() != msnscope.dissect.spec.FormSpec.Role.SB) {
                session = stitcher.notificationServer(host(o.c().client()), o.c().upstreamName());
            }
            if (session != null || o.c().role() != msnscope.dissect.spec.FormSpec.Role.SB) {
                assign(c, session, touched);
            } else {
                c.pending.add(e);
            }
            return 0;
        }
        ProxyConnection pc = e instanceof FrameEvent f ? f.c() : e instanceof ReferralEvent r ? r.c() : ((Closed) e).c();
        Conn c = conns.get(pc.id());
        if (c == null) {
            c = new Conn(pc);
            conns.put(pc.id(), c);
            assign(c, null, touched);
        }
        if (c.session == null) {
            c.pending.add(e);
            boolean decide = e instanceof Closed || c.pending.size() > MAX_PENDING;
            String session = null;
            if (e instanceof FrameEvent f && f.d().direction() == Direction.C2S) {
                session = stitcher.switchboard(f.d().frame().line());
                decide = true;
            }
            if (!decide) {
                return 0;
            }
            int frames = 0;
            assign(c, session, touched);
            while (!c.pending.isEmpty()) {
                Object p = c.pending.poll();
                if (!(p instanceof Opened)) {
                    frames += write(c, p, touched);
                }
            }
            return frames;
        }
        return write(c, e, touched);
    }

    private void assign(Conn c, String session, Set<Sess> touched) throws IOException {
        Sess s = session == null ? null : sessions.get(session);
        if (s == null && session != null && store.exists(session)) {
            s = new Sess(CaptureWriter.append(store.file(session), fsync));
            s.connections = countConnections(session);
            sessions.put(session, s);
        }
        if (s == null) {
            s = new Sess(store.newSession(c.pc.openedMicros(), "proxy", fsync));
            session = CaptureStore.sessionOf(s.writer);
            sessions.put(session, s);
        }
        c.session = session;
        c.localId = "c" + (++s.connections);
        s.open++;
        placed.put(c.pc.id(), new String[] {session, c.localId});
        ProxyConnection pc = c.pc;
        Referral r = pc.referral();
        String[] from = r == null ? null : placed.get(r.fromConnection());
        ConnectionInfo.StoredReferral ref = r == null ? null : new ConnectionInfo.StoredReferral(r.kind(),
                from != null && from[0].equals(session) ? from[1] : r.fromConnection(), r.account(), r.original(), r.rewritten(), r.cookie(),
                r.sessionId(), r.line(), r.timeMicros());
        s.writer.append(new CaptureRecord.ConnectionOpened(c.localId, new ConnectionInfo(pc.id(), pc.role() == null ? null : pc.role().name(),
                HostPortText.of(pc.client()), HostPortText.of(pc.proxy()), pc.upstreamName(), HostPortText.of(pc.upstream()), ref,
                pc.openedMicros())));
        touched.add(s);
    }

    private int countConnections(String session) throws IOException {
        int n = 0;
        for (CaptureRecord r : store.records(session)) {
            if (r instanceof CaptureRecord.ConnectionOpened) {
                n++;
            }
        }
        return n;
    }

    private int write(Conn c, Object e, Set<Sess> touched) throws IOException {
        Sess s = sessions.get(c.session);
        if (s == null) {
            return 0;
        }
        touched.add(s);
        if (e instanceof FrameEvent f) {
            Dissection d = f.d();
            Long time = d.timeMicros() != null ? d.timeMicros() : Clock.nowMicros();
            s.writer.append(new CaptureRecord.FrameRecord(c.localId, time, d.direction(), d.frame(), f.forwarded()));
            stitcher.frame(c.session, host(c.pc.client()), d);
            return 1;
        }
        if (e instanceof ReferralEvent r) {
            stitcher.cookie(r.r().cookie(), c.session);
            return 0;
        }
        if (e instanceof Closed cl) {
            s.writer.append(new CaptureRecord.ConnectionClosed(c.localId, cl.micros(), cl.reason()));
            conns.remove(c.pc.id());
            s.open--;
        }
        return 0;
    }

    private static String host(InetSocketAddress a) {
        return a == null ? null : a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    }



    /** Writes what is queued, flushes and closes every file. */
    @Override
    public void close() throws IOException {
        closing = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Sess s : sessions.values()) {
            s.writer.close();
        }
        sessions.clear();
        if (failure != null) {
            throw failure;
        }
    }
}

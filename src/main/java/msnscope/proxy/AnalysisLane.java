package msnscope.proxy;

import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.RawDissections;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.intercept.Interceptor;
import msnscope.intercept.Verdict;
import msnscope.wire.Direction;
import msnscope.wire.Edit;
import msnscope.wire.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the proxy's frames are dissected: one thread beside the event loops. The relays hand it every
 * frame in wire order (per connection), and it runs the full dissector, the request pairing, the payload
 * decoders and the {@link ProxyListener}s (console, tests) there, so none of that is on the relay path.
 *
 * <p>Only as much as someone needs: with no {@link ProxyListener} that {@linkplain ProxyListener#wantsFrames
 * wants frames} (the console is {@code --quiet}; the recorder and the index need no dissection from here),
 * the lane dissects only the frames that settle a connection's role, version and account
 * ({@link StreamDissector#settlesLogin}) and the frames held for
 * a decision: what rewriting a referral and the recorder's stitching depend on. On a two-core machine, a
 * lane dissecting every frame that nobody looks at takes the core the relay needs (measured: the relay mix
 * at 1.8M commands/s against 3.3M).
 *
 * <p>Bounded: when more than {@value #CAPACITY} frames wait, further frames are not dissected live (they
 * are counted and reported every {@value #REPORT_SECONDS} s; the capture, written on the relay path, still
 * has every one). Two kinds of event are never dropped, and are few: a connection's opening and closing,
 * and a frame the relay holds back until it is decided ({@code XFR}, {@code RNG}: at most one per
 * connection at a time), whose decision (the rewritten bytes) the lane computes from its dissection and
 * hands back to the connection's event loop.
 */
final class AnalysisLane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("msnscope.proxy");
    static final int CAPACITY = 65_536;
    static final int REPORT_SECONDS = 10;

    /** One connection's analysis; touched by the lane thread only, after its {@code Begin}. */
    static final class Stream {
        /** Frames seen since the last {@link #flush}: the relay's, handed over once per read. */
        private java.util.ArrayList<Seen> batch;
        private StreamDissector dissector;
        private SessionContext session;
        private int seq;
        private boolean failed;
        private String account;
        /** The connection's id within the lane's session: its id when nothing records it. */
        private String localId;
        /** Where the connection is kept, once settled: the ids its listener calls carry. */
        private Placement placement;
        /** Listener calls waiting for the placement to settle (a provisional or not yet placed connection). */
        private java.util.ArrayDeque<Runnable> deferred;
        private ProxyConnection conn;
        /**
         * The main listener's server is a dispatch or a notification server, and only its answer to the login
         * tells which (the dissector relabels the first frames of a dispatch server at its XFR NS): until then
         * the connection's lines wait, so they show the role the store gives them.
         */
        private boolean roleOpen;
        private long deferredBytes;
        private boolean loginSent;
        /** Frames skipped (the lane was full) and not yet told to the lane; the relay's thread only. */
        private int skippedFrames;
    }

    /** How a held frame becomes bytes: called on the lane thread with its dissection; the answer goes back to the relay. */
    interface Decider {
        /** The proxy's own change (a referral rewritten, a profile fixed): the bytes to forward instead, or null. */
        byte[] decide(Dissection d, ProxyConnection conn);

        /**
         * After {@link #decide} and the interceptor's verdict (on the lane thread, or the thread that completed
         * the verdict): hands both to the connection's event loop. The verdict's replacement, if any, wins.
         */
        void decided(Frame frame, byte[] replacement, Verdict verdict);
    }

    private record Opened(Stream s, ProxyConnection conn) {
    }

    private record Begin(Stream s, ProxyConnection conn, SessionContext session, FormSpec.Role role) {
    }

    /** @param edit set on a frame msnscope made (an injection, a local answer); else null */
    private record Seen(Stream s, ProxyConnection conn, Frame frame, Direction dir, long micros, Edit edit) {
    }

    /** The frames of one read of one connection. */
    /** @param skippedBefore frames of this connection the lane had no room for since the last hand-over */
    private record Batch(java.util.List<Seen> frames, int skippedBefore) {
    }

    private record Hold(Stream s, ProxyConnection conn, Frame frame, Direction dir, long micros, Decider decider,
                        int skippedBefore) {
    }

    /** An interceptor's verdict that came later than its frame's dissection: finished on the lane thread. */
    private record Verdicted(Hold hold, Dissection d, byte[] own, Verdict verdict) {
    }

    private record Closed(Stream s, ProxyConnection conn, String reason, String totals) {
    }

    private record Marker(java.util.concurrent.CountDownLatch latch) {
    }

    private final Dissector dissector;
    private final Listeners listeners;
    /** Rules and the hook, asked about every held frame they may change; null when nothing intercepts. */
    private volatile Interceptor interceptor;
    private final WireListeners wire;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    /** Frames waiting (the droppable kind). */
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong skipped = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;
    private long reportedSkipped;
    /** Settled placements of open connections, for {@link #placement}. */
    private final java.util.Map<String, Placement> placements = new java.util.concurrent.ConcurrentHashMap<>();
    /** Streams with deferred listener calls, tried again on each event and on each idle poll. */
    private final java.util.Set<Stream> unsettled = new java.util.LinkedHashSet<>();
    /** Connections numbered within each of the lane's sessions ({@code c1}, {@code c2}, …), as the store numbers them. */
    private final java.util.Map<SessionContext, Integer> numbered = new java.util.WeakHashMap<>();
    private long lastReport = System.nanoTime();

    AnalysisLane(Dissector dissector, Listeners listeners, WireListeners wire) {
        this.dissector = dissector;
        this.listeners = listeners;
        this.wire = wire;
        this.thread = new Thread(this::run, "msnscope-dissect");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    Stream stream() {
        return new Stream();
    }

    void opened(Stream s, ProxyConnection conn) {
        queue.add(new Opened(s, conn));
    }

    /**
     * The ids listeners are given for a connection (session and connection within it): the recorder's when it
     * records, else the lane's own; null before the connection's first listener call or after its close.
     */
    Placement placement(ProxyConnection conn) {
        return placements.get(conn.id());
    }

    /** The connection's dissection starts, in {@code session} ({@code role} null: from its first commands). */
    void begin(Stream s, ProxyConnection conn, SessionContext session, FormSpec.Role role) {
        queue.add(new Begin(s, conn, session, role));
    }

    /**
     * A frame that has gone (or goes) out unchanged, on the relay's thread: kept with the others of this read
     * and handed to the lane by {@link #flush} (one hand-over per read, not per frame).
     */
    void seen(Stream s, ProxyConnection conn, Frame frame, Direction dir, long micros) {
        seen(s, conn, frame, dir, micros, null);
    }

    /** {@link #seen}, of a frame msnscope made ({@code edit} says who and why); always dissected. */
    void seen(Stream s, ProxyConnection conn, Frame frame, Direction dir, long micros, Edit edit) {
        if (edit == null && !listeners.wantsFrames() && !StreamDissector.settlesLogin(frame.command())) {
            return;
        }
        if (s.batch == null) {
            s.batch = new java.util.ArrayList<>(8);
        }
        s.batch.add(new Seen(s, conn, frame, dir, micros, edit));
    }

    /** Rules and the hook: set before the first connection. */
    void intercept(Interceptor i) {
        this.interceptor = i;
    }

    /** Hands the frames seen since the last call to the lane, or counts them as skipped when it is full. */
    void flush(Stream s) {
        java.util.ArrayList<Seen> b = s.batch;
        if (b == null || b.isEmpty()) {
            return;
        }
        s.batch = null;
        int n = b.size();
        if (waiting.addAndGet(n) > CAPACITY) {
            waiting.addAndGet(-n);
            skipped.addAndGet(n);
            s.skippedFrames += n;
            return;
        }
        queue.add(new Batch(b, takeSkipped(s)));
    }

    /** A frame held back until {@code decider} (and the interceptor, if any) say what to forward. */
    void hold(Stream s, ProxyConnection conn, Frame frame, Direction dir, long micros, Decider decider) {
        flush(s);
        queue.add(new Hold(s, conn, frame, dir, micros, decider, takeSkipped(s)));
    }

    private static int takeSkipped(Stream s) {
        int n = s.skippedFrames;
        s.skippedFrames = 0;
        return n;
    }

    /**
     * Frames the lane had no room for keep their places: the next frame dissected gets the {@code seq} the
     * store gives it, so a line printed after an overload still names the stored frame.
     */
    private static void skip(Stream s, int n) {
        if (n > 0 && s.dissector != null) {
            s.seq += n;
            s.dissector.skip(n);
        }
    }

    /** The interceptor's verdict on a held frame it may change; null when nothing intercepts it. */
    private java.util.concurrent.CompletableFuture<Verdict> ask(Dissection d, Hold h) {
        Interceptor i = interceptor;
        if (i == null || !i.interest().covers(h.frame().command(), h.dir())) {
            return null;
        }
        try {
            return i.intercept(d, h.conn().id()).toCompletableFuture().exceptionally(x -> {
                log.warn("{} interceptor failed on {} (forwarded unchanged): {}", h.conn().id(), d.command(), x.toString());
                return Verdict.FORWARD;
            });
        } catch (RuntimeException x) {
            log.warn("{} interceptor failed on {} (forwarded unchanged): {}", h.conn().id(), d.command(), x.toString());
            return null;
        }
    }

    /**
     * A held frame's outcome: what the other side receives and who changed it go with the dissection to every
     * listener, then the decision goes to the connection's event loop.
     */
    private void finishHold(Hold h, Dissection d, byte[] own, Verdict verdict) {
        try {
            if (d != null) {
                byte[] delivered = verdict.drop() ? new byte[0] : verdict.replacement() != null ? verdict.replacement() : own;
                d.forwardedAs(delivered);
                d.editedAs(verdict.edit());
                tell(h.s(), h.conn(), d.frame().size(), p -> listeners.frame(h.conn(), d.placedAt(p.session(), p.stream()), delivered));
            }
        } finally {
            h.decider().decided(h.frame(), own, verdict);
        }
    }

    /** The connection ended; {@code totals} (bytes and frames each way) go into its close line. */
    void closed(Stream s, ProxyConnection conn, String reason, String totals) {
        flush(s);
        queue.add(new Closed(s, conn, reason, totals));
    }

    /** Frames not dissected live because the lane was full (the capture has them). */
    long skipped() {
        return skipped.get();
    }

    /** Waits until everything handed in so far is dissected (tests, shutdown); false on timeout. */
    boolean drain(long millis) throws InterruptedException {
        Marker m = new Marker(new java.util.concurrent.CountDownLatch(1));
        queue.add(m);
        return m.latch().await(millis, TimeUnit.MILLISECONDS);
    }

    private void run() {
        while (!closing || !queue.isEmpty()) {
            Object e;
            try {
                e = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ex) {
                return;
            }
            try {
                if (!unsettled.isEmpty()) {
                    settle();
                }
                if (e != null) {
                    handle(e);
                }
            } catch (RuntimeException | StackOverflowError ex) {
                log.warn("analysis of a frame failed (a bug: please report it); the relay goes on: {}", ex.getMessage());
            }
            report();
        }
    }

    private void handle(Object e) {
        if (e instanceof Batch b) {
            waiting.addAndGet(-b.frames().size());
            skip(b.frames().get(0).s(), b.skippedBefore());
            for (Seen s : b.frames()) {
                Dissection d = dissect(s.s(), s.conn(), s.frame(), s.dir(), s.micros());
                if (d != null) {
                    d.editedAs(s.edit());
                    roleEvidence(s.s(), d);
                    tell(s.s(), s.conn(), d.frame().size(), p -> listeners.frame(s.conn(), d.placedAt(p.session(), p.stream()), null));
                }
            }
        } else if (e instanceof Hold h) {
            skip(h.s(), h.skippedBefore());
            Dissection d = dissect(h.s(), h.conn(), h.frame(), h.dir(), h.micros());
            if (d != null) {
                roleEvidence(h.s(), d);
            }
            byte[] own = null;
            java.util.concurrent.CompletableFuture<Verdict> verdict = null;
            try {
                own = d == null ? null : h.decider().decide(d, h.conn());
                verdict = d == null ? null : ask(d, h);
            } finally {
                if (verdict == null || verdict.isDone()) {
                    finishHold(h, d, own, verdict == null ? Verdict.FORWARD : verdict.getNow(Verdict.FORWARD));
                } else {
                    byte[] o = own;
                    verdict.whenComplete((v, x) -> queue.add(new Verdicted(h, d, o, v == null ? Verdict.FORWARD : v)));
                }
            }
        } else if (e instanceof Verdicted v) {
            finishHold(v.hold(), v.d(), v.own(), v.verdict());
        } else if (e instanceof Opened o) {
            tell(o.s(), o.conn(), 0, p -> listeners.connectionOpened(o.conn()));
        } else if (e instanceof Begin b) {
            b.s().session = b.session();
            int n = numbered.merge(b.session(), 1, Integer::sum);
            b.s().localId = "c" + n;
            b.s().dissector = dissector.stream(b.session(), b.s().localId, b.role());
            b.s().roleOpen = b.role() == null;
        } else if (e instanceof Closed c) {
            Stream s = c.s();
            ProxyConnection conn = c.conn();
            FormSpec.Role role = conn.role();
            String account = null;
            if (s.dissector != null) {
                try {
                    s.dissector.close();
                } catch (RuntimeException ex) {
                    log.debug("{} dissector close failed", conn.id(), ex);
                }
                role = s.dissector.role() != null ? s.dissector.role() : role;
                account = s.dissector.account();
            }
            log.info("{} {}{} {} -> {} closed: {} ({})", conn.id(), role, account == null ? "" : " " + account,
                    HostPortText.of(conn.client()), conn.upstreamName(), c.reason(), c.totals());
            // Closed: the recorder has settled it (a provisional connection stays where it is), and its role is what it is.
            s.roleOpen = false;
            if (s.placement == null) {
                s.placement = placementNow(s, conn, true);
                placements.put(conn.id(), s.placement);
            }
            tell(s, conn, 0, p -> listeners.connectionClosed(conn, c.reason()));
            placements.remove(conn.id());
        } else if (e instanceof Marker m) {
            m.latch().countDown();
        }
    }

    /**
     * Calls the listeners with the connection's placement once it is settled, in order with its earlier calls:
     * a line seen live carries the ids the store keeps it under. Until then (a notification server connection
     * that may still join the login that referred it; a switchboard the recorder has not placed) the calls wait,
     * bounded: past {@link #MAX_DEFERRED} they go out with what is known.
     */
    private void tell(Stream s, ProxyConnection conn, int bytes, java.util.function.Consumer<Placement> call) {
        if (s.placement == null) {
            Placement p = placementNow(s, conn, false);
            if (p.settled()) {
                s.placement = p;
                placements.put(conn.id(), p);
            }
        }
        if (s.placement != null && !s.roleOpen && s.deferred == null) {
            call.accept(s.placement);
            return;
        }
        if (s.deferred == null) {
            s.deferred = new java.util.ArrayDeque<>();
            unsettled.add(s);
        }
        s.deferred.add(() -> call.accept(s.placement));
        s.deferredBytes += bytes;
        if (s.roleOpen && (s.deferred.size() > ROLE_WINDOW || s.deferredBytes > ROLE_BYTES)) {
            s.roleOpen = false; // as long as the dissector would relabel: past it, the role is what it is
        }
        if ((s.placement != null && !s.roleOpen) || overDeferred(s)) {
            release(s, conn);
        }
    }

    /** Past these bounds waiting lines go out with what is known: a connection cannot make the lane hold its traffic. */
    private static boolean overDeferred(Stream s) {
        return s.deferred.size() > MAX_DEFERRED || s.deferredBytes > MAX_DEFERRED_BYTES;
    }

    static final long MAX_DEFERRED_BYTES = 1 << 20;
    /** ... and their bytes, as the dissector's relabelling window bounds them. */
    static final int ROLE_BYTES = 16 * 1024;

    /** Lines of a connection whose role is open wait for at most this many (the dissector's relabelling window). */
    static final int ROLE_WINDOW = 64;

    /** After each dissected frame of a main-listener connection: its role is settled by the server's answer to the login. */
    private void roleEvidence(Stream s, Dissection d) {
        if (!s.roleOpen) {
            return;
        }
        if (d.direction() == Direction.C2S && ("USR".equals(d.command()) || "ANS".equals(d.command()))) {
            s.loginSent = true;
        } else if (d.role() == FormSpec.Role.DS || d.direction() == Direction.S2C && s.loginSent && !"XFR".equals(d.command())) {
            s.roleOpen = false;
        }
    }

    static final int MAX_DEFERRED = 4_096;

    /** Tries the waiting streams again (the recorder settles them from other threads). */
    private void settle() {
        for (Stream s : new java.util.ArrayList<>(unsettled)) {
            release(s, null);
        }
    }

    private void release(Stream s, ProxyConnection known) {
        ProxyConnection conn = known != null ? known : s.conn;
        if (s.roleOpen && !overDeferred(s)) {
            return;
        }
        if (s.placement == null) {
            Placement p = placementNow(s, conn, overDeferred(s));
            if (!p.settled()) {
                return;
            }
            s.placement = p;
        }
        placements.put(conn.id(), s.placement);
        java.util.ArrayDeque<Runnable> calls = s.deferred;
        s.deferred = null;
        s.deferredBytes = 0;
        unsettled.remove(s);
        for (Runnable r : calls) {
            r.run();
        }
    }

    /** The recorder's placement when it records; else the lane's own ids. {@code force}: settled either way. */
    private Placement placementNow(Stream s, ProxyConnection conn, boolean force) {
        s.conn = conn;
        Placement p = wire.placement(conn);
        Placement own = s.session == null ? null : new Placement(s.session.id(), s.localId, true);
        if (p == null) {
            // Nothing records the connection: the lane's session, once it has begun (a switchboard's starts at its cookie).
            return own != null ? own : force ? new Placement(null, conn.id(), true) : Placement.PENDING;
        }
        if (force && !p.settled()) {
            return p.session() != null ? new Placement(p.session(), p.stream(), true) : own != null ? own : new Placement(null, conn.id(), true);
        }
        return p;
    }

    private Dissection dissect(Stream s, ProxyConnection conn, Frame f, Direction dir, long micros) {
        if (s.dissector == null) {
            return null;
        }
        int seq = s.seq++;
        Dissection d;
        try {
            d = s.dissector.dissect(f, dir, micros);
        } catch (RuntimeException | StackOverflowError ex) {
            if (!s.failed) {
                s.failed = true;
                log.warn("{} dissector failed on \"{}\" (a bug: please report it); frames of this connection are still relayed "
                        + "and recorded unchanged", conn.id(), Relay.shorten(f.line()));
            }
            d = RawDissections.failed(s.session.id(), s.localId, seq, micros, dir, s.dissector.role(), f, ex);
        }
        String account = s.dissector.account();
        if (account != null && !account.equals(s.account)) {
            s.account = account;
            wire.account(conn, account);
        }
        return d;
    }

    private void report() {
        long now = System.nanoTime();
        if (now - lastReport < REPORT_SECONDS * 1_000_000_000L) {
            return;
        }
        lastReport = now;
        long n = skipped.get();
        if (n > reportedSkipped) {
            log.warn("the dissector could not keep up: {} frames were not dissected live ({} since the start); the capture has them all",
                    n - reportedSkipped, n);
            reportedSkipped = n;
        }
    }

    /** Dissects what is queued, then stops the thread. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package msnscope.capture;

import msnscope.dissect.spec.FormSpec;
import msnscope.proxy.HostPortText;
import msnscope.proxy.Placement;
import msnscope.proxy.ProxyConnection;
import msnscope.proxy.Referral;
import msnscope.proxy.WireListener;
import msnscope.wire.Clock;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Records everything the proxy sees into the {@link CaptureStore}, <b>before the proxy forwards it</b>:
 * the relay hands each frame to {@link #frame} as it frames it (raw: dissection happens elsewhere, on the
 * analysis lane), and calls {@link #beforeForward()} once per read, before it flushes the forwarded bytes
 * to the peer; that call writes the records of the read to the operating system. So a frame either peer has received is in a capture file, and survives {@code kill -9}
 * (with {@code fsync}, a power cut too). One write per session per read batch, no queue to lose.
 *
 * <p>Thread-safe: the proxy's event loops call in concurrently; each call holds the recorder's lock for a
 * few microseconds (stitching, encoding, one positional write).
 *
 * <p>Stitching ({@link Stitcher}, {@code docs/capture-format.md}): a switchboard connection is placed by its
 * first client line (the cookie), which the relay frames before it forwards it; a notification-server
 * connection by the {@code XFR NS} referral that announced the address it dialled, from the same client
 * host. When several logins from one host were referred to the same address at once, the connection is
 * recorded in a session of its own at once (nothing waits in memory) and moved into its login's session as
 * soon as the dissector says which account it named ({@code CVR}/{@code USR}; {@link #account}).
 *
 * <p>Failures, like a write-ahead log: a write that fails (disk full, too many open files) is cut back to
 * the last whole record; the recorder says so once, the proxy keeps relaying, the records wait in memory
 * (up to {@value #MAX_WAITING_BYTES} bytes, then frames are dropped and counted) and writing is retried every
 * second; when a write succeeds again recording resumes and says how many frames were lost. At most
 * {@value #MAX_OPEN_FILES} capture files are kept open; the least recently written are closed first.
 */
public final class Recorder implements WireListener, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
    /** Events held for a switchboard connection until its first client line says which session it joins. */
    static final int MAX_PENDING = 256;
    /** Capture files open at once (each costs a descriptor the proxy's sockets also need). */
    static final int MAX_OPEN_FILES = 64;
    /** Bytes of records that may wait in memory while the disk refuses writes. */
    static final long MAX_WAITING_BYTES = 32L << 20;
    private static final long RETRY_NANOS = 1_000_000_000L;

    private final CaptureStore store;
    private final boolean fsync;
    private final BiConsumer<String, Long> onWritten;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private volatile String failure;
    private long lostWhenFailing;
    private long retryAt;
    private boolean closed;

    // Guarded by this.
    private final Stitcher stitcher = new Stitcher();
    private final Map<String, Conn> conns = new HashMap<>();
    private final Map<String, Sess> sessions = new HashMap<>();
    private final Set<Sess> dirty = new LinkedHashSet<>();
    private final Map<String, Placed> placed = bounded(65_536);
    /** NS referrals by session and the address the client was sent to: the referral a connection there came by. */
    private final Map<String, Referral> nsReferrals = bounded(16_384);
    private long writes;
    /** A descriptor kept for the moment the proxy's sockets have taken all others (see {@link #withDescriptor}). */
    private FileChannel reserve = openReserve();

    private record Placed(String session, String localId) {
    }

    private record Opened(ProxyConnection c) {
    }

    private record FrameEvent(ProxyConnection c, Frame frame, Direction dir, long micros, byte[] forwarded, msnscope.wire.Edit edit) {
    }

    private record ReferralEvent(ProxyConnection c, Referral r) {
    }

    private record Closed(ProxyConnection c, String reason, long micros) {
    }

    private static final class Conn {
        /** The connection as last seen: a switchboard learns its upstream and its referral after it opened. */
        ProxyConnection pc;
        Sess sess;
        String localId;
        byte[] localIdBytes;
        /** Events before the session is known (a switchboard before its first client line). */
        final ArrayDeque<Object> pending = new ArrayDeque<>();
        /** A notification-server connection recorded in a session of its own until it names its account. */
        List<CaptureRecord> provisional;
        /** Its session file could not be created: events wait in {@link #pending}. */
        boolean unplaced;

        Conn(ProxyConnection pc) {
            this.pc = pc;
        }
    }

    private static final class Sess {
        final String id;
        final CaptureWriter writer;
        int connections;
        int open;
        int unflushedFrames;
        long lastWrite;
        /** Holds only a provisional connection: not announced to the index until it is known to stay. */
        boolean provisional;
        /** In {@link #dirty}: appended to since its last write. */
        boolean dirty;

        Sess(String id, CaptureWriter writer) {
            this.id = id;
            this.writer = writer;
        }
    }

    /**
     * @param onWritten told after each write: session id and its file length (the live index follows it)
     */
    public Recorder(CaptureStore store, boolean fsync, BiConsumer<String, Long> onWritten) {
        this.store = store;
        this.fsync = fsync;
        this.onWritten = onWritten == null ? (s, l) -> { } : onWritten;
    }

    @Override
    public synchronized void connectionOpened(ProxyConnection connection) {
        event(new Opened(connection));
    }

    @Override
    public synchronized void frame(ProxyConnection connection, Frame frame, Direction direction, long timeMicros, byte[] forwarded) {
        frames(connection, java.util.List.of(new WireFrame(frame, direction, timeMicros, forwarded)));
    }

    /** One read's frames under one lock (the relay path's usual call). */
    @Override
    public synchronized void frames(ProxyConnection connection, java.util.List<WireFrame> frames) {
        Conn c = closed ? null : conns.get(connection.id());
        if (c == null || c.sess == null || c.provisional != null) {
            received.addAndGet(frames.size());
            for (WireFrame f : frames) {
                event(new FrameEvent(connection, f.frame(), f.direction(), f.timeMicros(), f.forwarded(), f.edit()));
            }
            return;
        }
        // The common case: one lookup for the whole read, straight into the session's buffer.
        Sess s = c.sess;
        for (WireFrame f : frames) {
            s.writer.appendFrame(c.localIdBytes, f.timeMicros(), f.direction(), f.frame(), f.forwarded(), f.edit());
        }
        received.addAndGet(frames.size());
        s.unflushedFrames += frames.size();
        markDirty(s);
    }

    /** The dissector (on the analysis lane) learned a connection's account: rule 4, and a provisional connection settles. */
    @Override
    public synchronized void account(ProxyConnection connection, String account) {
        Conn c = conns.get(connection.id());
        if (closed || c == null || c.sess == null || account == null) {
            return;
        }
        stitcher.account(c.sess.id, account);
        if (c.provisional != null) {
            try {
                settle(c, account);
            } catch (IOException e) {
                failing(e);
            }
        }
    }

    @Override
    public synchronized void referral(ProxyConnection connection, Referral referral) {
        event(new ReferralEvent(connection, referral));
    }

    @Override
    public synchronized void connectionClosed(ProxyConnection connection, String reason) {
        event(new Closed(connection, reason, Clock.nowMicros()));
    }

    /** Write-before-forward: the relay's bytes of this read go out only after this returns. */
    @Override
    public void beforeForward() {
        sync();
    }

    /**
     * The store's ids for a connection: unsettled while it is provisional (it may still move into the login
     * that referred it) or not placed yet (a switchboard before its first line).
     */
    @Override
    public synchronized Placement placement(ProxyConnection connection) {
        Conn c = conns.get(connection.id());
        if (c != null) {
            return c.sess == null ? Placement.PENDING : new Placement(c.sess.id, c.localId, c.provisional == null);
        }
        Placed p = placed.get(connection.id());
        return p == null ? Placement.PENDING : new Placement(p.session(), p.localId(), true);
    }

    /** Frames handed to the recorder. */
    public long received() {
        return received.get();
    }

    /** Frames written to the capture files (handed to the operating system). */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Frames lost: the disk refused writes for longer than the memory bound allows, or the recorder was closed. */
    public long lost() {
        return lost.get();
    }

    /** The write failure in force, or null while writes succeed. */
    public String failure() {
        return failure;
    }

    /** One line for the proxy's console. */
    public String status() {
        String f = failure;
        return String.format("recorded %d frames, %d lost%s", acknowledged(), lost(),
                f == null ? "" : ", capture writes failing: " + f);
    }

    private void event(Object e) {
        if (closed) {
            if (e instanceof FrameEvent) {
                lost.incrementAndGet();
            }
            return;
        }
        try {
            handle(e);
        } catch (IOException ex) {
            failing(ex);
            if (e instanceof FrameEvent) {
                lost.incrementAndGet();
            }
        }
    }

    private void handle(Object e) throws IOException {
        if (e instanceof Opened o) {
            opened(o);
            return;
        }
        ProxyConnection pc = e instanceof FrameEvent f ? f.c() : e instanceof ReferralEvent r ? r.c() : ((Closed) e).c();
        Conn c = conns.get(pc.id());
        if (c == null) {
            // Opened before the recorder was attached: record what follows in a session of its own.
            c = new Conn(pc);
            conns.put(pc.id(), c);
            assign(c, null, null);
        }
        if (c.sess == null) {
            // Not placed yet (a switchboard before its first line): its open record will say what is known by then.
            c.pc = pc;
            c.pending.add(e);
            String session = null;
            boolean decide = e instanceof Closed || c.pending.size() > MAX_PENDING || (c.unplaced && retryDue());
            if (e instanceof FrameEvent f && f.dir() == Direction.C2S) {
                session = stitcher.switchboard(f.frame().line());
                decide = true;
            }
            if (decide) {
                if (!place(c, session, pc.referral())) {
                    return;
                }
                while (!c.pending.isEmpty()) {
                    write(c, c.pending.poll());
                }
            }
            return;
        }
        write(c, e);
    }

    private void opened(Opened o) throws IOException {
        ProxyConnection pc = o.c();
        Conn c = new Conn(pc);
        conns.put(pc.id(), c);
        Referral ref = pc.referral();
        String session = null;
        if (ref != null && placed.get(ref.fromConnection()) != null) {
            session = placed.get(ref.fromConnection()).session();
        } else if (ref != null && ref.cookie() != null) {
            session = stitcher.cookieSession(ref.cookie());
        }
        if (ref != null && "NS".equals(ref.kind())) {
            // Came by a referral the proxy already tied to it: that candidate is taken.
            stitcher.notificationServer(host(pc.client()), listener(HostPortText.of(pc.proxy())), ref.account());
        }
        if (session != null) {
            place(c, session, ref);
        } else if (pc.role() == FormSpec.Role.SB) {
            c.pending.add(o);
        } else {
            String host = host(pc.client());
            String dialled = listener(HostPortText.of(pc.proxy()));
            if (stitcher.nsCandidates(host, dialled) > 1) {
                if (place(c, null, null)) {
                    c.sess.provisional = c.sess.connections == 1;
                    c.provisional = new ArrayList<>();
                }
            } else {
                String s = stitcher.notificationServer(host, dialled, null, pc.openedMicros());
                place(c, s, s == null ? null : nsReferrals.get(s + ">" + dialled));
            }
        }
    }

    /**
     * {@link #assign}, or, when the session file cannot be created or opened (disk full, no descriptors),
     * keeps the connection's events waiting (bounded) and tries again at the next retry; false then.
     */
    private boolean place(Conn c, String session, Referral ref) {
        try {
            assign(c, session, ref);
            c.unplaced = false;
            return true;
        } catch (IOException e) {
            failing(e);
            c.unplaced = true;
            while (c.pending.size() > MAX_PENDING) {
                if (c.pending.poll() instanceof FrameEvent) {
                    lost.incrementAndGet();
                }
            }
            return false;
        }
    }

    private boolean retryDue() {
        return failure == null || System.nanoTime() - retryAt >= 0;
    }

    private void assign(Conn c, String session, Referral ref) throws IOException {
        Sess s = session == null ? null : session(session);
        if (s == null) {
            s = newSession(c.pc.openedMicros());
        }
        c.sess = s;
        c.localId = "c" + (++s.connections);
        c.localIdBytes = c.localId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        s.open++;
        placed.put(c.pc.id(), new Placed(s.id, c.localId));
        CaptureRecord opened = openedRecord(c, ref);
        s.writer.append(opened);
        markDirty(s);
    }

    private CaptureRecord openedRecord(Conn c, Referral r) {
        ProxyConnection pc = c.pc;
        Placed from = r == null ? null : placed.get(r.fromConnection());
        ConnectionInfo.StoredReferral ref = r == null ? null : new ConnectionInfo.StoredReferral(r.kind(),
                from != null && from.session().equals(c.sess.id) ? from.localId() : r.fromConnection(), r.account(), r.original(),
                r.rewritten(), r.cookie(), r.sessionId(), r.line(), r.timeMicros());
        return new CaptureRecord.ConnectionOpened(c.localId, new ConnectionInfo(pc.id(), pc.role() == null ? null : pc.role().name(),
                HostPortText.of(pc.client()), HostPortText.of(pc.proxy()), pc.upstreamName(), HostPortText.of(pc.upstream()), ref,
                pc.openedMicros()));
    }

    /** An open session, or a finished one reopened for appending (a late switchboard), or null. */
    private Sess session(String id) throws IOException {
        Sess s = sessions.get(id);
        if (s == null && store.exists(id)) {
            CaptureWriter w = withDescriptor(() -> CaptureWriter.append(store.file(id), fsync));
            s = new Sess(id, w);
            for (CaptureRecord r : store.records(id)) {
                if (r instanceof CaptureRecord.ConnectionOpened) {
                    s.connections++;
                }
            }
            sessions.put(id, s);
        }
        return s;
    }

    private Sess newSession(long micros) throws IOException {
        CaptureWriter w = withDescriptor(() -> store.newSession(micros, "proxy", fsync));
        Sess s = new Sess(CaptureStore.sessionOf(w), w);
        sessions.put(s.id, s);
        return s;
    }

    private void markDirty(Sess s) {
        if (!s.dirty) {
            s.dirty = true;
            dirty.add(s);
        }
    }

    private void write(Conn c, Object e) throws IOException {
        Sess s = c.sess;
        if (e instanceof FrameEvent f) {
            s.writer.appendFrame(c.localIdBytes, f.micros(), f.dir(), f.frame(), f.forwarded(), f.edit());
            s.unflushedFrames++;
            markDirty(s);
            if (c.provisional != null) {
                c.provisional.add(new CaptureRecord.FrameRecord(c.localId, f.micros(), f.dir(), f.frame(), f.forwarded(), f.edit()));
                if (c.provisional.size() > MAX_PENDING) {
                    keep(c);
                }
            }
        } else if (e instanceof ReferralEvent r) {
            Referral ref = r.r();
            if ("NS".equals(ref.kind()) && ref.rewritten() != null) {
                String listener = listener(ref.rewritten());
                stitcher.nsReferral(s.id, host(c.pc.client()), listener, ref.account(), ref.timeMicros());
                nsReferrals.put(s.id + ">" + listener, ref);
            } else {
                stitcher.cookie(ref.cookie(), s.id);
            }
        } else if (e instanceof Closed cl) {
            s.writer.append(new CaptureRecord.ConnectionClosed(c.localId, cl.micros(), cl.reason()));
            markDirty(s);
            conns.remove(c.pc.id());
            s.open--;
            if (c.provisional != null) {
                keep(c);
            }
        }
    }

    /** The provisional connection named its account: move it into the login that referred it, if one fits. */
    private void settle(Conn c, String account) throws IOException {
        String dialled = listener(HostPortText.of(c.pc.proxy()));
        String target = stitcher.notificationServer(host(c.pc.client()), dialled, account, c.pc.openedMicros());
        Sess from = c.sess;
        if (target == null || target.equals(from.id) || !from.provisional || from.connections != 1 || session(target) == null) {
            keep(c);
            return;
        }
        Sess to = session(target);
        List<CaptureRecord> records = c.provisional;
        c.provisional = null;
        c.sess = to;
        c.localId = "c" + (++to.connections);
        c.localIdBytes = c.localId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        to.open++;
        placed.put(c.pc.id(), new Placed(to.id, c.localId));
        to.writer.append(openedRecord(c, nsReferrals.get(target + ">" + dialled)));
        for (CaptureRecord r : records) {
            CaptureRecord.FrameRecord f = (CaptureRecord.FrameRecord) r;
            to.writer.append(new CaptureRecord.FrameRecord(c.localId, f.timeMicros(), f.direction(), f.frame(), f.rewritten(), f.edit()));
        }
        // Frames of the provisional file already written were counted then; count only the rest.
        to.unflushedFrames += from.unflushedFrames;
        from.unflushedFrames = 0;
        // The copy is written before the provisional file goes: a crash in between leaves a duplicate, never a loss.
        to.writer.flush();
        dirty.remove(from);
        from.dirty = false;
        sessions.remove(from.id);
        from.writer.discard();
        from.writer.close();
        Files.deleteIfExists(from.writer.file());
        markDirty(to);
    }

    /** The provisional connection stays in the session it was recorded in. */
    private void keep(Conn c) {
        c.provisional = null;
        if (c.sess.provisional) {
            c.sess.provisional = false;
            markDirty(c.sess);
        }
    }

    /** Writes every record appended so far to the operating system (write-before-forward; tests; shutdown). */
    public synchronized void sync() {
        if (dirty.isEmpty()) {
            return;
        }
        if (!retryDue()) {
            boundWaiting();
            return;
        }
        IOException failed = null;
        for (Iterator<Sess> it = dirty.iterator(); it.hasNext(); ) {
            Sess s = it.next();
            try {
                withDescriptor(() -> {
                    s.writer.flush();
                    return null;
                });
            } catch (IOException e) {
                failed = e;
                break;
            }
            it.remove();
            s.dirty = false;
            acknowledged.addAndGet(s.unflushedFrames);
            s.unflushedFrames = 0;
            s.lastWrite = ++writes;
            if (!s.provisional) {
                onWritten.accept(s.id, s.writer.written());
            }
            if (s.open == 0) {
                finish(s);
            }
        }
        if (failed != null) {
            failing(failed);
            boundWaiting();
        } else if (failure != null) {
            LOG.warn("capture writes succeed again: recording resumed ({} frames lost while failing)", lost.get() - lostWhenFailing);
            failure = null;
        }
        closeIdleFiles(MAX_OPEN_FILES);
    }

    private void finish(Sess s) {
        sessions.remove(s.id);
        try {
            s.writer.close();
        } catch (IOException e) {
            failing(e);
        }
    }

    private void failing(IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (failure == null) {
            lostWhenFailing = lost.get();
            LOG.error("capture write failed ({}); still relaying; records wait in memory (up to {} MB) and recording resumes "
                    + "when writes succeed again", why, MAX_WAITING_BYTES >> 20);
        }
        failure = why;
        retryAt = System.nanoTime() + RETRY_NANOS;
    }

    /** While writes fail: past the memory bound, what waits is dropped and counted. */
    private void boundWaiting() {
        long waiting = 0;
        for (Sess s : dirty) {
            waiting += s.writer.buffered();
        }
        if (waiting <= MAX_WAITING_BYTES) {
            return;
        }
        for (Sess s : dirty) {
            lost.addAndGet(s.unflushedFrames);
            s.unflushedFrames = 0;
            s.writer.discard();
            s.dirty = false;
        }
        dirty.clear();
    }

    private interface FileAction<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code a}; when the process is out of file descriptors (the proxy's sockets took them), closes every
     * idle capture file and tries again, and then once more with the descriptor held in reserve for this
     * moment (the way servers keep a spare descriptor so they can still accept and refuse).
     */
    private <T> T withDescriptor(FileAction<T> a) throws IOException {
        try {
            return a.run();
        } catch (IOException e) {
            if (!outOfDescriptors(e)) {
                throw e;
            }
        }
        closeIdleFiles(0);
        try {
            return a.run();
        } catch (IOException e) {
            if (!outOfDescriptors(e) || reserve == null) {
                throw e;
            }
        }
        try {
            reserve.close();
        } catch (IOException ignored) {
            // it is given back either way
        }
        reserve = null;
        try {
            return a.run();
        } finally {
            reserve = openReserve();
        }
    }

    private static boolean outOfDescriptors(IOException e) {
        return String.valueOf(e.getMessage()).contains("Too many open files");
    }

    private static FileChannel openReserve() {
        try {
            return FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Keeps at most {@code max} capture files open: the least recently written are released. */
    private void closeIdleFiles(int max) {
        if (sessions.size() <= max) {
            return; // on every write: no scan while there cannot be too many files open
        }
        List<Sess> open = new ArrayList<>();
        for (Sess s : sessions.values()) {
            if (s.writer.holdsFile()) {
                open.add(s);
            }
        }
        if (open.size() <= max) {
            return;
        }
        open.sort((a, b) -> Long.compare(a.lastWrite, b.lastWrite));
        for (int i = 0; i < open.size() - max; i++) {
            try {
                open.get(i).writer.release();
            } catch (IOException e) {
                // closing a descriptor that failed: nothing is lost, the next flush opens it again
            }
        }
    }

    /**
     * The proxy listener an address names, by its port: every listener of a proxy is on one host, which a
     * referral may write differently ({@code --advertise NAME}) than the socket reports.
     */
    private static String listener(String hostPort) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        return colon < 0 ? String.valueOf(hostPort) : "proxy-listener" + hostPort.substring(colon);
    }

    private static String host(InetSocketAddress a) {
        return a == null ? null : a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    }

    private static <K, V> Map<K, V> bounded(int max) {
        return new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }

    /** Writes what is appended and closes every file; frames handed in afterwards are counted as lost. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (Conn c : new ArrayList<>(conns.values())) {
            if (c.sess == null && !c.pending.isEmpty()) {
                // A switchboard that never said which login it belongs to: it gets a session of its own.
                try {
                    assign(c, null, null);
                    while (!c.pending.isEmpty()) {
                        write(c, c.pending.poll());
                    }
                } catch (IOException e) {
                    failing(e);
                }
            }
        }
        retryAt = System.nanoTime();
        sync();
        closed = true;
        for (Sess s : sessions.values()) {
            try {
                s.writer.close();
            } catch (IOException e) {
                lost.addAndGet(s.unflushedFrames);
                failing(e);
            }
        }
        sessions.clear();
        if (reserve != null) {
            try {
                reserve.close();
            } catch (IOException ignored) {
                // closing /dev/null
            }
        }
        if (lost.get() > 0) {
            LOG.warn("capture: {}", status());
        }
    }
}

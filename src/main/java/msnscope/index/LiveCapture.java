package msnscope.index;

import msnscope.capture.CaptureStore;
import msnscope.capture.Recorder;
import msnscope.capture.RecorderLock;
import msnscope.dissect.Dissector;
import msnscope.proxy.ProxyConnection;
import msnscope.proxy.WireListener;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.proxy.Referral;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the proxy attaches with {@code --data DIR}: the store's {@link RecorderLock} (one recording proxy per
 * store), a {@link Recorder} writing the capture files before the proxy forwards, and a live
 * {@link CaptureIndex} following them (near-real-time search from other processes). The index also picks up
 * sessions other processes add meanwhile ({@code import}), checked every {@value #FOLLOW_SECONDS} s. Every
 * {@value #REPORT_SECONDS} s it logs one line when frames were lost or the index is more than
 * {@value #BACKLOG_WARN_MB} MB behind the capture; {@link #status()} gives the same for a console. The
 * proxy's shutdown path closes it after the last connection is recorded ({@link #close()}).
 */
public final class LiveCapture implements WireListener, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveCapture.class);
    static final int REPORT_SECONDS = 10;
    static final int BACKLOG_WARN_MB = 16;
    static final int FOLLOW_SECONDS = 2;

    private final CaptureStore store;
    private final RecorderLock lock;
    private final CaptureIndex index;
    private final Recorder recorder;
    private final Thread reporter;
    private volatile boolean closed;

    private LiveCapture(CaptureStore store, RecorderLock lock, CaptureIndex index, Recorder recorder) {
        this.store = store;
        this.lock = lock;
        this.index = index;
        this.recorder = recorder;
        this.reporter = new Thread(this::report, "msnscope-capture-report");
        this.reporter.setDaemon(true);
    }

    /**
     * Opens (or creates) the store in {@code dataDir} and starts recording and live indexing. When another
     * process holds the index, recording still works and the index catches up when it is next opened.
     */
    public static LiveCapture open(Path dataDir, Dissector dissector) throws IOException {
        CaptureStore store = new CaptureStore(dataDir);
        // Damaged files, stray names and index rebuilds found while the proxy runs go to its log, one line each.
        store.notes().forward(note -> LOG.warn("{}", note));
        RecorderLock lock = RecorderLock.acquire(store, "recording");
        CaptureIndex index;
        try {
            index = CaptureIndex.open(store, dissector);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        if (index.readOnly()) {
            LOG.warn("another msnscope holds the index in {}: recording only; the index catches up when it is next opened", dataDir);
        }
        index.startLive();
        Recorder recorder = new Recorder(store, false, index.readOnly() ? null : index::written);
        LiveCapture live = new LiveCapture(store, lock, index, recorder);
        live.reporter.start();
        return live;
    }

    @Override
    public void connectionOpened(ProxyConnection connection) {
        recorder.connectionOpened(connection);
    }

    @Override
    public void frame(ProxyConnection connection, Frame frame, Direction direction, long timeMicros, byte[] forwarded) {
        recorder.frame(connection, frame, direction, timeMicros, forwarded);
    }

    @Override
    public void frames(ProxyConnection connection, java.util.List<WireFrame> frames) {
        recorder.frames(connection, frames);
    }

    @Override
    public void account(ProxyConnection connection, String account) {
        recorder.account(connection, account);
    }

    @Override
    public msnscope.proxy.Placement placement(ProxyConnection connection) {
        return recorder.placement(connection);
    }

    @Override
    public void referral(ProxyConnection connection, Referral referral) {
        recorder.referral(connection, referral);
    }

    @Override
    public void connectionClosed(ProxyConnection connection, String reason) {
        recorder.connectionClosed(connection, reason);
    }

    @Override
    public void beforeForward() {
        recorder.beforeForward();
    }

    public Recorder recorder() {
        return recorder;
    }

    public CaptureIndex index() {
        return index;
    }

    /** One line: frames recorded and lost, and how far the index is behind. */
    public String status() {
        return recorder.status() + String.format(", index %.1f MB behind", index.backlogBytes() / 1e6);
    }

    private void report() {
        long lostBefore = 0;
        Map<String, Long> seen = new HashMap<>();
        long lastReport = System.nanoTime();
        while (!closed) {
            try {
                Thread.sleep(FOLLOW_SECONDS * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            if (!index.readOnly()) {
                follow(seen);
            }
            if (System.nanoTime() - lastReport >= REPORT_SECONDS * 1_000_000_000L) {
                lastReport = System.nanoTime();
                long lost = recorder.lost();
                if (lost > lostBefore || index.backlogBytes() > BACKLOG_WARN_MB * 1_000_000L) {
                    LOG.warn("capture: {}", status());
                }
                lostBefore = lost;
            }
        }
    }

    /** Sessions that grew without this recorder (an {@code import} beside the proxy) are indexed too. */
    private void follow(Map<String, Long> seen) {
        try {
            for (Map.Entry<String, Long> e : store.lengths().entrySet()) {
                if (!e.getValue().equals(seen.put(e.getKey(), e.getValue()))) {
                    index.written(e.getKey(), e.getValue());
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("listing the capture files failed", e);
        }
    }

    /** Writes what is recorded, indexes it, commits, closes, and releases the store. Idempotent. */
    @Override
    public void close() throws IOException {
        close(true);
    }

    /**
     * {@link #close()} without indexing what the index is behind: what is indexed is committed, and the capture
     * files keep the rest for the next time the store is opened (a benchmark that throws its store away).
     */
    public void closeLeavingBacklog() throws IOException {
        close(false);
    }

    private synchronized void close(boolean catchUp) throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        reporter.interrupt();
        try {
            recorder.close();
            long behind = index.backlogBytes();
            if (catchUp && behind > BACKLOG_WARN_MB * 1_000_000L) {
                // After a load test this takes a while: say why the exit waits.
                LOG.warn("capture: indexing the {} MB the index is behind before closing", String.format("%.1f", behind / 1e6));
            }
            index.close(catchUp);
        } finally {
            lock.close();
        }
    }
}

package msnscope.index;

import msnscope.capture.CaptureStore;
import msnscope.capture.Recorder;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.proxy.ProxyConnection;
import msnscope.proxy.ProxyListener;
import msnscope.proxy.Referral;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What the proxy attaches with {@code --data DIR}: a {@link Recorder} writing the capture files and a live
 * {@link CaptureIndex} following them (near-real-time search from other processes). The hooks go straight
 * to the recorder's bounded queue. Every {@value #REPORT_SECONDS} s it logs one line when events were
 * dropped or the index is more than {@value #BACKLOG_WARN_MB} MB behind the capture; {@link #status()} gives
 * the same for a console. Closed by a shutdown hook (Ctrl-C) or by {@link #close()}.
 */
public final class LiveCapture implements ProxyListener, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveCapture.class);
    static final int REPORT_SECONDS = 10;
    static final int BACKLOG_WARN_MB = 16;

    private final CaptureIndex index;
    private final Recorder recorder;
    private final Thread reporter;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LiveCapture(CaptureIndex index, Recorder recorder) {
        this.index = index;
        this.recorder = recorder;
        this.reporter = new Thread(this::report, "msnscope-capture-report");
        this.reporter.setDaemon(true);
        this.shutdownHook = new Thread(() -> {
            try {
                close();
            } catch (IOException e) {
                LOG.error("closing the capture store: {}", e.toString());
            }
        }, "msnscope-capture-close");
    }

    /**
     * Opens (or creates) the store in {@code dataDir} and starts recording and live indexing. When another
     * process holds the index, recording still works and the index catches up when it is next opened.
     */
    public static LiveCapture open(Path dataDir, Dissector dissector) throws IOException {
        CaptureStore store = new CaptureStore(dataDir);
        CaptureIndex index = CaptureIndex.open(store, dissector);
        if (index.readOnly()) {
            LOG.warn("another msnscope holds the index in {}: recording only; run msnscope reindex later", dataDir);
        }
        index.startLive();
        Recorder recorder = new Recorder(store, Recorder.DEFAULT_QUEUE, false, index.readOnly() ? null : index::written);
        LiveCapture live = new LiveCapture(index, recorder);
        live.reporter.start();
        Runtime.getRuntime().addShutdownHook(live.shutdownHook);
        return live;
    }

    @Override
    public void connectionOpened(ProxyConnection connection) {
        recorder.connectionOpened(connection);
    }

    @Override
    public void frame(ProxyConnection connection, Dissection dissection, byte[] forwarded) {
        recorder.frame(connection, dissection, forwarded);
    }

    @Override
    public void referral(ProxyConnection connection, Referral referral) {
        recorder.referral(connection, referral);
    }

    @Override
    public void connectionClosed(ProxyConnection connection, String reason) {
        recorder.connectionClosed(connection, reason);
    }

    public Recorder recorder() {
        return recorder;
    }

    public CaptureIndex index() {
        return index;
    }

    /** One line: frames recorded, waiting, dropped, and how far the index is behind. */
    public String status() {
        return recorder.status() + String.format(", index %.1f MB behind", index.backlogBytes() / 1e6);
    }

    private void report() {
        long droppedBefore = 0;
        while (!closed) {
            try {
                Thread.sleep(REPORT_SECONDS * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            long dropped = recorder.dropped();
            if (dropped > droppedBefore || index.backlogBytes() > BACKLOG_WARN_MB * 1_000_000L) {
                LOG.warn("capture: {}", status());
            }
            droppedBefore = dropped;
        }
    }

    /** Writes what is queued, indexes it, commits, closes. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        reporter.interrupt();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        try {
            recorder.close();
        } finally {
            index.close();
        }
    }
}

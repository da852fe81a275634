package msnscope.index;

import com.fasterxml.jackson.core.type.TypeReference;
import msnscope.capture.CaptureReader;
import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.capture.ConnectionRepair;
import msnscope.capture.FileDamage;
import msnscope.dissect.Dissector;
import msnscope.export.FrameJson;
import msnscope.proxy.BackgroundPriority;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Lucene index of a data directory ({@code DIR/index}), always derived from the capture files.
 *
 * <p>It follows the capture files rather than being fed events: {@link #written} only notes that a
 * session's file grew, and the indexing (live thread or caller) reads the new records from the file. So
 * indexing never holds up recording; if it falls behind, {@link #backlogBytes()} says by how much and the
 * files still hold everything. The commit's user data records how far each session file was indexed;
 * opening the index catches up with files that grew (or were deleted) while no indexer ran.
 *
 * <p>Near-real-time: with {@code live}, a thread indexes what was written, refreshes the searcher every
 * {@value #REFRESH_MILLIS} ms and commits every {@value #COMMIT_MILLIS} ms, so searches in this process
 * and in other processes (which open the last commit) see frames within about a second.
 *
 * <p>Only one process can write an index (Lucene's write lock): a second one (a {@code search} while the
 * proxy runs) opens it read-only and sees the last commit.
 *
 * <p>Being derived data, an index that cannot be used (a truncated or deleted file, garbage, another
 * format) is rebuilt from the capture files, on open or when a search meets the damage
 * ({@link #read}), with one line in the store's notes. Damage in the capture files themselves is
 * remembered per session in the commit ({@link #damage()}), so {@code sessions} can report it without
 * reading every file again.
 */
public final class CaptureIndex implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureIndex.class);
    static final long REFRESH_MILLIS = 200;
    static final long COMMIT_MILLIS = 800;
    private static final String OFFSETS = "msnscope.offsets";
    /**
     * Length and modification time of each file as last read: a file that did not change (one with a torn
     * tail or damage) is not read again, and one damaged in place (same length) is.
     */
    private static final String SEEN = "msnscope.seen";
    private static final String DAMAGE = "msnscope.damage";
    /**
     * Which documents this msnscope writes; an index committed with another value is rebuilt on open.
     * Bump it with any change to the fields of {@link FrameDocuments} or {@link SessionReplay}.
     */
    static final String SCHEMA = "6";
    private static final String SCHEMA_KEY = "msnscope.schema";
    /** Sessions whose replay state is kept while they may still grow. */
    private static final int MAX_LIVE = 256;

    private final CaptureStore store;
    private final java.util.function.Supplier<Dissector> dissector;
    private Dissector loaded;
    private final Directory directory;
    /** Replaced only by {@link #reopen} (after Lucene closed it on a write error); null when read-only. */
    private volatile IndexWriter writer;
    private volatile SearcherManager manager;
    private final Map<String, Long> indexed = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Stamp> seen = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, FileDamage> damage = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Follow> replays = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Long> written = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object signal = new Object();
    /** Closed once: a second close (a caller's, then try-with-resources) does nothing. */
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Writes the recorder reported: their rate tells a load test from a client (see {@link #loop}). */
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    /**
     * More capture writes than this during one slice of indexing means the relay is busy right now (a load
     * test, a burst): the slice stops and the indexer waits until a pause of {@link #PAUSE_MILLIS} passes with no
     * more writes than this ({@link #deferWhileBusy}). A client's traffic is a few writes a second and never makes
     * it pause.
     */
    static final long YIELD_WRITES = 16;
    static final long PAUSE_MILLIS = 100;
    /** The longest the indexer waits for a busy relay to calm down before it indexes a slice anyway. */
    static final long MAX_DEFER_MILLIS = 1_000;
    /** The slice it then indexes whatever the relay does. */
    static final long FORCED_SLICE_MILLIS = 100;
    /** The longest slice: the indexer looks at the relay between slices too. */
    static final long SLICE_MILLIS = 200;
    /** Whether the current slice stops when the relay gets busy (not a slice forced by a long load). */
    private volatile boolean sliceYields = true;
    /** {@link #writes} when the current slice started. */
    private volatile long sliceWrites;
    /** Reading a file stops here (System.nanoTime) to let the relay have the cores; Long.MAX_VALUE: no limit. */
    private volatile long sliceEnd = Long.MAX_VALUE;
    private Thread thread;
    private volatile boolean closing;
    private volatile boolean dirty;

    private CaptureIndex(CaptureStore store, java.util.function.Supplier<Dissector> dissector, Directory directory, IndexWriter writer, SearcherManager manager) {
        this.store = store;
        this.dissector = dissector;
        this.directory = directory;
        this.writer = writer;
        this.manager = manager;
    }

    /**
     * Opens the index for writing, catching up with the capture files; when another process holds the
     * write lock, opens it read-only (or returns an empty read-only index if it was never committed).
     */
    public static CaptureIndex open(CaptureStore store, Dissector dissector) throws IOException {
        return open(store, () -> dissector);
    }

    /**
     * Like {@link #open(CaptureStore, Dissector)}, asking for the dissector only when something must be
     * indexed: a search on an up-to-date index never loads the protocol spec.
     */
    public static CaptureIndex open(CaptureStore store, java.util.function.Supplier<Dissector> dissector) throws IOException {
        Files.createDirectories(store.indexDir());
        Directory dir = FSDirectory.open(store.indexDir());
        try {
            return open(dir, store, dissector);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private static CaptureIndex open(Directory dir, CaptureStore store, java.util.function.Supplier<Dissector> dissector) throws IOException {
        IndexWriter w;
        try {
            w = new IndexWriter(dir, config());
        } catch (LockObtainFailedException e) {
            return readOnly(dir, store, dissector);
        } catch (IOException | RuntimeException e) {
            // Another sort, codec or format (an older msnscope or Lucene), or a damaged commit.
            return rebuilt(dir, store, dissector, "cannot be used (" + IndexFaults.reason(e) + ")");
        }
        String why;
        CaptureIndex index = null;
        try {
            if (DirectoryReader.indexExists(dir) && !SCHEMA.equals(commitData(w).get(SCHEMA_KEY))) {
                // Same codec and sort, other fields (an older msnscope): Lucene would refuse the new documents.
                why = "was written by another msnscope version";
            } else {
                // Opening the segments finds what the commit alone does not: a truncated or missing file.
                index = new CaptureIndex(store, dissector, dir, w, new SearcherManager(w, null));
                index.loadCommitData(commitData(w));
                why = null;
            }
        } catch (IOException | RuntimeException e) {
            why = "cannot be used (" + IndexFaults.reason(e) + ")";
        }
        if (why == null) {
            try {
                // Applying deletes to a damaged segment can fail here too; anything else (the dissectors,
                // a full disk) is not the index's fault and must not cost it.
                index.catchUp();
                return index;
            } catch (IOException | RuntimeException e) {
                if (!IndexFaults.indexFault(e, index.manager)) {
                    index.closeQuietly();
                    throw e;
                }
                why = "cannot be used (" + IndexFaults.reason(e) + ")";
            }
        }
        try {
            if (index != null) {
                index.manager.close();
            }
            w.rollback();
        } catch (IOException | RuntimeException e) {
            // A writer that met the damage may be closed already; the lock goes with it either way.
        }
        return rebuilt(dir, store, dissector, why);
    }

    /** Another process writes the index: search its last commit, if it can be read. */
    private static CaptureIndex readOnly(Directory dir, CaptureStore store, java.util.function.Supplier<Dissector> dissector)
            throws IOException {
        if (!DirectoryReader.indexExists(dir)) {
            return new CaptureIndex(store, dissector, dir, null, null);
        }
        try {
            CaptureIndex index = new CaptureIndex(store, dissector, dir, null, new SearcherManager(dir, null));
            IndexSearcher s = index.manager.acquire();
            try {
                index.loadCommitData(((DirectoryReader) s.getIndexReader()).getIndexCommit().getUserData());
            } finally {
                index.manager.release(s);
            }
            return index;
        } catch (IOException | RuntimeException e) {
            // It cannot be rebuilt while the other process holds it; recording and listing go on without it.
            store.notes().add(IndexFaults.heldAndDamaged(store, e));
            return new CaptureIndex(store, dissector, dir, null, null);
        }
    }

    /** Rebuilds a damaged or foreign index from the capture files, saying so in the store's notes. */
    private static CaptureIndex rebuilt(Directory dir, CaptureStore store, java.util.function.Supplier<Dissector> dissector, String why)
            throws IOException {
        store.notes().add("the index in " + store.indexDir() + " " + why + ": rebuilding it from the capture files");
        IndexWriter w;
        try {
            w = recreate(dir);
        } catch (LockObtainFailedException e) {
            return readOnly(dir, store, dissector);
        }
        CaptureIndex index = new CaptureIndex(store, dissector, dir, w, new SearcherManager(w, null));
        index.catchUp();
        return index;
    }

    /**
     * Opens the index empty, whatever state its folder is in (everything in it is deleted), for
     * {@link #reindex(int)}: unlike {@link #open}, it reads nothing of the old index and catches up with
     * nothing.
     *
     * @throws Busy when another process holds the index
     */
    public static CaptureIndex empty(CaptureStore store, java.util.function.Supplier<Dissector> dissector) throws IOException {
        Files.createDirectories(store.indexDir());
        Directory dir = FSDirectory.open(store.indexDir());
        try {
            IndexWriter w = recreate(dir);
            return new CaptureIndex(store, dissector, dir, w, new SearcherManager(w, null));
        } catch (LockObtainFailedException e) {
            dir.close();
            throw new Busy();
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** The index cannot be written now: another process holds its write lock. */
    public static final class Busy extends IOException {
        Busy() {
            super("another msnscope holds the index (a running proxy?); stop it, then try again");
        }
    }

    /** Empties the folder under the write lock (a damaged commit could fail even CREATE mode), then creates a new index. */
    private static IndexWriter recreate(Directory dir) throws IOException {
        try (Lock lock = dir.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
            for (String f : dir.listAll()) {
                if (!f.equals(IndexWriter.WRITE_LOCK_NAME)) {
                    try {
                        dir.deleteFile(f);
                    } catch (IOException e) {
                        // Not ours (a folder someone put there): CREATE ignores files it does not know.
                    }
                }
            }
        }
        IndexWriterConfig fresh = config();
        fresh.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        return new IndexWriter(dir, fresh);
    }

    private static Map<String, String> commitData(IndexWriter w) {
        Map<String, String> data = new HashMap<>();
        for (Map.Entry<String, String> e : w.getLiveCommitData()) {
            data.put(e.getKey(), e.getValue());
        }
        return data;
    }

    private static IndexWriterConfig config() {
        IndexWriterConfig cfg = new IndexWriterConfig(IndexFields.analyzer());
        cfg.setCodec(new CaptureCodec());
        // No index sort: sorting each flushed segment newest first cost a fifth of the indexing speed, and
        // FrameSearch.byTime finds the newest hits fast without it.
        // A bigger RAM buffer means fewer, larger segments while importing (Lucene's demo advice).
        cfg.setRAMBufferSizeMB(64);
        // Plain segment files: cheaper flushes while indexing; a store has few segments open at a time.
        cfg.setUseCompoundFile(false);
        cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
        return cfg;
    }

    /** True when another process writes the index and this one only reads its last commit. */
    public boolean readOnly() {
        return writer == null;
    }

    /** Starts the near-real-time thread: index what is written, refresh and commit every half second. */
    public synchronized void startLive() {
        if (writer == null || thread != null) {
            return;
        }
        thread = new Thread(this::loop, "msnscope-indexer");
        thread.setDaemon(true);
        thread.start();
    }

    /** The recorder's callback (any thread): a session file grew to {@code length} bytes. */
    public void written(String session, long length) {
        writes.incrementAndGet();
        written.merge(session, length, Math::max);
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /**
     * The live thread. On two cores the indexer competes with the relay it follows, so it gives way: it
     * indexes in slices of at most {@value #SLICE_MILLIS} ms, and a slice during which the relay wrote more
     * than {@value #YIELD_WRITES} times stops at once; the next waits until the relay calms ({@link #deferWhileBusy}).
     * Under a load test it lags (reported as the backlog) and catches up when the traffic calms; with a
     * client's traffic it never pauses and searches see frames within a second. Nothing is lost either way:
     * the capture files are the queue.
     */
    private void loop() {
        // The relay's event loops share the cores with this thread, and this work can lag and catch up while
        // theirs cannot: at nice 19 the kernel gives them the core first (Lucene's merge threads, started
        // from here, inherit it). The slices and pauses below still matter where that is not possible.
        BackgroundPriority.lowerCurrentThread();
        long lastRefresh = System.currentTimeMillis();
        long lastCommit = lastRefresh;
        while (!closing) {
            try {
                synchronized (signal) {
                    if (written.isEmpty()) {
                        signal.wait(REFRESH_MILLIS / 2);
                    }
                }
                long before = writes.get();
                if (busyThroughout) {
                    // The relay stayed busy through the whole wait: a slice that does not yield, so a long load
                    // leaves the index behind but never stops it (one slice a second, a tenth of the time at most).
                    indexWritten(FORCED_SLICE_MILLIS * 1_000_000L, false);
                    busyThroughout = false;
                } else {
                    indexWritten(SLICE_MILLIS * 1_000_000L);
                }
                if (writes.get() - before > YIELD_WRITES) {
                    busyThroughout = !deferWhileBusy();
                }
                long now = System.currentTimeMillis();
                if (now - lastRefresh >= REFRESH_MILLIS) {
                    // Reopening the NRT searcher is cheap (no fsync): searches in this process see new frames.
                    manager.maybeRefresh();
                    lastRefresh = now;
                }
                if (now - lastCommit >= COMMIT_MILLIS) {
                    // A commit makes them visible to other processes (a search while the proxy runs).
                    refreshAndCommit();
                    lastCommit = now;
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closing) {
                    // close() is taking over (it commits what is indexed): nothing to report or reopen.
                    return;
                }
                if (!writer.isOpen()) {
                    // Lucene closes its writer on a failed write (a full disk): a new one on the last commit
                    // catches up from the capture files once writes succeed again, without a restart.
                    if (!reopenFailing) {
                        LOG.error("indexing failed ({}): the capture files keep everything; live indexing resumes by itself "
                                + "when the disk accepts writes again", e.getMessage());
                        reopenFailing = true;
                    }
                    if (reopen()) {
                        LOG.warn("live indexing resumed");
                        reopenFailing = false;
                    }
                } else {
                    LOG.error("indexing failed: {} (the capture files keep everything; run msnscope reindex)", e.getMessage());
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private boolean reopenFailing;

    /**
     * The relay is busy (a load test): no indexing while it stays busy, up to {@value #MAX_DEFER_MILLIS} ms, then a
     * slice of {@value #FORCED_SLICE_MILLIS} ms that does not yield; true when the relay calmed down. Nice 19 gives the relay the cores, but not the rest of what indexing costs a process that
     * shares them: Lucene's allocation (young collections pause the relay too) and its code, which the JIT keeps
     * compiling while it runs (measured: a compiler thread at 50-90% of a core for as long as indexing ran beside
     * a pipelined load). The backlog is reported and indexed once the load ends.
     */
    private boolean deferWhileBusy() throws InterruptedException {
        long deadline = System.nanoTime() + MAX_DEFER_MILLIS * 1_000_000L;
        boolean busy;
        do {
            long before = writes.get();
            Thread.sleep(PAUSE_MILLIS);
            busy = writes.get() - before > YIELD_WRITES;
        } while (!closing && busy && System.nanoTime() - deadline < 0);
        return !busy;
    }

    /** Set when the relay was still busy when {@link #deferWhileBusy} gave up: the next slice does not yield. */
    private boolean busyThroughout;

    /**
     * A new writer on the last commit, with what that commit says was indexed, then a catch-up from the
     * capture files: what the closed writer had not committed is indexed again. False when Lucene still
     * cannot write (tried again a second later).
     */
    private synchronized boolean reopen() {
        IndexWriter w = null;
        try {
            w = new IndexWriter(directory, config());
            SearcherManager m = new SearcherManager(w, null);
            SearcherManager old = manager;
            writer = w;
            manager = m;
            try {
                old.close();
            } catch (IOException | RuntimeException ignored) {
                // the old view goes with the old writer
            }
            indexed.clear();
            seen.clear();
            damage.clear();
            replays.clear();
            loadCommitData(commitData(w));
            catchUp();
            return true;
        } catch (IOException | RuntimeException e) {
            if (w != null && w != writer) {
                try {
                    w.rollback();
                } catch (IOException | RuntimeException ignored) {
                    // not opened far enough to hold anything
                }
            }
            return false;
        }
    }

    /** {@link #indexWritten()} for at most {@code nanos}: what is left waits for the next call. */
    synchronized void indexWritten(long nanos) throws IOException {
        indexWritten(nanos, true);
    }

    /** {@code yieldToRelay}: the slice also stops when the relay writes more than {@value #YIELD_WRITES} times meanwhile. */
    private synchronized void indexWritten(long nanos, boolean yieldToRelay) throws IOException {
        sliceWrites = writes.get();
        sliceYields = yieldToRelay;
        sliceEnd = System.nanoTime() + nanos;
        try {
            indexWritten();
        } finally {
            sliceEnd = Long.MAX_VALUE;
        }
    }

    /** Indexes whatever the recorder reported written. */
    public synchronized void indexWritten() throws IOException {
        for (String s : List.copyOf(written.keySet())) {
            if (closing && Thread.currentThread() == thread) {
                // Closing: the live thread stops between sessions and close() takes over.
                return;
            }
            Long length = written.remove(s);
            if (follow(s) && length != null) {
                // Stopped at the end of a slice: the rest of the file waits for the next one (and counts as backlog).
                written.merge(s, length, Math::max);
            }
        }
    }

    /** Bytes written to capture files and not indexed yet. */
    public long backlogBytes() {
        long behind = 0;
        for (Map.Entry<String, Long> e : written.entrySet()) {
            behind += Math.max(0, e.getValue() - indexed.getOrDefault(e.getKey(), 0L));
        }
        return behind;
    }

    /** A capture file's length and modification time (epoch milliseconds) when it was read. */
    record Stamp(long size, long modified) {
    }

    /** A file's modification time, or -1 when it cannot be had (it is then read again next time). */
    private long modified(String session) {
        try {
            return Files.getLastModifiedTime(store.file(session)).toMillis();
        } catch (IOException e) {
            return -1;
        }
    }

    /** A session the index is following: its replay and the connections its file lacks records for. */
    private static final class Follow {
        final SessionReplay replay;
        final ConnectionRepair repair = new ConnectionRepair();
        /** The last read stopped at the end of a slice, before the end of the file. */
        boolean more;

        Follow(SessionReplay replay) {
            this.replay = replay;
        }
    }

    /**
     * Indexes the part of a session's file not indexed yet (from the start when its replay state was dropped).
     * Returns true when it stopped at the end of the live thread's slice with more of the file to read.
     */
    public synchronized boolean follow(String session) throws IOException {
        ensureWritable();
        if (!store.exists(session)) {
            return false;
        }
        Follow follow = replays.get(session);
        if (follow == null) {
            writer.deleteDocuments(new Term(IndexFields.SESSION, session));
            damage.remove(session);
            follow = new Follow(new SessionReplay(session, dissector()));
            replays.put(session, follow);
        }
        Boolean any = readFile(session, follow);
        if (any == null) {
            replays.remove(session);
            return false;
        }
        SessionReplay replay = follow.replay;
        if (any || replay.records <= 1) {
            for (Document d : replay.connectionDocuments()) {
                writer.updateDocument(new Term(IndexFields.KEY, key(d)), d);
            }
            writer.updateDocument(new Term(IndexFields.KEY, session), replay.sessionDocument());
        }
        dirty = true;
        // A finished session's state can go (it is read from the start if it ever grows again); not while the file
        // has more to read: a slice that stopped just after its connections all closed would start over forever.
        if (replay.allClosed() && !follow.more) {
            replays.remove(session);
        }
        while (replays.size() > MAX_LIVE) {
            replays.remove(replays.keySet().iterator().next());
        }
        return follow.more;
    }

    private synchronized Dissector dissector() {
        if (loaded == null) {
            loaded = dissector.get();
        }
        return loaded;
    }

    /**
     * Adds the frame documents of a session's records from where its replay stopped, and notes how far
     * the file was read and what damage it stepped over. Returns whether any record was read, or null when
     * the file could not be read at all (noted; the rest of the store goes on).
     */
    private Boolean readFile(String session, Follow follow) throws IOException {
        SessionReplay replay = follow.replay;
        CaptureReader reader;
        // Taken before reading: a change while reading makes the next open read the file again.
        long modified = modified(session);
        try {
            reader = CaptureReader.open(store.file(session), replay.offset);
        } catch (CaptureReader.NotACaptureFile e) {
            damage.put(session, FileDamage.NOT_CAPTURE);
            store.notes().add(FileDamage.NOT_CAPTURE.describe(session));
            indexed.put(session, 0L);
            seen.put(session, new Stamp(store.file(session).toFile().length(), modified));
            dirty = true;
            return null;
        } catch (java.nio.file.NoSuchFileException e) {
            return null; // deleted meanwhile
        } catch (IOException e) {
            store.notes().add(session + ": cannot read " + store.file(session) + ": " + CaptureStore.problem(e));
            return null;
        }
        boolean any = false;
        try (reader) {
            List<Document> batch = new ArrayList<>(BATCH);
            follow.more = false;
            int sinceLook = 0;
            for (CaptureRecord stored; (stored = reader.next()) != null; ) {
                for (CaptureRecord r : follow.repair.apply(stored)) {
                    add(session, replay.apply(r), batch);
                }
                any = true;
                // A slice ends between records: within a run, the offset is already past frames not yet indexed.
                if (++sinceLook >= 64 && !reader.midRecord()) {
                    sinceLook = 0;
                    long end = sliceEnd;
                    if (end != Long.MAX_VALUE && (System.nanoTime() - end > 0 || sliceYields && writes.get() - sliceWrites > YIELD_WRITES)) {
                        follow.more = true;
                        break;
                    }
                }
            }
            // Frames held back while their connection might still turn out otherwise (a dispatch server, a login
            // yet to name its account) go in as they are now: searches see them at once, and a later read that
            // settles the connection re-writes them.
            batch.addAll(replay.releaseHeld());
            flush(batch);
            replay.offset = reader.offset();
            FileDamage found = reader.damage();
            if (found.any()) {
                FileDamage all = damage.merge(session, found, FileDamage::plus);
                store.notes().add(all.describe(session));
            }
            String repaired = follow.repair.describe(session);
            if (repaired != null) {
                store.notes().add(repaired);
            }
            indexed.put(session, replay.offset);
            seen.put(session, new Stamp(reader.size(), modified));
        }
        return any;
    }

    /**
     * Frame documents waiting to be added in one {@code addDocuments} call: IndexWriter's per-call work
     * (locking a writer thread state, flush checks) is then paid once per batch instead of per frame.
     */
    private static final int BATCH = 256;

    /**
     * Adds the frame documents a record gave. New ones go in batches; a re-written one (a request found
     * unanswered, a frame whose connection turned out to be a dispatch server or named its account)
     * replaces the document of the same order (deletes only reach documents added before them, so the batch
     * goes first). Reading a whole file at once (reindex, import) re-writes almost nothing: frames are held
     * until their connection is settled; following a live file re-writes the first frames of a login.
     */
    private void add(String session, SessionReplay.Applied applied, List<Document> batch) throws IOException {
        batch.addAll(applied.added());
        if (applied.replaced().isEmpty()) {
            if (batch.size() >= BATCH) {
                flush(batch);
            }
            return;
        }
        flush(batch);
        for (Document d : applied.replaced()) {
            long order = d.getField(IndexFields.ORDER).numericValue().longValue();
            writer.deleteDocuments(FrameDocuments.frameQuery(session, order));
            writer.addDocument(d);
        }
    }

    private void flush(List<Document> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        try {
            writer.addDocuments(batch);
        } catch (IllegalArgumentException e) {
            // Lucene drops a whole batch for one document it refuses: add them one by one so only that one is
            // missing from the index (the capture file still has its frame).
            for (Document d : batch) {
                try {
                    writer.addDocument(d);
                } catch (IllegalArgumentException refused) {
                    LOG.warn("a frame could not be indexed: {}", refused.getMessage());
                }
            }
        }
        batch.clear();
    }

    /** The key of a document built here (not stored, but present on the unindexed document). */
    private static String key(Document d) {
        return d.getField(IndexFields.KEY).binaryValue().utf8ToString();
    }

    /** Brings the index up to date with every capture file; deletes sessions whose file is gone. */
    public synchronized void catchUp() throws IOException {
        ensureWritable();
        Map<String, Long> lengths = store.lengths();
        Set<String> known = new java.util.HashSet<>(indexed.keySet());
        known.addAll(seen.keySet());
        for (String s : known) {
            if (!lengths.containsKey(s)) {
                deleteSession(s);
            }
        }
        for (Map.Entry<String, Long> e : lengths.entrySet()) {
            Stamp read = seen.get(e.getKey());
            boolean same = read != null ? read.size() == e.getValue() && read.modified() == modified(e.getKey())
                    : e.getValue().equals(indexed.get(e.getKey()));
            if (!same) {
                replays.remove(e.getKey());
                follow(e.getKey());
            }
        }
        refreshAndCommit();
    }

    /** Throws the index away and rebuilds it from the capture files on one thread. Returns the number of sessions. */
    public int reindex() throws IOException {
        return reindex(1);
    }

    /**
     * Throws the index away and rebuilds it from the capture files. Sessions are independent, so with
     * {@code threads > 1} they are replayed in parallel (IndexWriter is thread-safe): use it when no proxy
     * needs the other cores. Returns the number of sessions.
     */
    public synchronized int reindex(int threads) throws IOException {
        ensureWritable();
        writer.deleteAll();
        indexed.clear();
        seen.clear();
        damage.clear();
        replays.clear();
        List<String> sessions = store.sessions();
        dissector();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<IOException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < sessions.size() && failure.get() == null; ) {
                try {
                    indexWhole(sessions.get(i));
                } catch (IOException e) {
                    failure.compareAndSet(null, e);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, new IOException(e.toString(), e));
                }
            }
        };
        List<Thread> pool = new java.util.ArrayList<>();
        for (int t = 1; t < threads; t++) {
            Thread th = new Thread(worker, "msnscope-reindex-" + t);
            th.start();
            pool.add(th);
        }
        worker.run();
        for (Thread th : pool) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        dirty = true;
        refreshAndCommit();
        return sessions.size();
    }

    /** Indexes one whole session from its file into an index that holds none of its documents (reindex). */
    private void indexWhole(String session) throws IOException {
        Follow follow = new Follow(new SessionReplay(session, loaded));
        if (readFile(session, follow) == null) {
            return;
        }
        for (Document d : follow.replay.connectionDocuments()) {
            writer.addDocument(d);
        }
        writer.addDocument(follow.replay.sessionDocument());
    }

    /** Removes a session's documents (its capture file is the store's business). */
    public synchronized void deleteSession(String session) throws IOException {
        ensureWritable();
        writer.deleteDocuments(new Term(IndexFields.SESSION, IndexFields.normalize(IndexFields.SESSION, session)));
        indexed.remove(session);
        seen.remove(session);
        damage.remove(session);
        replays.remove(session);
        dirty = true;
    }

    /** Makes everything indexed so far visible to searches here and, by a commit, to other processes. */
    public synchronized void refreshAndCommit() throws IOException {
        if (writer == null) {
            if (manager != null) {
                manager.maybeRefresh();
            }
            return;
        }
        manager.maybeRefresh();
        if (dirty || writer.hasUncommittedChanges()) {
            Map<String, String> data = new HashMap<>();
            data.put(OFFSETS, FrameJson.toLine(new java.util.TreeMap<String, Object>(indexed)));
            data.put(SEEN, FrameJson.MAPPER.writeValueAsString(new java.util.TreeMap<>(seen)));
            data.put(DAMAGE, FrameJson.MAPPER.writeValueAsString(new java.util.TreeMap<>(damage)));
            data.put(SCHEMA_KEY, SCHEMA);
            writer.setLiveCommitData(data.entrySet());
            writer.commit();
            dirty = false;
        }
    }

    private void loadCommitData(Map<String, String> data) throws IOException {
        if (data.get(OFFSETS) != null) {
            indexed.putAll(FrameJson.MAPPER.readValue(data.get(OFFSETS), new TypeReference<Map<String, Long>>() { }));
        }
        if (data.get(SEEN) != null) {
            seen.putAll(FrameJson.MAPPER.readValue(data.get(SEEN), new TypeReference<Map<String, Stamp>>() { }));
        }
        if (data.get(DAMAGE) != null) {
            damage.putAll(FrameJson.MAPPER.readValue(data.get(DAMAGE), new TypeReference<Map<String, FileDamage>>() { }));
        }
    }

    /**
     * Damage found in the capture files, by session (numeric order), as the index last read them: what
     * {@code sessions} reports. A file that could not be read at all has {@link FileDamage#notCapture()}.
     */
    public Map<String, FileDamage> damage() {
        Map<String, FileDamage> out = new java.util.TreeMap<>(java.util.Comparator.comparingLong((String s) -> s.length()).thenComparing(s -> s));
        out.putAll(damage);
        return out;
    }

    /** A search on the index: what {@link #read} runs. */
    public interface Search<T> {
        /** @param searcher null when nothing was ever indexed */
        T run(IndexSearcher searcher) throws Exception;
    }

    /**
     * Runs a search. Lucene checks most of an index only when it reads it, so damage can surface here
     * rather than on open: then (when this process may write) the index is rebuilt from the capture files,
     * with a note, and the search runs again.
     */
    public <T> T read(Search<T> search) throws Exception {
        IndexSearcher s = acquire();
        try {
            return search.run(s);
        } catch (IOException | RuntimeException e) {
            if (s == null || !IndexFaults.damaged(s, e)) {
                throw e;
            }
            if (writer == null) {
                store.notes().add(IndexFaults.heldAndDamaged(store, e));
                return search.run(null);
            }
            store.notes().add("the index in " + store.indexDir() + " cannot be used (" + IndexFaults.reason(e) + "): rebuilt it from the capture files");
        } finally {
            release(s);
        }
        reindex(1);
        IndexSearcher again = acquire();
        try {
            return search.run(again);
        } finally {
            release(again);
        }
    }

    private void closeQuietly() {
        try {
            manager.close();
            writer.rollback();
        } catch (IOException | RuntimeException e) {
            // already failing: the caller reports the first error
        }
    }

    /** A searcher on the latest refreshed view; release it with {@link #release}. Null when nothing was ever indexed. */
    public IndexSearcher acquire() throws IOException {
        if (manager == null) {
            return null;
        }
        if (writer == null) {
            manager.maybeRefresh();
        }
        return manager.acquire();
    }

    public void release(IndexSearcher s) throws IOException {
        if (s != null) {
            manager.release(s);
        }
    }

    private void ensureWritable() throws IOException {
        if (writer == null) {
            throw new IOException("the index is being written by another msnscope process (a running proxy?); try again when it stops");
        }
    }

    /** Sessions with documents, as indexed up to which byte of their capture file. */
    public synchronized Map<String, Long> indexedOffsets() {
        return Map.copyOf(indexed);
    }

    @Override
    public void close() throws IOException {
        close(true);
    }

    /**
     * Closes the index; {@code catchUp}: first index what the recorder wrote and is not indexed yet. Without, what
     * is indexed is committed and the rest waits in the capture files for the next {@link #open} (which catches up).
     */
    public void close(boolean catchUp) throws IOException {
        if (closed.getAndSet(true)) {
            return;
        }
        closing = true;
        if (thread != null) {
            synchronized (signal) {
                signal.notifyAll();
            }
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (writer != null) {
                if (catchUp) {
                    indexWritten();
                }
                refreshAndCommit();
            }
        } finally {
            if (manager != null) {
                manager.close();
            }
            if (writer != null) {
                writer.close();
            }
            directory.close();
        }
    }
}

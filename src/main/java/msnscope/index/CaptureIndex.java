package msnscope.index;

import com.fasterxml.jackson.core.type.TypeReference;
import msnscope.capture.CaptureReader;
import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.dissect.Dissector;
import msnscope.export.FrameJson;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
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
 */
public final class CaptureIndex implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureIndex.class);
    static final long REFRESH_MILLIS = 200;
    static final long COMMIT_MILLIS = 800;
    private static final String OFFSETS = "msnscope.offsets";
    /**
     * Which documents this msnscope writes; an index committed with another value is rebuilt on open.
     * Bump it with any change to the fields of {@link FrameDocuments} or {@link SessionReplay}.
     */
    static final String SCHEMA = "4";
    private static final String SCHEMA_KEY = "msnscope.schema";
    /** Sessions whose replay state is kept while they may still grow. */
    private static final int MAX_LIVE = 256;

    private final CaptureStore store;
    private final java.util.function.Supplier<Dissector> dissector;
    private Dissector loaded;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager manager;
    private final Map<String, Long> indexed = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, SessionReplay> replays = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Long> written = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object signal = new Object();
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
        IndexWriter w;
        boolean rebuilt = false;
        try {
            w = new IndexWriter(dir, config());
        } catch (LockObtainFailedException e) {
            SearcherManager m = DirectoryReader.indexExists(dir) ? new SearcherManager(dir, null) : null;
            return new CaptureIndex(store, dissector, dir, null, m);
        } catch (IllegalArgumentException | org.apache.lucene.index.CorruptIndexException
                 | org.apache.lucene.index.IndexFormatTooOldException | org.apache.lucene.index.IndexFormatTooNewException e) {
            // An index written with another sort, codec or format (an older msnscope or Lucene), or damaged:
            // it is derived data, rebuild it.
            w = recreate(dir, store);
            rebuilt = true;
        }
        if (!rebuilt && DirectoryReader.indexExists(dir) && !SCHEMA.equals(commitData(w).get(SCHEMA_KEY))) {
            // Same codec and sort, other fields (an older msnscope): Lucene would refuse the new documents.
            w.close();
            w = recreate(dir, store);
            rebuilt = true;
        }
        CaptureIndex index = new CaptureIndex(store, dissector, dir, w, new SearcherManager(w, null));
        if (!rebuilt) {
            index.loadOffsets();
        }
        index.catchUp();
        return index;
    }

    private static IndexWriter recreate(Directory dir, CaptureStore store) throws IOException {
        LOG.warn("rebuilding the index in {} (written by another msnscope version, or damaged)", store.indexDir());
        // Derived data: start from an empty directory, since a damaged commit could fail even CREATE mode.
        for (String f : dir.listAll()) {
            dir.deleteFile(f);
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
        written.merge(session, length, Math::max);
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void loop() {
        long lastRefresh = System.currentTimeMillis();
        long lastCommit = lastRefresh;
        while (!closing) {
            try {
                synchronized (signal) {
                    if (written.isEmpty()) {
                        signal.wait(REFRESH_MILLIS / 2);
                    }
                }
                indexWritten();
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
                LOG.error("indexing failed: {} (the capture files keep everything; run msnscope reindex)", e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Indexes whatever the recorder reported written. */
    public synchronized void indexWritten() throws IOException {
        for (String s : List.copyOf(written.keySet())) {
            written.remove(s);
            follow(s);
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

    /** Indexes the part of a session's file not indexed yet (from the start when its replay state was dropped). */
    public synchronized void follow(String session) throws IOException {
        ensureWritable();
        if (!store.exists(session)) {
            return;
        }
        SessionReplay replay = replays.get(session);
        if (replay == null) {
            writer.deleteDocuments(new Term(IndexFields.SESSION, session));
            if (loaded == null) {
                loaded = dissector.get();
            }
            replay = new SessionReplay(session, loaded);
            replays.put(session, replay);
        }
        try (CaptureReader reader = CaptureReader.open(store.file(session), replay.offset)) {
            boolean any = false;
            List<Document> batch = new ArrayList<>(BATCH);
            for (CaptureRecord r; (r = reader.next()) != null; ) {
                add(session, r, replay.apply(r), batch);
                any = true;
            }
            flush(batch);
            replay.offset = reader.offset();
            if (any || replay.records <= 1) {
                for (Document d : replay.connectionDocuments()) {
                    writer.updateDocument(new Term(IndexFields.KEY, key(d)), d);
                }
                writer.updateDocument(new Term(IndexFields.KEY, session), replay.sessionDocument());
            }
        }
        indexed.put(session, replay.offset);
        dirty = true;
        if (replay.allClosed()) {
            replays.remove(session);
        }
        while (replays.size() > MAX_LIVE) {
            replays.remove(replays.keySet().iterator().next());
        }
    }

    /**
     * Frame documents waiting to be added in one {@code addDocuments} call: IndexWriter's per-call work
     * (locking a writer thread state, flush checks) is then paid once per batch instead of per frame.
     */
    private static final int BATCH = 256;

    /**
     * Adds the frame documents a record gave. A frame record's document is new (a replay starts by deleting
     * the session's documents); a close re-writes requests that got an "unanswered" warning, replacing the
     * document of the same order (deletes only reach documents added before them, so the batch goes first).
     */
    private void add(String session, CaptureRecord r, List<Document> docs, List<Document> batch) throws IOException {
        if (r instanceof CaptureRecord.FrameRecord) {
            batch.addAll(docs);
            if (batch.size() >= BATCH) {
                flush(batch);
            }
            return;
        }
        for (Document d : docs) {
            flush(batch);
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
        for (String s : Set.copyOf(indexed.keySet())) {
            if (!lengths.containsKey(s)) {
                deleteSession(s);
            }
        }
        for (Map.Entry<String, Long> e : lengths.entrySet()) {
            if (!e.getValue().equals(indexed.get(e.getKey()))) {
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
        replays.clear();
        List<String> sessions = store.sessions();
        if (loaded == null) {
            loaded = dissector.get();
        }
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
        SessionReplay replay = new SessionReplay(session, loaded);
        try (CaptureReader reader = CaptureReader.open(store.file(session), 0)) {
            List<Document> batch = new ArrayList<>(BATCH);
            for (CaptureRecord r; (r = reader.next()) != null; ) {
                add(session, r, replay.apply(r), batch);
            }
            flush(batch);
            replay.offset = reader.offset();
        }
        for (Document d : replay.connectionDocuments()) {
            writer.addDocument(d);
        }
        writer.addDocument(replay.sessionDocument());
        indexed.put(session, replay.offset);
    }

    /** Removes a session's documents (its capture file is the store's business). */
    public synchronized void deleteSession(String session) throws IOException {
        ensureWritable();
        writer.deleteDocuments(new Term(IndexFields.SESSION, IndexFields.normalize(IndexFields.SESSION, session)));
        indexed.remove(session);
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
            data.put(SCHEMA_KEY, SCHEMA);
            writer.setLiveCommitData(data.entrySet());
            writer.commit();
            dirty = false;
        }
    }

    private void loadOffsets() throws IOException {
        if (!DirectoryReader.indexExists(directory)) {
            return;
        }
        String json = commitData(writer).get(OFFSETS);
        if (json != null) {
            Map<String, Long> m = FrameJson.MAPPER.readValue(json, new TypeReference<Map<String, Long>>() { });
            indexed.putAll(m);
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
                indexWritten();
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

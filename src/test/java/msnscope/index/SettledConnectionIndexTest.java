package msnscope.index;

import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.capture.CaptureWriter;
import msnscope.capture.Importer;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.export.FrameJson;
import msnscope.search.FrameSearch;
import msnscope.search.MsnQueryParser;
import msnscope.support.Captures;
import msnscope.wire.FramerLimits;
import org.apache.lucene.search.IndexSearcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A frame is indexed with what its connection turned out to be (a dispatch server, bob's login), whether
 * the index reads the whole capture file at once (import, reindex) or follows it record by record while
 * the proxy records (the live path, which re-writes the first documents once the connection is known).
 */
class SettledConnectionIndexTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    @TempDir
    Path dir;

    private static FrameSearch.Result search(CaptureIndex index, String q, String countBy) throws Exception {
        IndexSearcher s = index.acquire();
        try {
            return FrameSearch.search(s, new MsnQueryParser(0).parseQuery(q), new FrameSearch.Options(1000, "time", null, null, countBy, "[", "]"));
        } finally {
            index.release(s);
        }
    }

    /** The records of msnp11-chat.txt (a DS login referred to an NS, then switchboards), as a store keeps them. */
    private List<CaptureRecord> chatRecords() throws Exception {
        CaptureStore seed = new CaptureStore(dir.resolve("seed"));
        new Importer(seed, DISSECTOR, FramerLimits.DEFAULT).transcript(Captures.read(Captures.DIR.resolve("msnp11-chat.txt")), "msnp11-chat.txt");
        return seed.records(seed.sessions().get(0));
    }

    @Test
    void theDispatchConnectionAndThePreLoginFramesCarryWhatTheConnectionTurnedOutToBe() throws Exception {
        CaptureStore store = new CaptureStore(dir.resolve("store"));
        new Importer(store, DISSECTOR, FramerLimits.DEFAULT).transcript(Captures.read(Captures.DIR.resolve("msnp11-chat.txt")), "chat");
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            FrameSearch.Result c1 = search(index, "stream:c1", null);
            assertTrue(c1.total() >= 5, "the dispatch connection: VER, CVR, USR, XFR");
            for (FrameSearch.Hit h : c1.hits()) {
                assertEquals("DS", h.frame().get("role"), "every frame of the dispatch connection, VER included: " + h.frame().get("raw"));
                assertEquals("alice@example.com", h.frame().get("account"), "the login it opens: " + h.frame().get("raw"));
            }
            assertEquals(c1.total(), search(index, "role:DS", null).total());
            assertEquals(Map.of("alice@example.com", 2L), search(index, "cmd:VER AND dir:C2S", "account").counts(),
                    "both logins' VER (the DS and the NS) are alice's");
            assertEquals(0, search(index, "peer:alice@example.com AND (cmd:CVR OR cmd:USR) AND stream:c1", null).total(),
                    "a login's own handle is not a peer of its frames");
        }
    }

    @Test
    void indexingInSlicesWhileTheRelayIsBusyEndsWithTheDocumentsOfAWholeReindex() throws Exception {
        indexInSlicesAndCompareWithAReindex(false);
    }

    @Test
    void slicesNeverEndInsideARunOfFramesSoNoneIsSkippedOrIndexedTwice() throws Exception {
        indexInSlicesAndCompareWithAReindex(true);
    }

    /**
     * Twenty copies of the chat written to one session, then indexed in slices; {@code runs}: each connection's
     * frames as the recorder writes them, in runs of frames (one read time per copy and direction), so slices
     * that stop after 64 frames would stop inside runs.
     */
    private void indexInSlicesAndCompareWithAReindex(boolean runs) throws Exception {
        CaptureStore store = new CaptureStore(dir.resolve("store"));
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            String session = writeCopies(store, chatRecords(), runs, 20);
            if (runs) {
                long runRecords = msnscope.support.CaptureFiles.recordTypes(store.file(session)).stream()
                        .filter(t -> t == msnscope.capture.CaptureFormat.FRAME_RUN).count();
                assertTrue(runRecords >= 20, runRecords + " runs of frames");
            }
            // Slices too short for anything but their first 64 records: the file is read in many pieces.
            index.written(session, store.file(session).toFile().length());
            int slices = 0;
            while (index.backlogBytes() > 0 && slices < 10_000) {
                index.indexWritten(1);
                slices++;
            }
            assertTrue(slices > 5, "read in pieces: " + slices);
            assertEquals(0, index.backlogBytes(), "caught up");
            index.refreshAndCommit();
            List<String> sliced = IndexTestSupport.documents(index);
            index.reindex();
            assertEquals(IndexTestSupport.documents(index), sliced, "slices and a reindex give the same documents");
        }
    }

    /** Copies of {@code records} in a new session of the store (see {@link #indexInSlicesAndCompareWithAReindex}). */
    private static String writeCopies(CaptureStore store, List<CaptureRecord> records, boolean runs, int copies) throws Exception {
        try (CaptureWriter w = store.newSession(0, "test", false)) {
            for (int copy = 0; copy < copies; copy++) {
                for (CaptureRecord r : records) {
                    if (r instanceof CaptureRecord.SessionStarted) {
                        continue;
                    }
                    CaptureRecord c = copy == 0 ? r : renumbered(r, copy);
                    if (runs && c instanceof CaptureRecord.FrameRecord f && f.rewritten() == null) {
                        w.appendFrame(f.connection().getBytes(java.nio.charset.StandardCharsets.UTF_8), 1_000_000L * copy,
                                f.direction(), f.frame(), null, f.edit());
                    } else {
                        w.append(c);
                    }
                }
            }
            return CaptureStore.sessionOf(w);
        }
    }

    @Test
    void underALoadThatNeverCalmsTheLiveIndexerStillMovesOnAndCatchesUpWhenItEnds() throws Exception {
        CaptureStore store = new CaptureStore(dir.resolve("store"));
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            String session = writeCopies(store, chatRecords(), true, 60);
            long length = store.file(session).toFile().length();
            index.startLive();
            // A load test: the recorder reports thousands of writes a second for three and a half seconds. The
            // indexer gives way (its slices stop, then it waits), but a slice a second still runs.
            long start = System.nanoTime();
            long early = -1;
            while (System.nanoTime() - start < 3_500_000_000L) {
                index.written(session, length);
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                if (early < 0 && System.nanoTime() - start > 500_000_000L) {
                    early = index.backlogBytes();
                }
            }
            long late = index.backlogBytes();
            assertTrue(late < early, "indexing went on while the load never calmed: " + early + " then " + late + " bytes behind");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (index.backlogBytes() > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
            assertEquals(0, index.backlogBytes(), "caught up once the load ended");
        }
    }

    @Test
    void closingWithoutCatchingUpCommitsWhatIsIndexedAndTheNextOpenIndexesTheRest() throws Exception {
        CaptureStore store = new CaptureStore(dir.resolve("store"));
        String session;
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            session = writeCopies(store, chatRecords(), true, 20);
            index.written(session, store.file(session).toFile().length());
            index.close(false);
        }
        try (org.apache.lucene.index.DirectoryReader committed = org.apache.lucene.index.DirectoryReader.open(
                org.apache.lucene.store.FSDirectory.open(store.indexDir()))) {
            assertEquals(0, committed.numDocs(), "nothing was indexed on the way out");
        }
        try (CaptureIndex again = CaptureIndex.open(store, DISSECTOR)) {
            List<String> caughtUp = IndexTestSupport.documents(again);
            assertFalse(caughtUp.isEmpty());
            again.reindex();
            assertEquals(IndexTestSupport.documents(again), caughtUp, "the next open indexed every frame the file holds");
        }
    }

    /** The record as it would be for another connection ({@code c1} becomes {@code c1x3}): more of the same traffic. */
    private static CaptureRecord renumbered(CaptureRecord r, int copy) {
        if (r instanceof CaptureRecord.ConnectionOpened o) {
            return new CaptureRecord.ConnectionOpened(o.connection() + "x" + copy, o.info());
        }
        if (r instanceof CaptureRecord.FrameRecord f) {
            return new CaptureRecord.FrameRecord(f.connection() + "x" + copy, f.timeMicros(), f.direction(), f.frame(), f.rewritten());
        }
        if (r instanceof CaptureRecord.ConnectionClosed c) {
            return new CaptureRecord.ConnectionClosed(c.connection() + "x" + copy, c.timeMicros(), c.reason());
        }
        return r;
    }

    @Test
    void followingTheFileRecordByRecordEndsWithTheDocumentsOfAWholeReindex() throws Exception {
        List<CaptureRecord> records = chatRecords();
        CaptureStore store = new CaptureStore(dir.resolve("store"));
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            String session;
            try (CaptureWriter w = store.newSession(0, "test", false)) {
                session = CaptureStore.sessionOf(w);
                // As the live indexer does: each record read (and its frame searchable) before the next is written.
                for (CaptureRecord r : records) {
                    if (!(r instanceof CaptureRecord.SessionStarted)) {
                        w.append(r);
                    }
                    w.flush();
                    index.follow(session);
                }
            }
            index.refreshAndCommit();
            List<String> followed = IndexTestSupport.documents(index);
            FrameSearch.Result ds = search(index, "stream:c1", null);
            assertTrue(ds.hits().stream().allMatch(h -> "DS".equals(h.frame().get("role")) && "alice@example.com".equals(h.frame().get("account"))),
                    ds.hits().stream().map(h -> h.frame().get("role") + " " + h.frame().get("account") + " " + h.frame().get("raw")).toList().toString());
            assertEquals(search(index, "*:*", null).total(), followed.stream().filter(j -> j.contains("\"seq\"")).count(),
                    "each frame once: a re-written document replaced the first one");
            index.reindex();
            assertEquals(IndexTestSupport.documents(index), followed, "the live path and a reindex give the same documents");
        }
    }

    @Test
    void aReusedTridMarksTheEarlierRequestUnansweredInTheIndexAsInTheExport() throws Exception {
        CaptureStore store = new CaptureStore(dir.resolve("store"));
        new Importer(store, DISSECTOR, FramerLimits.DEFAULT).transcript("""
                C: VER 1 MSNP8 CVR0
                S: VER 1 MSNP8
                C: USR 2 TWN I bob@example.com
                C: USR 2 TWN I bob@example.com
                S: USR 2 TWN S lc=1033
                """, "reuse");
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            FrameSearch.Result unanswered = search(index, "warning:unanswered", null);
            assertEquals(1, unanswered.total(), "the first USR 2: the second reused its TrID before any reply");
            assertEquals(2, ((Number) unanswered.hits().get(0).frame().get("seq")).intValue());
            java.io.StringWriter export = new java.io.StringWriter();
            new msnscope.export.SessionExporter(DISSECTOR).export(store.load("s1", DISSECTOR, FramerLimits.DEFAULT).connections(), null,
                    "jsonl", null, export);
            Map<?, ?> exported = FrameJson.MAPPER.readValue(export.toString().split("\n")[2], Map.class);
            assertEquals(exported.get("warnings"), unanswered.hits().get(0).frame().get("warnings"));
        }
    }
}

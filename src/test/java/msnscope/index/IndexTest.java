package msnscope.index;

import msnscope.wire.Clock;
import msnscope.capture.CaptureStore;
import msnscope.capture.Importer;
import msnscope.capture.Recorder;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.proxy.ProxyConnection;
import msnscope.search.FrameSearch;
import msnscope.search.MsnQueryParser;
import msnscope.support.Captures;
import msnscope.wire.FramerLimits;
import org.apache.lucene.search.IndexSearcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class IndexTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    @TempDir
    Path dir;

    private static long count(CaptureIndex index, String q) throws Exception {
        IndexSearcher s = index.acquire();
        try {
            return s == null ? 0 : FrameSearch.search(s, new MsnQueryParser(0).parseQuery(q), FrameSearch.Options.defaults()).total();
        } finally {
            index.release(s);
        }
    }

    private void importTranscripts(CaptureStore store) throws Exception {
        Importer importer = new Importer(store, DISSECTOR, FramerLimits.DEFAULT);
        for (Path t : Captures.transcripts()) {
            importer.transcript(Captures.read(t), t.toString());
        }
    }

    @Test
    void aFrameRecordedWhileTheProxyRunsIsSearchableWithinASecond() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR);
             Recorder recorder = new Recorder(store, false, index::written)) {
            index.startLive();
            ConnectionLog log = Captures.dissect(Captures.DIR.resolve("msnp11-chat.txt")).connections().get(2);
            ProxyConnection pc = new ProxyConnection("p1", FormSpec.Role.SB, new InetSocketAddress("127.0.0.1", 5555),
                    new InetSocketAddress("127.0.0.1", 1864), "10.0.0.7:1864", null, null, Clock.nowMicros());
            recorder.connectionOpened(pc);
            // Warm up (class loading, the dissector's first use): the first frame becomes searchable first.
            recorder.frame(pc, log.frames().get(0).frame(), log.frames().get(0).direction(), Clock.nowMicros(), null);
            recorder.beforeForward();
            long w0 = System.nanoTime();
            while (count(index, "session:s1") == 0 && System.nanoTime() - w0 < 20_000_000_000L) {
                Thread.sleep(20);
            }
            long t0 = System.nanoTime();
            for (Dissection d : log.frames().subList(1, log.frames().size())) {
                recorder.frame(pc, d.frame(), d.direction(), Clock.nowMicros(), null);
            }
            recorder.beforeForward();
            long seen = 0;
            while (seen == 0 && System.nanoTime() - t0 < 5_000_000_000L) {
                Thread.sleep(20);
                seen = count(index, "cmd:MSG AND session:s1");
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(seen > 0, "the frames became searchable");
            assertTrue(ms <= 1500, "near-real-time: " + ms + " ms");
            recorder.connectionClosed(pc, "client closed");
        }
    }

    @Test
    void aRequestFoundUnansweredAtCloseReplacesItsFrameDocument() throws Exception {
        CaptureStore seed = new CaptureStore(dir.resolve("seed"));
        new Importer(seed, DISSECTOR, FramerLimits.DEFAULT).transcript("""
                C: VER 1 MSNP8 CVR0
                S: VER 1 MSNP8
                C: CHG 2 NLN 0
                C: PNG
                S: QNG 50
                C: CHG 3 BSY 0
                """, "unanswered");
        List<msnscope.capture.CaptureRecord> records = seed.records(seed.sessions().get(0));
        CaptureStore store = new CaptureStore(dir.resolve("store"));
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            String session;
            // The frames first, indexed as the live indexer would while the connection is open...
            try (msnscope.capture.CaptureWriter w = store.newSession(0, "test", false)) {
                session = CaptureStore.sessionOf(w);
                for (msnscope.capture.CaptureRecord r : records) {
                    if (!(r instanceof msnscope.capture.CaptureRecord.ConnectionClosed)) {
                        w.append(r);
                    }
                }
            }
            index.follow(session);
            index.refreshAndCommit();
            assertEquals(6, count(index, "session:" + session));
            assertEquals(0, count(index, "warning:unanswered"));
            // ...then the close, which finds both CHG requests unanswered and re-writes their documents.
            try (msnscope.capture.CaptureWriter w = msnscope.capture.CaptureWriter.append(store.file(session), false)) {
                for (msnscope.capture.CaptureRecord r : records) {
                    if (r instanceof msnscope.capture.CaptureRecord.ConnectionClosed) {
                        w.append(r);
                    }
                }
            }
            index.follow(session);
            index.refreshAndCommit();
            assertEquals(6, count(index, "session:" + session), "replaced, not added");
            assertEquals(2, count(index, "warning:unanswered AND cmd:CHG"));
            assertEquals(0, count(index, "warning:unanswered AND NOT cmd:CHG"));
            List<String> live = IndexTestSupport.documents(index);
            index.reindex();
            assertEquals(live, IndexTestSupport.documents(index));
        }
    }

    @Test
    void anIndexFromAnotherVersionOrDamagedIsRebuiltFromTheCaptureFiles() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        importTranscripts(store);
        List<String> expected;
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            expected = IndexTestSupport.documents(index);
        }
        // An index written by plain Lucene with other fields, as an older msnscope would have left it.
        deleteIndex(store);
        try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(store.indexDir());
             org.apache.lucene.index.IndexWriter w = new org.apache.lucene.index.IndexWriter(d,
                     new org.apache.lucene.index.IndexWriterConfig(new org.apache.lucene.analysis.standard.StandardAnalyzer()))) {
            org.apache.lucene.document.Document doc = new org.apache.lucene.document.Document();
            doc.add(new org.apache.lucene.document.TextField(IndexFields.LINE, "old", org.apache.lucene.document.Field.Store.YES));
            w.addDocument(doc);
            w.commit();
        }
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            assertEquals(expected, IndexTestSupport.documents(index));
        }
        // Damaged: every index file cut to half its length.
        for (Path f : indexFiles(store)) {
            if (!f.getFileName().toString().equals("write.lock")) {
                byte[] b = java.nio.file.Files.readAllBytes(f);
                java.nio.file.Files.write(f, java.util.Arrays.copyOf(b, b.length / 2));
            }
        }
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            assertEquals(expected, IndexTestSupport.documents(index));
        }
    }

    private static void deleteIndex(CaptureStore store) throws Exception {
        for (Path f : indexFiles(store)) {
            java.nio.file.Files.delete(f);
        }
    }

    private static List<Path> indexFiles(CaptureStore store) throws Exception {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(store.indexDir())) {
            return files.toList();
        }
    }

    @Test
    void aFrameNamingAHugeHandleIsStillIndexed() throws Exception {
        // Lucene refuses terms over 32 KiB; a payload header can hold a "handle" of any length.
        String huge = "x@" + "y".repeat(40_000) + ".com";
        String payload = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: " + huge + "\r\n\r\n\r\n";
        CaptureStore store = new CaptureStore(dir);
        new Importer(store, DISSECTOR, FramerLimits.DEFAULT).transcript(
                "S: MSG " + huge.substring(0, 20) + " Bob " + payload.length() + "\n" + payload.replace("\r\n", "\n")
                        + "S: MSG bob@example.com Bob 5\nhello\n", "huge");
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            assertEquals(2, count(index, "cmd:MSG"));
            assertEquals(1, count(index, "peer:x@yyy*"), "kept, cut to its first 1,024 characters");
        }
    }

    @Test
    void reindexGivesTheSameDocumentsAsLiveIndexingAndIsIdempotent() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        importTranscripts(store);
        List<String> live;
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            live = IndexTestSupport.documents(index);
            assertTrue(live.size() > 300);
            index.reindex();
            assertEquals(live, IndexTestSupport.documents(index));
            index.reindex(3);
            assertEquals(live, IndexTestSupport.documents(index), "reindexing again, in parallel, leaves one document per key");
        }
    }

    @Test
    void anIndexOpenedAfterTheCaptureGrewCatchesUpAndForgetsDeletedSessions() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        Importer importer = new Importer(store, DISSECTOR, FramerLimits.DEFAULT);
        importer.transcript(Captures.read(Captures.DIR.resolve("msnp2-md5.txt")), "a");
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            assertEquals(0, count(index, "session:s2"));
        }
        importer.transcript(Captures.read(Captures.DIR.resolve("msnp8-twn.txt")), "b");
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            assertTrue(count(index, "session:s2") > 0, "the new session was indexed on open");
        }
        store.delete("s1");
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            assertEquals(0, count(index, "session:s1"));
            assertTrue(count(index, "session:s2") > 0);
        }
    }

    @Test
    void deletingASessionRemovesItsFramesConnectionsAndSummary() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        importTranscripts(store);
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            long before = IndexTestSupport.documents(index).size();
            assertTrue(count(index, "session:s1") > 0);
            store.delete("s1");
            index.deleteSession("s1");
            index.refreshAndCommit();
            assertEquals(0, count(index, "session:s1"));
            assertTrue(IndexTestSupport.documents(index).stream().noneMatch(j -> j.contains("\"session\":\"s1\"")));
            assertTrue(IndexTestSupport.documents(index).size() < before);
        }
    }

    @Test
    void aSecondProcessOpensTheIndexReadOnlyWhileTheFirstWrites() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        importTranscripts(store);
        try (CaptureIndex writer = CaptureIndex.open(store, DISSECTOR); CaptureIndex reader = CaptureIndex.open(store, DISSECTOR)) {
            assertFalse(writer.readOnly());
            assertTrue(reader.readOnly());
            assertEquals(count(writer, "cmd:USR"), count(reader, "cmd:USR"));
            assertThrows(java.io.IOException.class, reader::reindex);
        }
    }

    @Test
    void liveCaptureRecordsAndIndexesWhatTheProxySeesAndClosesCleanly() throws Exception {
        ConnectionLog log = Captures.dissect(Captures.DIR.resolve("msnp2-md5.txt")).connections().get(1);
        ProxyConnection pc = new ProxyConnection("p1", FormSpec.Role.NS, new InetSocketAddress("127.0.0.1", 5555),
                new InetSocketAddress("127.0.0.1", 1863), "10.0.0.5:1863", null, null, Clock.nowMicros());
        try (LiveCapture live = LiveCapture.open(dir, DISSECTOR)) {
            live.connectionOpened(pc);
            for (Dissection d : log.frames()) {
                live.frame(pc, d.frame(), d.direction(), Clock.nowMicros(), null);
            }
            live.connectionClosed(pc, "client closed");
            assertTrue(live.status().startsWith("recorded "), live.status());
        }
        CaptureStore store = new CaptureStore(dir);
        assertEquals(List.of("s1"), store.sessions());
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            assertEquals(log.frames().size(), count(index, "session:s1") > 0 ? frames(index) : 0);
        }
    }

    private static long frames(CaptureIndex index) throws Exception {
        return IndexTestSupport.documents(index).stream().filter(j -> j.contains("\"seq\"")).count();
    }
}

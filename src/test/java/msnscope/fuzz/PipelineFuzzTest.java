package msnscope.fuzz;

import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.capture.Importer;
import msnscope.capture.PcapImport;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.export.FrameJson;
import msnscope.export.RedactMode;
import msnscope.export.SessionExporter;
import msnscope.export.SessionMeta;
import msnscope.index.CaptureIndex;
import msnscope.index.IndexFields;
import msnscope.pcap.PcapReader;
import msnscope.pcap.ProgressListener;
import msnscope.search.FrameSearch;
import msnscope.search.MsnQueryParser;
import msnscope.support.Captures;
import msnscope.wire.Direction;
import msnscope.wire.FramerLimits;
import org.apache.lucene.search.IndexSearcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Total parsing, end to end: real frames from every capture in {@code captures/} (transcripts and pcaps),
 * damaged by {@link FrameMutator}, go through the framer and the dissector into a capture store on disk,
 * into a Lucene index on disk, through searches (numeric ranges and sorts included), a reindex, and every
 * export format. Nothing may throw, and no frame may go missing: every byte fed is in a stored frame, the
 * index holds every stored frame, a stored frame reads back as the JSON the dissector made, and every
 * export writes every frame. {@code -Dmsnscope.fuzz.seed=N} replays one run.
 */
class PipelineFuzzTest {

    private static final long SEED = Long.getLong("msnscope.fuzz.seed", 9L);
    /** Damaged copies of each capture. */
    private static final int COPIES = Integer.getInteger("msnscope.fuzz.copies", 2);
    /** Share of frames damaged in a copy. */
    private static final double DAMAGE = Double.parseDouble(System.getProperty("msnscope.fuzz.damage", "0.15"));

    private static final List<String> QUERIES = List.of("trid:[0 TO *]", "trid:{4294967294 TO *]", "latency:[0 TO *]", "length:[1 TO *]",
            "warning:bad-parameter", "warning:dissector-failed", "cmd:CHG OR cmd:QNG OR cmd:UUX", "cmd:MSG AND length:[0 TO 100]",
            "trid:4294967295", "line:9999999999999999999", "text:hello");
    private static final List<String> SORTS = List.of("-time", "trid", "-trid", "latency", "-length", "relevance");

    @TempDir
    Path dir;

    private final Dissector dissector = new Dissector(SpecLoader.builtIn());
    /** Smaller than the defaults, so long lines and large payload lengths hit the limits too. */
    private final FramerLimits limits = new FramerLimits(1024, 64 * 1024);

    @Test
    void mutatedRealFramesGoThroughStoreIndexSearchAndExportWithoutThrowingOrLosingAFrame() throws Exception {
        Random random = new Random(SEED);
        FrameMutator mutator = new FrameMutator(random);
        CaptureStore store = new CaptureStore(dir.resolve("store"));
        Importer importer = new Importer(store, dissector, limits);
        Map<Direction, Long> fed = new EnumMap<>(Direction.class);
        List<String> sessions = new ArrayList<>();
        List<List<Importer.RawConnection>> originals = realConnections();
        assertTrue(originals.size() >= Captures.transcripts().size(), "every capture gave sessions");
        int copy = 0;
        for (List<Importer.RawConnection> session : originals) {
            for (int c = 0; c < COPIES; c++) {
                List<Importer.RawConnection> damaged = damage(session, mutator, random, copy++);
                for (Importer.RawConnection rc : damaged) {
                    for (Importer.Chunk ch : rc.chunks()) {
                        fed.merge(ch.dir(), (long) ch.data().length, Long::sum);
                    }
                }
                sessions.addAll(importer.connections(damaged, "fuzz copy " + copy, random.nextBoolean()));
            }
        }

        // Transcripts damaged as text: their command lines carry the hostile numbers through the transcript reader.
        List<String> fromBytes = List.copyOf(sessions);
        for (Path p : Captures.transcripts()) {
            sessions.addAll(importer.transcript(damageTranscript(Captures.read(p), random), p.toString()));
        }

        // Every byte fed is in exactly one stored frame.
        Map<String, Long> stored = new LinkedHashMap<>();
        Map<Direction, Long> storedBytes = new EnumMap<>(Direction.class);
        for (String s : sessions) {
            long frames = 0;
            for (CaptureRecord r : store.records(s)) {
                if (r instanceof CaptureRecord.FrameRecord f) {
                    frames++;
                    if (fromBytes.contains(s)) {
                        storedBytes.merge(f.direction(), (long) f.frame().size(), Long::sum);
                    }
                }
            }
            stored.put(s, frames);
        }
        assertEquals(fed, storedBytes, seed());

        try (CaptureIndex index = CaptureIndex.open(store, dissector)) {
            assertIndexHolds(index, stored);
            // Every frame here came from the framer: one the dissector failed on would be a bug in it.
            assertEquals(0, count(index, "warning:dissector-failed"), seed());
            assertTrue(count(index, "warning:bad-parameter AND line:99999999999999999999") > 0, "the hostile numbers got through, " + seed());
            for (String s : sessions) {
                assertStoredFramesReadBackAsDissected(index, store, s);
            }
            searchEverything(index);
            index.reindex();
            assertIndexHolds(index, stored);
            searchEverything(index);
            String gone = sessions.get(random.nextInt(sessions.size()));
            index.deleteSession(gone);
            assertTrue(store.delete(gone));
            stored.remove(gone);
            index.refreshAndCommit();
            assertIndexHolds(index, stored);
        }

        int n = 0;
        for (String s : stored.keySet()) {
            // Redaction dissects every frame a second time: every other session is enough to cover it.
            exportEveryFormat(store, s, n++ % 2 == 0);
        }
    }

    private static String seed() {
        return "seed " + SEED + " (-Dmsnscope.fuzz.seed=" + SEED + " replays it)";
    }

    /** Each capture imported as it is, read back as connections of one chunk per frame, in recording order. */
    private List<List<Importer.RawConnection>> realConnections() throws Exception {
        CaptureStore source = new CaptureStore(dir.resolve("source"));
        Importer importer = new Importer(source, dissector, FramerLimits.DEFAULT);
        List<String> ids = new ArrayList<>();
        for (Path p : Captures.transcripts()) {
            ids.addAll(importer.transcript(Captures.read(p), p.toString()));
        }
        try (Stream<Path> files = Files.list(Captures.DIR)) {
            for (Path p : files.filter(f -> PcapReader.isCapture(read(f))).sorted().toList()) {
                ids.addAll(PcapImport.run(importer, p, ProgressListener.NONE).sessions());
            }
        }
        List<List<Importer.RawConnection>> out = new ArrayList<>();
        for (String id : ids) {
            Map<String, List<Importer.Chunk>> chunks = new LinkedHashMap<>();
            for (CaptureRecord r : source.records(id)) {
                if (r instanceof CaptureRecord.FrameRecord f) {
                    chunks.computeIfAbsent(f.connection(), k -> new ArrayList<>())
                            .add(new Importer.Chunk(f.direction(), null, f.frame().copyBytes()));
                }
            }
            List<Importer.RawConnection> conns = new ArrayList<>();
            chunks.forEach((conn, list) -> conns.add(new Importer.RawConnection(conn, "10.0.0.9:5" + conns.size(), "10.0.0.1:1863", 0, list)));
            out.add(conns);
        }
        return out;
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A copy with some frames damaged, some frames of the issue inserted, and times that only grow. */
    private static List<Importer.RawConnection> damage(List<Importer.RawConnection> session, FrameMutator mutator, Random random, int copy) {
        long time = 1_800_000_000_000_000L + copy * 1_000_000_000L;
        List<Importer.RawConnection> out = new ArrayList<>();
        for (Importer.RawConnection rc : session) {
            List<Importer.Chunk> chunks = new ArrayList<>();
            for (Importer.Chunk ch : rc.chunks()) {
                byte[] data = random.nextDouble() < DAMAGE ? mutator.mutate(ch.data()) : ch.data();
                chunks.add(new Importer.Chunk(ch.dir(), time += 1 + random.nextInt(5000), data));
            }
            out.add(new Importer.RawConnection(rc.id(), rc.client(), rc.server(), rc.firstMicros(), chunks));
        }
        return out;
    }

    /** Some command lines of a transcript with a run of digits replaced by a hostile number. */
    private static String damageTranscript(String text, Random random) {
        StringBuilder out = new StringBuilder();
        java.util.regex.Pattern digits = java.util.regex.Pattern.compile("\\d+");
        for (String line : text.split("\n", -1)) {
            if ((line.startsWith("C: ") || line.startsWith("S: ")) && random.nextDouble() < DAMAGE) {
                java.util.regex.Matcher m = digits.matcher(line);
                List<int[]> runs = new ArrayList<>();
                while (m.find()) {
                    runs.add(new int[] {m.start(), m.end()});
                }
                if (!runs.isEmpty()) {
                    int[] run = runs.get(random.nextInt(runs.size()));
                    String number = FrameMutator.HOSTILE_NUMBERS.get(random.nextInt(FrameMutator.HOSTILE_NUMBERS.size()));
                    line = line.substring(0, run[0]) + number + line.substring(run[1]);
                }
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** Every stored frame has its frame document, counted exactly (doc values, no stored field read). */
    private static void assertIndexHolds(CaptureIndex index, Map<String, Long> stored) throws Exception {
        IndexSearcher searcher = index.acquire();
        try {
            FrameSearch.Result r = FrameSearch.search(searcher, new MsnQueryParser(0).parseQuery("session:s*"),
                    new FrameSearch.Options(10, "-time", null, null, IndexFields.SESSION, "[", "]"));
            Map<String, Long> expected = new HashMap<>(stored);
            expected.values().removeIf(n -> n == 0);
            assertEquals(expected, r.counts(), seed());
        } finally {
            index.release(searcher);
        }
    }

    /**
     * The index's stored form of every frame gives back the JSON Lines object of the dissection it was made
     * from, as the whole session leaves it (what dissect and export print): the session's records replayed
     * through the dissector as the indexer does (one context per session, one stream per connection, closes
     * included), a relabelled dispatch connection's frames DS, and each frame's account the login it belongs
     * to (its own, else the one its connection logged in as).
     */
    private void assertStoredFramesReadBackAsDissected(CaptureIndex index, CaptureStore store, String session) throws Exception {
        SessionContext context = new SessionContext(session);
        Map<String, StreamDissector> streams = new HashMap<>();
        Map<String, Dissection> dissected = new HashMap<>();
        for (CaptureRecord r : store.records(session)) {
            if (r instanceof CaptureRecord.ConnectionOpened o) {
                streams.put(o.connection(), dissector.stream(context, o.connection(), null));
            } else if (r instanceof CaptureRecord.FrameRecord f) {
                Dissection d = streams.get(f.connection()).dissect(f.frame(), f.direction(), f.timeMicros());
                dissected.put(d.stream() + "#" + d.seq(), d);
            } else if (r instanceof CaptureRecord.ConnectionClosed c) {
                streams.get(c.connection()).close();
            }
        }
        Map<String, String> expected = new HashMap<>();
        for (Map.Entry<String, Dissection> e : dissected.entrySet()) {
            Dissection d = e.getValue();
            String account = d.account() != null ? d.account() : streams.get(d.stream()).account();
            expected.put(e.getKey(), FrameJson.toLine(d, Collections.singletonMap("account", account)));
        }
        IndexSearcher searcher = index.acquire();
        try {
            FrameSearch.Result r = FrameSearch.search(searcher, new MsnQueryParser(0).parseQuery("session:" + session),
                    new FrameSearch.Options(expected.size() + 1, "time", null, null, null, "[", "]"));
            assertEquals(expected.size(), r.hits().size(), session + ", " + seed());
            for (FrameSearch.Hit h : r.hits()) {
                String key = h.frame().get("stream") + "#" + h.frame().get("seq");
                assertEquals(expected.get(key), FrameJson.toLine(h.frame()), session + " " + key + ", " + seed());
            }
        } finally {
            index.release(searcher);
        }
    }

    private static long count(CaptureIndex index, String query) throws Exception {
        IndexSearcher searcher = index.acquire();
        try {
            return FrameSearch.search(searcher, new MsnQueryParser(0).parseQuery(query), FrameSearch.Options.defaults()).total();
        } finally {
            index.release(searcher);
        }
    }

    private static void searchEverything(CaptureIndex index) throws Exception {
        IndexSearcher searcher = index.acquire();
        try {
            for (String q : QUERIES) {
                for (String sort : SORTS) {
                    FrameSearch.Result r = FrameSearch.search(searcher, new MsnQueryParser(0).parseQuery(q),
                            new FrameSearch.Options(25, sort, null, null, null, "[", "]"));
                    assertTrue(r.hits().size() <= Math.max(25, r.total()), q);
                    for (FrameSearch.Hit h : r.hits()) {
                        assertNotNull(h.frame().get("raw"), q);
                    }
                }
                FrameSearch.search(searcher, new MsnQueryParser(0).parseQuery(q),
                        new FrameSearch.Options(25, "-time", null, null, IndexFields.WARNING, "[", "]"));
            }
        } finally {
            index.release(searcher);
        }
    }

    /** What show and export do: the stored bytes framed and dissected again, then every format, redacted or not. */
    private void exportEveryFormat(CaptureStore store, String session, boolean redacted) throws IOException {
        CaptureStore.Loaded loaded = store.load(session, dissector, limits);
        long storedBytes = 0;
        for (CaptureRecord r : loaded.records()) {
            if (r instanceof CaptureRecord.FrameRecord f) {
                storedBytes += f.frame().size();
            }
        }
        long frames = 0;
        long loadedBytes = 0;
        for (ConnectionLog c : loaded.connections()) {
            frames += c.frames().size();
            for (Dissection d : c.frames()) {
                loadedBytes += d.frame().size();
            }
        }
        assertEquals(storedBytes, loadedBytes, session + ": every stored byte is in a loaded frame, " + seed());
        SessionExporter exporter = new SessionExporter(dissector, limits, false);
        SessionMeta meta = SessionMeta.of(session, false, loaded.connections());
        for (String format : SessionExporter.FORMATS) {
            for (RedactMode mode : redacted ? List.of(RedactMode.NONE, RedactMode.MESSAGES) : List.of(RedactMode.NONE)) {
                StringWriter out = new StringWriter();
                exporter.export(loaded.connections(), meta, format, mode, out);
                if (format.equals("jsonl")) {
                    assertEquals(frames, out.toString().lines().count(), session + " " + mode + ", " + seed());
                } else {
                    assertFalse(frames > 0 && out.toString().isEmpty(), session + " " + format + " " + mode);
                }
            }
        }
    }
}

package msnscope.search;

import msnscope.wire.Clock;
import com.fasterxml.jackson.core.type.TypeReference;
import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.capture.CaptureWriter;
import msnscope.capture.Importer;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.export.FrameJson;
import msnscope.index.CaptureIndex;
import msnscope.index.IndexTestSupport;
import msnscope.support.Captures;
import msnscope.wire.FramerLimits;
import org.apache.lucene.search.IndexSearcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Newest-first (and oldest-first) results must be exactly the first N of every match sorted by time, no
 * matter the order frames were indexed in: here 120 copies of a chat session recorded in shuffled time
 * order, with far-apart clusters of times, and one session without times.
 */
class NewestFirstTest {

    @TempDir
    static Path dir;
    static CaptureIndex index;
    static IndexSearcher searcher;
    static List<Map<String, Object>> frames = new ArrayList<>();
    /** Position of each frame ("c2/9") in the capture file: the order of frames without a time. */
    static Map<String, Integer> recorded = new java.util.HashMap<>();

    @BeforeAll
    static void indexShuffledSessions() throws Exception {
        Dissector dissector = new Dissector(SpecLoader.builtIn());
        CaptureStore seed = new CaptureStore(dir.resolve("seed"));
        Path chat = Captures.DIR.resolve("msnp11-chat.txt");
        new Importer(seed, dissector, FramerLimits.DEFAULT).transcript(Captures.read(chat), chat.toString());
        List<CaptureRecord> records = seed.records(seed.sessions().get(0));
        Map<String, Integer> seqs = new java.util.HashMap<>();
        for (CaptureRecord r : records) {
            if (r instanceof CaptureRecord.FrameRecord f) {
                int seq = seqs.merge(f.connection(), 1, Integer::sum) - 1;
                recorded.put(f.connection() + "/" + seq, recorded.size());
            }
        }

        CaptureStore store = new CaptureStore(dir.resolve("store"));
        List<Integer> copies = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            copies.add(i);
        }
        Collections.shuffle(copies, new Random(7));
        copies.add(-1); // last: a session without times
        for (int copy : copies) {
            // Three clusters of sessions years apart, so time windows must widen across empty stretches.
            long base = copy < 0 ? 0 : 1_600_000_000_000_000L + (copy % 3) * 40_000_000_000_000L + copy * 5_000_000L;
            long k = 0;
            try (CaptureWriter w = store.newSession(base, "test", false)) {
                for (CaptureRecord r : records) {
                    if (r instanceof CaptureRecord.FrameRecord f) {
                        w.append(new CaptureRecord.FrameRecord(f.connection(), copy < 0 ? null : base + 1000 * k++, f.direction(), f.frame(), null));
                    } else {
                        w.append(r);
                    }
                }
            }
        }
        index = CaptureIndex.open(store, dissector);
        searcher = index.acquire();
        for (String json : IndexTestSupport.documents(index)) {
            Map<String, Object> m = FrameJson.MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (m.containsKey("seq")) {
                frames.add(m);
            }
        }
    }

    @AfterAll
    static void close() throws Exception {
        index.release(searcher);
        index.close();
    }

    @ParameterizedTest(name = "{0} sorted {1}, first {2}")
    @CsvSource({
            "cmd:MSG, -time, 1", "cmd:MSG, -time, 20", "cmd:MSG, -time, 500", "cmd:MSG, time, 20", "cmd:MSG, time, 3000",
            "dir:c2s, -time, 50", "cmd:VER, -time, 7", "cmd:VER, time, 7", "cmd:VER, -time, 200",
            "cmd:USR AND dir:s2c, -time, 130", "cmd:USR AND dir:s2c, time, 130"})
    void firstHitsAreTheFirstOfAllMatchesInTimeOrder(String query, String sort, int limit) throws Exception {
        String cmd = query.split("[: ]")[1];
        Predicate<Map<String, Object>> matches = f -> cmd.equals(f.get("cmd")) || query.equals("dir:c2s") && "C2S".equals(f.get("dir"));
        if (query.contains("dir:s2c")) {
            matches = f -> cmd.equals(f.get("cmd")) && "S2C".equals(f.get("dir"));
        }
        assertSameOrder(expected(matches, sort.startsWith("-"), limit), found(query, sort, limit, null, null));
    }

    @ParameterizedTest(name = "since/until with {0}")
    @CsvSource({"-time", "time"})
    void sinceAndUntilWindowsAreExactToo(String sort) throws Exception {
        long since = 1_640_000_000_000_000L;
        long until = 1_640_000_300_000_000L;
        Predicate<Map<String, Object>> matches = f -> "MSG".equals(f.get("cmd")) && f.get("time") != null
                && micros(f) >= since && micros(f) <= until;
        List<String> expected = expected(matches, sort.startsWith("-"), 25);
        assertEquals(25, expected.size(), "the window holds enough hits to fill a page");
        assertSameOrder(expected, found("cmd:MSG", sort, 25, since, until));
    }

    /** Lists of hundreds of ids: say where they part, not both in full. */
    private static void assertSameOrder(List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                fail("hit " + i + " is " + actual.get(i) + ", expected " + expected.get(i) + " (after "
                        + expected.subList(Math.max(0, i - 3), i) + ")");
            }
        }
        assertEquals(expected.size(), actual.size(), "number of hits");
    }

    private static List<String> found(String query, String sort, int limit, Long since, Long until) throws Exception {
        FrameSearch.Result r = FrameSearch.search(searcher, new MsnQueryParser(Clock.nowMicros()).parseQuery(query),
                new FrameSearch.Options(limit, sort, since, until, null, "[", "]"));
        List<String> ids = new ArrayList<>();
        for (FrameSearch.Hit h : r.hits()) {
            ids.add(id(h.frame()));
        }
        return ids;
    }

    /** Every match sorted by time (frames without a time last, in recording order), the first {@code limit}. */
    private static List<String> expected(Predicate<Map<String, Object>> matches, boolean newest, int limit) {
        Comparator<Map<String, Object>> byTime = Comparator.comparingLong(NewestFirstTest::micros);
        Comparator<Map<String, Object>> timed = newest ? byTime.reversed() : byTime;
        Comparator<Map<String, Object>> untimed = Comparator.comparingInt(f -> recorded.get(f.get("stream") + "/" + f.get("seq")));
        List<Map<String, Object>> withTime = new ArrayList<>();
        List<Map<String, Object>> without = new ArrayList<>();
        for (Map<String, Object> f : frames) {
            if (matches.test(f)) {
                (f.get("time") == null ? without : withTime).add(f);
            }
        }
        withTime.sort(timed);
        without.sort(newest ? untimed.reversed() : untimed);
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> f : withTime) {
            ids.add(id(f));
        }
        for (Map<String, Object> f : without) {
            ids.add(id(f));
        }
        return ids.subList(0, Math.min(limit, ids.size()));
    }

    private static long micros(Map<String, Object> f) {
        return Times.parse(f.get("time").toString(), false, 0);
    }

    private static String id(Map<String, Object> f) {
        return f.get("session") + "/" + f.get("stream") + "/" + f.get("seq");
    }
}

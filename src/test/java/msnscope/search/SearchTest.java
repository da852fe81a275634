package msnscope.search;

import msnscope.wire.Clock;
import msnscope.capture.CaptureStore;
import msnscope.capture.Importer;
import msnscope.capture.PcapImport;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.export.FrameJson;
import msnscope.index.CaptureIndex;
import msnscope.pcap.ProgressListener;
import msnscope.support.Captures;
import msnscope.wire.FramerLimits;
import org.apache.lucene.search.IndexSearcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Searches over a real index on disk holding the three Escargot captures and every transcript. */
class SearchTest {

    @TempDir
    static Path dir;
    static CaptureIndex index;
    static IndexSearcher searcher;

    @BeforeAll
    static void importEverything() throws Exception {
        Dissector dissector = new Dissector(SpecLoader.builtIn());
        CaptureStore store = new CaptureStore(dir);
        Importer importer = new Importer(store, dissector, FramerLimits.DEFAULT);
        for (String p : List.of("escargot-msnp2", "escargot-msnp8", "escargot-msnp12")) {
            PcapImport.run(importer, Captures.DIR.resolve(p + ".pcap"), ProgressListener.NONE);
        }
        for (Path t : Captures.transcripts()) {
            importer.transcript(Captures.read(t), t.toString());
        }
        index = CaptureIndex.open(store, dissector);
        searcher = index.acquire();
    }

    @AfterAll
    static void close() throws Exception {
        index.release(searcher);
        index.close();
    }

    static FrameSearch.Result search(String q, FrameSearch.Options o) throws Exception {
        return FrameSearch.search(searcher, new MsnQueryParser(Clock.nowMicros()).parseQuery(q), o);
    }

    static FrameSearch.Result search(String q) throws Exception {
        return search(q, new FrameSearch.Options(1000, "-time", null, null, null, "[", "]"));
    }

    static List<Object> values(FrameSearch.Result r, String key) {
        List<Object> out = new ArrayList<>();
        r.hits().forEach(h -> out.add(h.frame().get(key)));
        return out;
    }

    @Test
    void lowerCaseCommandFindsTheUpperCaseCommand() throws Exception {
        FrameSearch.Result r = search("cmd:msg");
        assertTrue(r.total() > 10);
        assertTrue(values(r, "cmd").stream().allMatch("MSG"::equals));
        assertEquals(r.total(), search("cmd:MSG").total());
    }

    @Test
    void accountFindsEveryFrameOfThatLoginAndNoOther() throws Exception {
        FrameSearch.Result r = search("account:bob@example.com");
        assertTrue(r.total() > 50);
        for (FrameSearch.Hit h : r.hits()) {
            assertEquals("bob@example.com", h.frame().get("account"));
        }
        assertEquals(r.total(), search("account:BOB@Example.COM").total(), "handles are case-insensitive");
    }

    @Test
    void xfrOfOneAccountCombinesKeywordFields() throws Exception {
        FrameSearch.Result r = search("cmd:XFR AND account:alice@example.com");
        assertTrue(r.total() > 0);
        assertTrue(r.hits().stream().allMatch(h -> "XFR".equals(h.frame().get("cmd")) && "alice@example.com".equals(h.frame().get("account"))));
    }

    @Test
    void tridRangeIsANumericRange() throws Exception {
        FrameSearch.Result r = search("trid:[5 TO 9]");
        assertTrue(r.total() > 0);
        for (Object t : values(r, "trid")) {
            long v = ((Number) t).longValue();
            assertTrue(v >= 5 && v <= 9, "trid " + v);
        }
        assertTrue(values(search("trid:{5 TO 9}"), "trid").stream().noneMatch(t -> ((Number) t).longValue() == 5 || ((Number) t).longValue() == 9));
        assertTrue(values(search("trid:10"), "trid").stream().allMatch(t -> ((Number) t).longValue() == 10));
    }

    @Test
    void wordsOfAChatMessageFindTheMessageWithHighlights() throws Exception {
        FrameSearch.Result r = search("hello bob");
        assertFalse(r.hits().isEmpty());
        FrameSearch.Hit h = r.hits().get(0);
        assertEquals("MSG", h.frame().get("cmd"));
        assertTrue(String.valueOf(h.frame().get("payload")).contains("Hello Bob!"));
        assertEquals("[Hello Bob]! éè ☺", h.highlights().get("text"), "adjacent matches are one mark, and the message is not cut at its '!'");
        assertTrue(search("text:\"got it\"").total() >= 1, "phrase in the decoded message text");
    }

    @Test
    void countByCommandCountsEveryMatchFromDocValues() throws Exception {
        FrameSearch.Result r = search("account:alice@example.com", new FrameSearch.Options(10, "-time", null, null, "cmd", "[", "]"));
        assertTrue(r.counts().containsKey("MSG"));
        assertEquals(r.total(), r.counts().values().stream().mapToLong(Long::longValue).sum(), "every frame of a login has exactly one cmd");
        long[] last = {Long.MAX_VALUE};
        r.counts().values().forEach(v -> {
            assertTrue(v <= last[0], "most frequent first");
            last[0] = v;
        });
    }

    @Test
    void resultsAreNewestFirstAndSinceUntilCutByTime() throws Exception {
        FrameSearch.Result all = search("cmd:CHG");
        List<Long> times = new ArrayList<>();
        for (Object t : values(all, "time")) {
            if (t != null) {
                times.add(Times.parse(t.toString(), false, 0));
            }
        }
        assertTrue(times.size() > 2);
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i - 1) >= times.get(i), "newest first");
        }
        long mid = times.get(times.size() / 2);
        FrameSearch.Result since = search("cmd:CHG", new FrameSearch.Options(1000, "time", mid, null, null, "[", "]"));
        assertTrue(since.total() > 0 && since.total() < times.size());
        for (Object t : values(since, "time")) {
            assertTrue(Times.parse(t.toString(), false, 0) >= mid);
        }
        FrameSearch.Result until = search("cmd:CHG", new FrameSearch.Options(1000, "time", null, mid - 1, null, "[", "]"));
        assertEquals(times.size(), since.total() + until.total());
    }

    @Test
    void dateRangesAndLatencyUnitsAreUnderstood() throws Exception {
        assertEquals(0, search("time:[2001-01-01 TO 2001-12-31]").total());
        String first = String.valueOf(search("cmd:VER").hits().get(0).frame().get("time")).substring(0, 10);
        assertTrue(search("cmd:VER AND time:" + first).total() > 0, "a bare date is that whole day");
        FrameSearch.Result slow = search("latency:[1ms TO *]");
        for (FrameSearch.Hit h : slow.hits()) {
            assertTrue(((Number) ((Map<?, ?>) h.frame().get("fields")).get("latency-us")).longValue() >= 1000);
        }
    }

    @Test
    void peerWarningVersionAndContentTypeAreKeywordFields() throws Exception {
        assertTrue(search("peer:bob@example.com AND cmd:JOI AND account:alice@example.com").total() > 0);
        assertTrue(search("version:12").total() > 0);
        assertEquals(search("version:12").total(), search("version:msnp12").total());
        assertTrue(search("content-type:\"text/plain\"").total() > 0);
        assertTrue(search("warning:error-reply").total() > 0, "msnp12-errors.txt has error replies");
        assertTrue(search("error:911").total() > 0, "msnp12-errors.txt has a 911");
        assertEquals(search("error:911").total(), search("error:err_authentication_failed").total(), "code and name are both indexed");
    }

    @Test
    void jsonHitsHaveExactlyTheDissectContractKeys() throws Exception {
        FrameSearch.Hit h = search("cmd:USR").hits().get(0);
        assertEquals(List.of("session", "stream", "seq", "time", "dir", "role", "version", "cmd", "trid", "params", "raw", "payloadLength",
                "payload", "payloadBase64", "summary", "fields", "replyTo", "warnings", "rawBase64", "rewritten", "rewrittenBase64", "account"), new ArrayList<>(h.frame().keySet()),
                "the contract's keys in order, then extras");
        assertEquals(FrameJson.MAPPER.readTree(FrameJson.toLine(h.frame())).size(), h.frame().size());
    }

    @Test
    void badQueriesAreOneLineExplanations() {
        for (String q : List.of("cmd:(", "trid:[5 TO", "foo:bar", "trid:abc", "time:[yesterday TO *]", "\"hello", "a )", "text/plain", "x\\")) {
            QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> new MsnQueryParser(0).parseQuery(q), q);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().length() < 300, e.getMessage());
        }
    }

    @Test
    void blankStarAndStarColonStarMatchEveryFrame() throws Exception {
        long all = search("*:*", new FrameSearch.Options(10, "-time", null, null, "session", "[", "]")).counts().values().stream()
                .mapToLong(Long::longValue).sum();
        assertTrue(all > 500, "every frame of every capture: " + all);
        for (String q : List.of("*:*", "*", "", "   ")) {
            FrameSearch.Result r = search(q, new FrameSearch.Options(10, "-time", null, null, "cmd", "[", "]"));
            assertEquals(all, r.total(), q);
        }
        assertEquals(all, search("*:* AND NOT cmd:NOSUCH", new FrameSearch.Options(10, "-time", null, null, "dir", "[", "]")).total());
    }

    @Test
    void streamingEveryHitGivesEachFrameOnceInTheOrderOfALimitedSearch() throws Exception {
        for (String sort : List.of("-time", "time", "-trid", "relevance")) {
            FrameSearch.Options o = new FrameSearch.Options(1000, sort, null, null, null, "[", "]");
            org.apache.lucene.search.Query q = new MsnQueryParser(Clock.nowMicros()).parseQuery("cmd:MSG OR cmd:CHG OR cmd:USR");
            List<Object> expected = new ArrayList<>();
            for (FrameSearch.Hit h : FrameSearch.search(searcher, q, o).hits()) {
                expected.add(h.frame().get("session") + "/" + h.frame().get("stream") + "#" + h.frame().get("seq"));
            }
            assertTrue(expected.size() > 20 && expected.size() < 1000, sort + ": " + expected.size());
            List<Object> streamed = new ArrayList<>();
            // Pages of 7: many rounds, each continuing after the last hit of the one before.
            long n = FrameSearch.stream(searcher, q, o, h -> streamed.add(h.frame().get("session") + "/" + h.frame().get("stream") + "#"
                    + h.frame().get("seq")), 7);
            assertEquals(expected.size(), n);
            if (sort.equals("relevance")) {
                assertEquals(new java.util.HashSet<>(expected), new java.util.HashSet<>(streamed), "same hits; ties in score may swap");
                assertEquals(streamed.size(), new java.util.HashSet<>(streamed).size(), "none twice");
            } else {
                assertEquals(expected, streamed, sort);
            }
        }
    }

    @Test
    void countByErrorCountsEachErrorFrameOnce() throws Exception {
        FrameSearch.Result r = search("error:*", new FrameSearch.Options(10, "-time", null, null, "error", "[", "]"));
        assertTrue(r.total() >= 5, "msnp12-errors.txt has several error replies");
        assertEquals(r.total(), r.counts().values().stream().mapToLong(Long::longValue).sum(), r.counts().toString());
        assertTrue(r.counts().keySet().stream().allMatch(k -> k.chars().allMatch(Character::isDigit)), "codes, not names: " + r.counts());
        assertEquals(search("error:911").total(), search("error:ERR_AUTH*").total(), "the name is still searched by error:");
    }

    @Test
    void fieldNamesAndKeywordValuesAreCaseInsensitive() throws Exception {
        long msg = search("cmd:MSG").total();
        assertTrue(msg > 10);
        for (String q : List.of("cmd:msg", "CMD:MSG", "Cmd:Msg", "cmd:Ms*", "CMD:m?g")) {
            assertEquals(msg, search(q).total(), q);
        }
        assertEquals(search("account:bob@example.com").total(), search("ACCOUNT:Bob@Example.com").total());
    }

    @Test
    void queryMistakesAreExplainedInTheUsersTerms() {
        Map<String, List<String>> expected = Map.ofEntries(
                Map.entry("hello^", List.of("^ at character 6", "followed by a number")),
                Map.entry("hello~1.5", List.of("whole number of edits")),
                Map.entry("line:/.{0,100000}x/", List.of("too complex")),
                Map.entry("cmd:[A TO]", List.of("unexpected ']' at character 10", "range bound")),
                Map.entry("\"hello bob", List.of("character 1", "never closed")),
                Map.entry("cmd:MSG AND", List.of("ends too early", "'AND'", "expected a search term")),
                Map.entry("cmd:MSG )", List.of("unexpected ')'", "character 9")),
                Map.entry("trid:[5 TO", List.of("expected a range bound")),
                Map.entry("content-type:text/plain", List.of("character 18", "quote the value")),
                Map.entry("hello\\", List.of("escapes nothing")),
                Map.entry("*:bob", List.of("'*:*' matches every frame")),
                Map.entry("colour:red", List.of("unknown field 'colour'")));
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            QuerySyntaxException x = assertThrows(QuerySyntaxException.class, () -> new MsnQueryParser(0).parseQuery(e.getKey()), e.getKey());
            for (String part : e.getValue()) {
                assertTrue(x.getMessage().contains(part), e.getKey() + " -> " + x.getMessage());
            }
            for (String internal : List.of("Lexical", "lexical state", "Exception", "org.apache", "<EOF>", "Cannot parse", "\n")) {
                assertFalse(x.getMessage().contains(internal), e.getKey() + " -> " + x.getMessage());
            }
        }
    }

    @Test
    void highlightsSpanPunctuationAndNonAsciiAndMarkSymbols() throws Exception {
        FrameSearch.Hit phrase = search("text:\"Hello Bob! éè ☺\"").hits().get(0);
        assertEquals("[Hello Bob! éè ☺]", phrase.highlights().get("text"));
        FrameSearch.Hit words = search("bob éè").hits().get(0);
        assertEquals("Hello [Bob! éè] ☺", words.highlights().get("text"), "a word between matches keeps them apart, punctuation does not");
        FrameSearch.Result smiley = search("☺");
        assertTrue(smiley.total() >= 2, "a symbol is a word of its own");
        assertTrue(smiley.hits().stream().allMatch(h -> h.highlights().getOrDefault("text", "").contains("[☺]")), smiley.hits().toString());
        FrameSearch.Hit koeln = search("köln ça").hits().get(0);
        assertTrue(koeln.highlights().get("text").contains("[Köln! Ça]"), koeln.highlights().toString());
    }
}

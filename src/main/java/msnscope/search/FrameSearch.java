package msnscope.search;

import msnscope.index.FrameDocuments;
import msnscope.index.IndexFields;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectionTerminatedException;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexOrDocValuesQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PointRangeQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.TotalHitCountCollectorManager;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a search over frame documents: the query ({@link MsnQueryParser}), a time window, a sort, a
 * limit, highlighting of the text fields, and counts per value of a keyword field ({@code --count-by},
 * read from doc values: no stored field is loaded to count).
 */
public final class FrameSearch {

    /** How to search. {@code sort}: {@code time} (oldest first), {@code -time} (newest first, default), {@code relevance}, or {@code [-]trid|latency|length}. */
    public record Options(int limit, String sort, Long sinceMicros, Long untilMicros, String countBy, String markStart, String markEnd) {
        public static Options defaults() {
            return new Options(20, "-time", null, null, null, "«", "»");
        }
    }

    /** One matching frame: its JSON Lines object and highlighted snippets by field. */
    public record Hit(Map<String, Object> frame, Map<String, String> highlights) {
    }

    /** {@code total} is exact unless {@code atLeast}: sorted searches stop counting past 1,000 hits to stay fast. */
    public record Result(long total, List<Hit> hits, Map<String, Long> counts, boolean atLeast) {
        public Result(long total, List<Hit> hits, Map<String, Long> counts) {
            this(total, hits, counts, false);
        }
    }

    private FrameSearch() {
    }

    /** The query restricted to one document type and a time window. */
    public static Query build(Query user, String type, Long since, Long until) {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        b.add(user, BooleanClause.Occur.MUST);
        b.add(new TermQuery(new Term(IndexFields.TYPE, type)), BooleanClause.Occur.FILTER);
        if (since != null || until != null) {
            b.add(IndexFields.range(IndexFields.TIME, since == null ? Long.MIN_VALUE : since, until == null ? Long.MAX_VALUE : until),
                    BooleanClause.Occur.FILTER);
        }
        return b.build();
    }

    public static Sort sort(String spec) throws QuerySyntaxException {
        if (spec == null || spec.equals("relevance") || spec.equals("score")) {
            return spec == null ? sort("-time") : Sort.RELEVANCE;
        }
        boolean reverse = spec.startsWith("-");
        String field = reverse ? spec.substring(1) : spec;
        if (!IndexFields.NUMERIC.contains(field)) {
            throw new QuerySyntaxException("--sort takes time, -time, relevance, or [-]trid, [-]latency, [-]length; not '" + spec + "'");
        }
        return new Sort(IndexFields.sortField(field, reverse), IndexFields.sortField(IndexFields.ORDER, reverse));
    }

    public static Result search(IndexSearcher searcher, Query userQuery, Options o) throws IOException, QuerySyntaxException {
        Query q = build(userQuery, "frame", o.sinceMicros(), o.untilMicros());
        if (o.countBy() != null) {
            // Field names are case-insensitive, as in queries (--count-by editedby = --count-by editedBy).
            String field = IndexFields.COUNTABLE.stream().filter(f -> f.equalsIgnoreCase(o.countBy())).findFirst()
                    .orElseThrow(() -> new QuerySyntaxException("--count-by takes one of " + String.join(", ", IndexFields.COUNTABLE)
                            + "; not '" + o.countBy() + "'"));
            Map<String, Long> counts = count(searcher, q, field);
            long total = searcher.search(q, new TotalHitCountCollectorManager());
            return new Result(total, List.of(), counts);
        }
        Sort sort = sort(o.sort());
        int n = Math.max(1, o.limit());
        TopDocs top = page(searcher, q, n, sort, null);
        long total = countUpTo(searcher, q, TOTAL_HITS_THRESHOLD);
        List<Hit> hits = new ArrayList<>();
        Highlights highlights = new Highlights(o.markStart(), o.markEnd());
        for (ScoreDoc sd : top.scoreDocs) {
            hits.add(hit(searcher, sd, userQuery, highlights));
        }
        return new Result(total, hits, Map.of(), total >= TOTAL_HITS_THRESHOLD);
    }

    /** Takes each hit of {@link #stream} as it is found. */
    public interface HitSink {
        void accept(Hit hit) throws IOException;
    }

    /** Hits fetched per round by {@link #stream}: what it holds in memory at once, whatever the number of matches. */
    static final int PAGE = 1000;

    /**
     * Every hit in sort order (the limit is ignored), handed to {@code sink} one by one and fetched a page at a
     * time after the last one given out: memory stays bounded by a page on a store of millions of frames.
     * Returns the number of hits.
     */
    public static long stream(IndexSearcher searcher, Query userQuery, Options o, HitSink sink) throws IOException, QuerySyntaxException {
        return stream(searcher, userQuery, o, sink, PAGE);
    }

    static long stream(IndexSearcher searcher, Query userQuery, Options o, HitSink sink, int pageSize) throws IOException, QuerySyntaxException {
        Query q = build(userQuery, "frame", o.sinceMicros(), o.untilMicros());
        Sort sort = sort(o.sort());
        Highlights highlights = new Highlights(o.markStart(), o.markEnd());
        long n = 0;
        FieldDoc after = null;
        while (true) {
            TopDocs top = page(searcher, q, pageSize, sort, after);
            for (ScoreDoc sd : top.scoreDocs) {
                sink.accept(hit(searcher, sd, userQuery, highlights));
                n++;
            }
            if (top.scoreDocs.length < pageSize) {
                return n;
            }
            after = (FieldDoc) top.scoreDocs[top.scoreDocs.length - 1];
        }
    }

    /** The next {@code n} hits after {@code after} (null: the first), by {@link #byTime} when time leads the sort. */
    private static TopDocs page(IndexSearcher searcher, Query q, int n, Sort sort, FieldDoc after) throws IOException {
        if (after != null) {
            // A sort on time skips what cannot follow {@code after} by its points; the order field breaks ties.
            return searcher.searchAfter(after, q, n, sort, false);
        }
        String first = sort.getSort()[0].getField();
        return IndexFields.TIME.equals(first) ? byTime(searcher, q, n, sort) : searcher.search(q, n, sort, false);
    }

    private static Hit hit(IndexSearcher searcher, ScoreDoc sd, Query userQuery, Highlights highlights) throws IOException {
        Document doc = searcher.storedFields().document(sd.doc);
        Map<String, Object> frame = FrameDocuments.object(doc);
        return new Hit(frame, highlights.of(userQuery, frame));
    }

    /**
     * The first {@code n} hits by time (newest or oldest first), found in a time window at the end the sort
     * starts from, widened eightfold until it holds {@code n} hits. Exact: every frame outside the window
     * sorts after every frame inside it. Fast on a million frames without an index sort (which cost
     * indexing a fifth of its speed): the window's points bound the work to a few thousand documents
     * where a plain sorted search would compare every match.
     */
    static TopDocs byTime(IndexSearcher searcher, Query q, int n, Sort sort) throws IOException {
        boolean newest = sort.getSort()[0].getReverse();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long timed = 0;
        for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
            PointValues points = ctx.reader().getPointValues(IndexFields.TIME);
            if (points != null) {
                min = Math.min(min, LongPoint.decodeDimension(points.getMinPackedValue(), 0));
                max = Math.max(max, LongPoint.decodeDimension(points.getMaxPackedValue(), 0));
                timed += points.getDocCount();
            }
        }
        long[] bounds = {min, max};
        clip(q, bounds);
        min = bounds[0];
        max = bounds[1];
        double span = timed == 0 || min > max ? 0 : (double) max - min + 1;
        // A first window expected to hold DOCS_PER_HIT documents of any kind for each hit asked for.
        for (double width = Math.max(1, span * DOCS_PER_HIT * n / Math.max(1, timed)); width < span; width *= 8) {
            long lo = newest ? (long) (max - width) : min;
            long hi = newest ? max : (long) (min + width);
            Query windowed = new BooleanQuery.Builder().add(q, BooleanClause.Occur.MUST)
                    .add(IndexFields.range(IndexFields.TIME, lo, hi), BooleanClause.Occur.FILTER).build();
            TopFieldDocs top = searcher.search(windowed, n, sort, false);
            if (top.scoreDocs.length >= n) {
                return top;
            }
        }
        // The window reached every time (or there are none): frames without a time sort last, so search all.
        return searcher.search(q, n, sort, false);
    }

    /** Totals are exact up to here, then "at least": counting every match of cmd:MSG would cost more than finding the hits. */
    private static final int TOTAL_HITS_THRESHOLD = 1000;

    /**
     * Narrows {@code bounds} to the time ranges {@code q} requires ({@code time:[…]}, {@code --since}): the
     * windows then start where the hits can be, not at the newest frame of the index.
     */
    private static void clip(Query q, long[] bounds) {
        if (q instanceof BooleanQuery b) {
            for (BooleanClause c : b.clauses()) {
                if (c.getOccur() == BooleanClause.Occur.MUST || c.getOccur() == BooleanClause.Occur.FILTER) {
                    clip(c.getQuery(), bounds);
                }
            }
        } else if (q instanceof IndexOrDocValuesQuery iq && iq.getIndexQuery() instanceof PointRangeQuery r
                && r.getField().equals(IndexFields.TIME) && r.getNumDims() == 1) {
            bounds[0] = Math.max(bounds[0], LongPoint.decodeDimension(r.getLowerPoint(), 0));
            bounds[1] = Math.min(bounds[1], LongPoint.decodeDimension(r.getUpperPoint(), 0));
        }
    }

    /** A first time window holds this many documents per hit asked for: one pass for a query that matches one frame in 60. */
    private static final int DOCS_PER_HIT = 60;

    /** Hits of {@code q}, counted exactly up to {@code cap}: a total that costs at most {@code cap} documents. */
    static long countUpTo(IndexSearcher searcher, Query q, int cap) throws IOException {
        final class Capped extends SimpleCollector {
            long count;

            @Override
            protected void doSetNextReader(LeafReaderContext context) {
                if (count >= cap) {
                    throw new CollectionTerminatedException();
                }
            }

            @Override
            public void collect(int doc) {
                if (++count >= cap) {
                    throw new CollectionTerminatedException();
                }
            }

            @Override
            public ScoreMode scoreMode() {
                return ScoreMode.COMPLETE_NO_SCORES;
            }
        }
        Capped c = new Capped();
        searcher.search(q, c);
        return c.count;
    }

    /** Hits per value of a keyword field, most frequent first. */
    public static Map<String, Long> count(IndexSearcher searcher, Query q, String field) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        final class Counter extends SimpleCollector {
            private SortedSetDocValues values;
            private long[] perOrd;
            private SortedSetDocValues last;

            @Override
            protected void doSetNextReader(LeafReaderContext context) throws IOException {
                flush();
                values = DocValues.getSortedSet(context.reader(), field);
                last = values;
                perOrd = new long[(int) Math.min(Integer.MAX_VALUE - 8, values.getValueCount())];
            }

            @Override
            public void collect(int doc) throws IOException {
                if (values.advanceExact(doc)) {
                    for (int i = 0; i < values.docValueCount(); i++) {
                        perOrd[(int) values.nextOrd()]++;
                    }
                }
            }

            void flush() throws IOException {
                if (last == null) {
                    return;
                }
                for (int ord = 0; ord < perOrd.length; ord++) {
                    if (perOrd[ord] > 0) {
                        counts.merge(last.lookupOrd(ord).utf8ToString(), perOrd[ord], Long::sum);
                    }
                }
                last = null;
            }

            @Override
            public ScoreMode scoreMode() {
                return ScoreMode.COMPLETE_NO_SCORES;
            }

            @Override
            public void finish() throws IOException {
                flush();
            }
        }
        Counter counter = new Counter();
        searcher.search(q, counter);
        counter.flush();
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        Map<String, Long> sorted = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : entries) {
            sorted.put(e.getKey(), e.getValue());
        }
        return sorted;
    }
}

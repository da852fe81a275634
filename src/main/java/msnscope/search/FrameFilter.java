package msnscope.search;

import msnscope.dissect.Dissection;
import msnscope.dissect.RawDissections;
import msnscope.index.FrameDocuments;
import msnscope.index.IndexFields;
import msnscope.wire.Clock;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.memory.MemoryIndex;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A search query ({@link MsnQueryParser}) matched against one frame at a time, with no index on disk: what
 * {@code dissect --filter} and {@code proxy --filter} show, and what a rule's {@code match:} will select.
 *
 * <p>Each frame becomes the document the index would hold for it ({@link FrameDocuments#searchable}, the one
 * source of the fields) in a Lucene {@link MemoryIndex}, and the parsed query is run against that one
 * document. So a filter and {@code search} agree on every frame by construction: field names and case folding, analysed words and phrases (positions), wildcards, regular
 * expressions, fuzzy terms, numeric and date ranges, {@code error:} asking code and name, and a query of only
 * {@code NOT} clauses matching nothing, as it does in search.
 *
 * <p>Decision (issue 12: "MemoryIndex or a compiled predicate, measure which is faster"): MemoryIndex, because
 * a compiled predicate would re-implement the analyzers, phrase positions, wildcard and regexp automata and the
 * parser's field rules a second time, and every drift would make a filter disagree with {@code search}.
 * Measured by {@code msnscope bench} on the sample captures, one thread, each dissected frame, next to framing
 * plus full dissection in the same run (2 shared cores): {@code cmd:MSG AND dir:S2C} about 230,000 frames/s
 * (≈ 4 µs a frame, 0.38× full dissection), the words {@code hello OR "see you"} about 95,000 frames/s
 * (≈ 10 µs, 0.16×: the line, summary and decoded text are analysed). Two things made it so, from 0.13× for the
 * first version: each thread's MemoryIndex recycles its blocks (a fresh one allocated 64 KiB a frame), and
 * only the fields the query reads are put in it (which cannot change the answer: a query on {@code cmd} never
 * looks at {@code line}). That is far above what a console prints, and the work runs on the proxy's analysis
 * lane, never on the relay. A compiled predicate is worth writing only if a measured rules workload needs more.
 *
 * <p>Thread-safe: each thread reuses its own MemoryIndex (reset between frames).
 */
public final class FrameFilter {

    /** Block memory each thread's MemoryIndex keeps between frames instead of allocating it afresh (64 KiB a frame). */
    private static final long REUSED_BYTES = 1 << 20;

    private final String text;
    private final Query query;
    /** The fields the query looks at: only those are put in the MemoryIndex (a query never sees the others). */
    private final Set<String> fields;
    private final boolean all;
    /** Worked out once: the relay asks it for every frame. */
    private final msnscope.intercept.Interest interest;
    private final ThreadLocal<MemoryIndex> memory = ThreadLocal.withInitial(
            // The one public way to a MemoryIndex that recycles its blocks on reset(): built from an empty document.
            () -> MemoryIndex.fromDocument(List.of(), IndexFields.analyzer(), false, false, REUSED_BYTES));

    private FrameFilter(String text, Query query) {
        this.text = text;
        this.query = query;
        this.all = query instanceof MatchAllDocsQuery;
        this.fields = fieldsOf(query);
        this.interest = QueryInterest.of(query);
    }

    /** Every field {@code query} reads, NOT clauses included (Lucene's visitor skips them unless told otherwise). */
    private static Set<String> fieldsOf(Query query) {
        Set<String> out = new HashSet<>();
        query.visit(new QueryVisitor() {
            @Override
            public boolean acceptField(String field) {
                out.add(field);
                return false;
            }

            @Override
            public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
                return this;
            }
        });
        return Set.copyOf(out);
    }

    /**
     * The filter of {@code query}, in search syntax; a blank query, {@code *} and {@code *:*} match every frame.
     * Relative times ({@code time:[2h TO *]}) are taken from now, once.
     *
     * @throws QuerySyntaxException the one line {@code search} prints for the same mistake ({@code bad query: …})
     */
    public static FrameFilter parse(String query) throws QuerySyntaxException {
        // Search runs the query as FrameSearch.build(query, "frame", …): a MUST clause beside type:frame. Every frame
        // document is of type frame, so the query alone matches exactly the same frames (one of only NOT clauses
        // matches nothing either way).
        return new FrameFilter(query, new MsnQueryParser(Clock.nowMicros()).parseQuery(query));
    }

    /** The query as typed. */
    public String text() {
        return text;
    }

    /**
     * Whether the frame matches.
     *
     * @param account the login the frame belongs to, as the index records it: the dissection's own account, else
     *                its connection's ({@code VER} and {@code CVR} open a login before it names the account); null
     *                when not known
     */
    public boolean matches(Dissection d, String account) {
        if (all) {
            return true;
        }
        MemoryIndex index = memory.get();
        index.reset();
        for (IndexableField field : document(d, account)) {
            if (fields.contains(field.name())) {
                index.addField(field, IndexFields.analyzer());
            }
        }
        try {
            return index.createSearcher().count(query) > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an index in memory does no I/O
        }
    }

    /**
     * The frame's document; when building it fails on what the dissector made (a bug), the document of the raw
     * frame with a {@code dissector-failed} warning, as the index then holds it.
     */
    private Document document(Dissection d, String account) {
        try {
            // Handles are looked for only when the query asks about peers: finding them is a scan of every value.
            return FrameDocuments.searchable(d, account, fields.contains(IndexFields.PEER) ? FrameDocuments.peers(d, account) : Set.of());
        } catch (RuntimeException | StackOverflowError e) {
            Dissection raw = RawDissections.failed(d.session(), d.stream(), d.seq(), d.timeMicros(), d.direction(), d.role(),
                    d.version(), d.account(), d.frame(), e);
            return FrameDocuments.searchable(raw, account, Set.of());
        }
    }

    /**
     * The frames this filter could match, known from their command and direction alone (a {@code cmd:} or
     * {@code dir:} the query requires): the relay holds only those for a rule's verdict. Never narrower than
     * the query; anything it cannot read from the command and direction ({@code NOT cmd:MSG}, {@code text:x})
     * is any frame of that direction (a null set).
     */
    public msnscope.intercept.Interest interest() {
        return interest;
    }

    @Override
    public String toString() {
        return text;
    }
}

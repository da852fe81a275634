package msnscope.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The index's fields, declared once: the indexer writes them, the query parser and {@code --count-by}
 * read them, the README documents them. Every document has {@code type} ({@code frame},
 * {@code connection} or {@code session}) and a unique {@code key}.
 *
 * <table>
 * <caption>Fields of a frame document</caption>
 * <tr><th>field</th><th>kind</th><th>why</th></tr>
 * <tr><td>key</td><td>keyword</td><td>on connection ({@code s3/c2}) and session ({@code s3}) documents only: the
 *     term {@code updateDocument} replaces them by as their totals grow. Frames have none (a unique term per
 *     frame was the costliest field to index); a frame re-written at close is found by session and order</td></tr>
 * <tr><td>type</td><td>keyword</td><td>{@code frame}; searches filter on it</td></tr>
 * <tr><td>session, stream</td><td>keyword, lower-cased; doc values</td><td>{@code session:s3}, {@code stream:c2};
 *     exact ids, never analysed; doc values for {@code --count-by session}</td></tr>
 * <tr><td>cmd, dir, role, version, error</td><td>keyword, upper-cased at index and query time; doc values</td>
 *     <td>protocol tokens are upper-case on the wire, so {@code cmd:msg} finds {@code MSG}; {@code error} holds
 *     the code ({@code 911}), once per frame so {@code --count-by error} counts each error once, and
 *     {@code error-name} its name ({@code ERR_AUTHENTICATION_FAILED}, terms only), which a query on
 *     {@code error} searches too; {@code version:12} means {@code MSNP12}</td></tr>
 * <tr><td>account, peer, warning, content-type</td><td>keyword, lower-cased; doc values</td>
 *     <td>handles and MIME types are case-insensitive; one term per value so {@code account:bob@example.com}
 *     is exact and not split at {@code @}. {@code account} is the login the frame belongs to: the one logged in
 *     when it passed, else the one its connection went on to log in as (the {@code VER} opening bob's login is
 *     bob's), as the export shows it. {@code peer} = other handles the frame names (JOI, IRO, CAL, MSG
 *     sender, ADC N=…); {@code warning} = the dissector's warning codes</td></tr>
 * <tr><td>edited, editedBy, made</td><td>keyword, lower-cased; doc values</td><td>only on frames msnscope changed:
 *     {@code edited:true} on every frame a rule or the hook changed or msnscope made, {@code made:true} on those it
 *     made; {@code editedBy} who did it ({@code rule 2 (rules.yaml)}, {@code hook}), and a rule also by its number
 *     alone ({@code editedBy:"rule 2"})</td></tr>
 * <tr><td>trid, time, latency, length</td><td>LongPoint + NumericDocValues</td><td>points for range queries
 *     ({@code trid:[5 TO 9]}); doc values to sort by them. {@code time} is epoch microseconds (queries take
 *     dates), {@code latency} microseconds from request to this reply (units {@code us}, {@code ms}, {@code s}
 *     accepted in queries), {@code length} payload bytes</td></tr>
 * <tr><td>line, summary, text</td><td>analysed text (letter-or-digit words, lower-cased, and each symbol such as ☺ alone; no stop words), not stored</td>
 *     <td>full-text search: the command line, the dissector's sentence, and decoded payload text (chat
 *     messages, nicks, personal messages, decoded parameter values). Highlighting re-analyses the text
 *     of the rebuilt JSON object, so nothing is stored twice</td></tr>
 * <tr><td>frame</td><td>stored only</td><td>the frame's bytes and dissection in a compact binary form
 *     ({@code StoredFrame}), from which search rebuilds the JSON Lines object without touching the capture
 *     files</td></tr>
 * <tr><td>order</td><td>NumericDocValues</td><td>session number × 2³² + record number: ties on {@code time}
 *     sort in recording order</td></tr>
 * </table>
 *
 * Connection documents carry {@code key} {@code s3/c2}, session, stream, role, account, version and a
 * stored {@code json} (endpoints, referral, counts); session documents carry {@code key} {@code s3},
 * session, account, peer, version, time (start) and a stored {@code json} summary.
 */
public final class IndexFields {

    public static final String KEY = "key";
    public static final String TYPE = "type";
    public static final String JSON = "json";
    public static final String FRAME = "frame";
    public static final String ORDER = "order";
    public static final String SESSION = "session";
    public static final String STREAM = "stream";
    public static final String CMD = "cmd";
    public static final String DIR = "dir";
    public static final String ROLE = "role";
    public static final String VERSION = "version";
    public static final String ERROR = "error";
    /** The error's name ({@code ERR_AUTHENTICATION_FAILED}): searched by {@code error:}, not a field of its own to users. */
    public static final String ERROR_NAME = "error-name";
    public static final String ACCOUNT = "account";
    public static final String PEER = "peer";
    public static final String WARNING = "warning";
    public static final String CONTENT_TYPE = "content-type";
    /** {@code true} on a frame a rule or the hook changed, or msnscope made. */
    public static final String EDITED = "edited";
    /** Who changed or made the frame ({@code rule 2 (rules.yaml)}, {@code hook}). */
    public static final String EDITED_BY = "editedBy";
    /** A rule by its number alone ({@code rule 2}): searched by {@code editedBy:}, not a field of its own to users. */
    public static final String EDITED_RULE = "editedBy-rule";
    /** {@code true} on a frame msnscope made (a local answer, an injected frame). */
    public static final String MADE = "made";
    public static final String TRID = "trid";
    public static final String TIME = "time";
    public static final String LATENCY = "latency";
    public static final String LENGTH = "length";
    public static final String LINE = "line";
    public static final String SUMMARY = "summary";
    public static final String TEXT = "text";

    /** Keyword fields stored upper-case (protocol tokens). */
    public static final Set<String> UPPER = Set.of(CMD, DIR, ROLE, VERSION, ERROR, ERROR_NAME);
    /** Keyword fields stored lower-case (handles, ids, codes, MIME types). */
    public static final Set<String> LOWER = Set.of(SESSION, STREAM, ACCOUNT, PEER, WARNING, CONTENT_TYPE, TYPE, KEY, EDITED, EDITED_BY, EDITED_RULE, MADE);
    /** Numeric fields: points for ranges, doc values for sorting. */
    public static final Set<String> NUMERIC = Set.of(TRID, TIME, LATENCY, LENGTH);
    /** Analysed text fields, searched when a query names no field. */
    public static final List<String> TEXT_FIELDS = List.of(LINE, SUMMARY, TEXT);
    /** Fields {@code --count-by} accepts (keyword fields with doc values). */
    public static final List<String> COUNTABLE = List.of(CMD, DIR, ROLE, VERSION, ERROR, ACCOUNT, PEER, WARNING, CONTENT_TYPE,
            SESSION, STREAM, EDITED, EDITED_BY, MADE);

    private IndexFields() {
    }

    /**
     * A range of a numeric field, inclusive. Lucene answers it from the points or, when another clause
     * leads a conjunction (a term, a small time window), by checking the doc values of that clause's
     * documents only: a wide {@code time:[…]} never has to collect its hundreds of thousands of documents.
     */
    public static org.apache.lucene.search.Query range(String field, long lo, long hi) {
        return new org.apache.lucene.search.IndexOrDocValuesQuery(org.apache.lucene.document.LongPoint.newRangeQuery(field, lo, hi),
                org.apache.lucene.document.NumericDocValuesField.newSlowRangeQuery(field, lo, hi));
    }

    /** A long sort field whose missing values sort last either way. */
    public static org.apache.lucene.search.SortField sortField(String field, boolean reverse) {
        org.apache.lucene.search.SortField f = new org.apache.lucene.search.SortField(field, org.apache.lucene.search.SortField.Type.LONG, reverse);
        f.setMissingValue(reverse ? Long.MIN_VALUE : Long.MAX_VALUE);
        return f;
    }

    /** The value a keyword field holds for {@code value}: the same case folding as the query analyzer. */
    public static String normalize(String field, String value) {
        if (UPPER.contains(field)) {
            String v = value.toUpperCase(Locale.ROOT);
            return field.equals(VERSION) && !v.isEmpty() && Character.isDigit(v.charAt(0)) ? "MSNP" + v : v;
        }
        return LOWER.contains(field) ? value.toLowerCase(Locale.ROOT) : value;
    }

    /**
     * True when {@code s} between {@code from} and {@code to} holds a word or symbol of the text fields (as
     * {@link WordTokenizer} splits them): what separates two highlighted matches that are not one phrase.
     */
    public static boolean hasWord(CharSequence s, int from, int to) {
        return WordTokenizer.hasToken(s, from, to);
    }

    public static boolean isKeyword(String field) {
        return UPPER.contains(field) || LOWER.contains(field);
    }

    /**
     * Per-field analysis for indexing and queries: the whole value as one term, case-folded, for keyword
     * fields; {@link WordAnalyzer} (letters and digits, lower-cased, no stop words) for text.
     */
    public static Analyzer analyzer() {
        return SHARED;
    }

    /** Analyzers are thread-safe and reuse their token streams per thread: one instance serves everything. */
    private static final Analyzer SHARED = build();

    private static Analyzer build() {
        Map<String, Analyzer> perField = new HashMap<>();
        Analyzer upper = new CaseKeywordAnalyzer(true, false);
        Analyzer version = new CaseKeywordAnalyzer(true, true);
        Analyzer lower = new CaseKeywordAnalyzer(false, false);
        for (String f : UPPER) {
            perField.put(f, f.equals(VERSION) ? version : upper);
        }
        for (String f : LOWER) {
            perField.put(f, lower);
        }
        return new PerFieldAnalyzerWrapper(new WordAnalyzer(), perField);
    }

    /**
     * Text analysis: runs of letters and digits, lower-cased. Several times faster than StandardAnalyzer's
     * UAX#29 rules, which matters at 50,000 frames/s, and right for MSNP text: {@code bob@example.com}
     * becomes {@code bob example com} (a phrase query finds it), {@code Hello Bob!} becomes {@code hello bob},
     * and no stop words are dropped.
     */
    static final class WordAnalyzer extends Analyzer {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            return new TokenStreamComponents(new WordTokenizer());
        }

        @Override
        protected TokenStream normalize(String fieldName, TokenStream in) {
            return new LowerCaseFilter(in);
        }
    }

    /** One token per value, folded to upper or lower case; {@code normalize} applies to wildcard and prefix terms too. */
    static final class CaseKeywordAnalyzer extends Analyzer {
        private final boolean upper;
        private final boolean version;

        CaseKeywordAnalyzer(boolean upper, boolean version) {
            this.upper = upper;
            this.version = version;
        }

        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer t = new KeywordTokenizer();
            return new TokenStreamComponents(t, fold(t));
        }

        @Override
        protected TokenStream normalize(String fieldName, TokenStream in) {
            return fold(in);
        }

        private TokenStream fold(TokenStream in) {
            TokenStream s = upper ? new UpperCaseFilter(in) : new LowerCaseFilter(in);
            return version ? new VersionPrefixFilter(s) : s;
        }
    }

    /** {@code 12} → {@code MSNP12}, so {@code version:12} and {@code version:msnp12} are the same query. */
    static final class VersionPrefixFilter extends org.apache.lucene.analysis.TokenFilter {
        private final org.apache.lucene.analysis.tokenattributes.CharTermAttribute term =
                addAttribute(org.apache.lucene.analysis.tokenattributes.CharTermAttribute.class);

        VersionPrefixFilter(TokenStream in) {
            super(in);
        }

        @Override
        public boolean incrementToken() throws java.io.IOException {
            if (!input.incrementToken()) {
                return false;
            }
            if (term.length() > 0 && Character.isDigit(term.charAt(0))) {
                String v = "MSNP" + term;
                term.setEmpty().append(v);
            }
            return true;
        }
    }
}

package msnscope.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import msnscope.dissect.Dissection;
import msnscope.dissect.Warning;
import msnscope.dissect.payload.MimePayload;
import msnscope.export.FrameJson;
import msnscope.wire.Frame;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.InvertableType;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static msnscope.index.IndexFields.*;

/** Builds the Lucene documents of {@link IndexFields} from dissected frames. Stateless. */
public final class FrameDocuments {

    /** Payload text indexed per frame; the rest of a huge payload is still in the capture. */
    private static final int MAX_TEXT = 32 * 1024;
    private static final Set<String> SKIP = Set.of("format", "headers", "content-type", "charset", "line-endings", "decoder");
    /** Analysed, not stored, no norms: results sort by time, so length normalisation would only cost a flush step. */
    private static final FieldType TEXT_TYPE = textType();

    private FrameDocuments() {
    }

    private static FieldType textType() {
        FieldType t = new FieldType(TextField.TYPE_NOT_STORED);
        t.setOmitNorms(true);
        t.freeze();
        return t;
    }

    /**
     * The frame document. Frames carry no {@code key} term: a unique term per frame was the costliest field
     * to index, and the rare re-write of a frame (a request found unanswered, a frame indexed before its
     * connection turned out to be a dispatch server or named its account) finds it by {@link #frameQuery} instead.
     *
     * @param account the login the frame belongs to (its connection's, also for frames before the login named
     *                it): indexed and stored in place of the dissection's own
     * @param order session number × 2³² + record number, for stable sorting
     * @param peers the frame's {@link #peers}, which the caller has already collected for the session
     */
    public static Document frame(Dissection d, String account, long order, Collection<String> peers) {
        Document doc = searchable(d, account, peers);
        doc.add(new NumericDocValuesField(ORDER, order));
        // The dissection, stored compactly (LZ4-compressed by the codec): search rebuilds the JSON Lines object
        // from it, with the login's account as an extra after the contract's keys.
        doc.add(new StoredField(FRAME, new BytesRef(StoredFrame.encode(d, account))));
        return doc;
    }

    /**
     * The fields a query can ask about, exactly as {@link #frame} indexes them, without what only the index
     * needs (the sort order, the stored frame): what a query is matched against one frame at a time
     * ({@code msnscope.search.FrameFilter}), so a filter and a search never disagree about a field.
     */
    public static Document searchable(Dissection d, String account, Collection<String> peers) {
        Document doc = new Document();
        Frame f = d.frame();
        // Exact ids and protocol tokens: one un-analysed term each, case-folded as the query analyzer does.
        keyword(doc, TYPE, "frame", false);
        keyword(doc, SESSION, d.session(), true);
        keyword(doc, STREAM, d.stream(), true);
        keyword(doc, CMD, d.command(), true);
        keyword(doc, DIR, d.direction().name(), true);
        keyword(doc, ROLE, d.role() == null ? null : d.role().name(), true);
        keyword(doc, VERSION, d.version() == null ? null : "MSNP" + d.version(), true);
        keyword(doc, ACCOUNT, account, true);
        if (f.isError()) {
            // The code alone under error (one value per frame: --count-by error counts each error once); the name
            // beside it, which queries on error also search.
            keyword(doc, ERROR, d.command(), true);
            Object name = d.fields().get("error-name");
            keyword(doc, ERROR_NAME, name == null ? null : name.toString(), false);
        }
        for (String peer : peers) {
            keyword(doc, PEER, peer, true);
        }
        Set<String> codes = new LinkedHashSet<>();
        for (Warning w : d.warnings()) {
            codes.add(w.code());
        }
        for (String c : codes) {
            keyword(doc, WARNING, c, true);
        }
        keyword(doc, CONTENT_TYPE, contentType(d), true);
        edit(doc, d.edit());
        // Numbers: points answer ranges, doc values sort.
        number(doc, TRID, d.trid());
        number(doc, TIME, d.timeMicros());
        Object latency = d.fields().get("latency-us");
        number(doc, LATENCY, latency instanceof Number n ? n.longValue() : null);
        number(doc, LENGTH, f.hasPayload() ? (long) f.payloadLength() : null);
        // Full text: analysed, not stored (highlighting re-analyses the text rebuilt from the stored frame).
        String line = f.line();
        doc.add(new Field(LINE, line, TEXT_TYPE));
        doc.add(new Field(SUMMARY, d.summary() == null ? "" : d.summary(), TEXT_TYPE));
        String text = text(line, d.fields(), payloadText(d));
        if (!text.isEmpty()) {
            doc.add(new Field(TEXT, text, TEXT_TYPE));
        }
        return doc;
    }

    /**
     * The edit's fields; none on an unedited frame (nearly all), so they cost an unedited frame nothing and
     * {@code * AND NOT edited:true} finds the frames that went through unchanged.
     */
    private static void edit(Document doc, msnscope.wire.Edit e) {
        if (e == null) {
            return;
        }
        keyword(doc, EDITED, "true", true);
        if (e.made()) {
            keyword(doc, MADE, "true", true);
        }
        if (e.by() != null) {
            keyword(doc, EDITED_BY, e.by(), true);
            // "rule 2 (rules.yaml)" is also found as "rule 2": what a user remembers of the rule.
            int paren = e.by().indexOf(" (");
            if (paren > 0) {
                keyword(doc, EDITED_RULE, e.by().substring(0, paren), false);
            }
        }
    }

    /** The frame document of {@code order} in {@code session}: what a re-written frame replaces. */
    public static Query frameQuery(String session, long order) {
        return new BooleanQuery.Builder()
                .add(new TermQuery(new Term(SESSION, IndexFields.normalize(SESSION, session))), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(TYPE, "frame")), BooleanClause.Occur.FILTER)
                .add(NumericDocValuesField.newSlowExactQuery(ORDER, order), BooleanClause.Occur.FILTER)
                .build();
    }

    /** The stored JSON of connection and session documents, UTF-8 straight from Jackson. */
    static BytesRef jsonBytes(Object value) {
        try {
            return new BytesRef(FrameJson.MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The JSON of a stored document: a frame's JSON Lines object rebuilt from its {@link StoredFrame}, or the
     * JSON a connection or session document stores as it is.
     */
    public static String json(Document doc) {
        BytesRef frame = doc.getBinaryValue(FRAME);
        if (frame != null) {
            return StoredFrame.json(frame);
        }
        BytesRef b = doc.getBinaryValue(JSON);
        return b == null ? doc.get(JSON) : b.utf8ToString();
    }

    /** {@link #json} as a map, keys in order; a frame's is built from its {@link StoredFrame} without JSON text. */
    public static Map<String, Object> object(Document doc) {
        BytesRef frame = doc.getBinaryValue(FRAME);
        if (frame != null) {
            return StoredFrame.object(frame);
        }
        try {
            return FrameJson.MAPPER.readValue(json(doc), new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored document in the index is damaged: run msnscope reindex", e);
        }
    }

    static void keyword(Document doc, String field, String value, boolean docValues) {
        if (value == null || value.isEmpty()) {
            return;
        }
        // Lucene refuses terms over 32 KiB; no handle, code or MIME type comes near MAX_KEYWORD, so a longer
        // value is garbage: keep its start.
        String folded = normalize(field, value);
        BytesRef v = new BytesRef(folded.length() > MAX_KEYWORD ? folded.substring(0, MAX_KEYWORD) : folded);
        // One field object carries the term and the doc value: IndexWriter looks each field up per document.
        // Single-valued fields get the cheaper SortedDocValues; --count-by reads both through getSortedSet.
        doc.add(new KeywordValue(field, v, !docValues ? KEYWORD : MULTI.contains(field) ? KEYWORD_SORTED_SET : KEYWORD_SORTED));
    }

    /** A term and its doc value; inverted as one binary term, as {@link StringField} is, not through a token stream. */
    private static final class KeywordValue extends Field {
        KeywordValue(String name, BytesRef value, FieldType type) {
            super(name, value, type);
        }

        @Override
        public InvertableType invertableType() {
            return InvertableType.BINARY;
        }
    }

    /** Longest keyword value indexed, in characters (at most 3 UTF-8 bytes each, far under Lucene's 32 KiB). */
    static final int MAX_KEYWORD = 1024;

    /** Keyword fields that may hold several values in one document. */
    private static final Set<String> MULTI = Set.of(PEER, WARNING, ACCOUNT);

    private static final FieldType KEYWORD = keywordType(DocValuesType.NONE);
    private static final FieldType KEYWORD_SORTED = keywordType(DocValuesType.SORTED);
    private static final FieldType KEYWORD_SORTED_SET = keywordType(DocValuesType.SORTED_SET);
    private static final FieldType LONG = longType();

    /** {@link StringField}'s indexing (one term, no norms), plus doc values of {@code dv}. */
    private static FieldType keywordType(DocValuesType dv) {
        FieldType t = new FieldType(StringField.TYPE_NOT_STORED);
        t.setDocValuesType(dv);
        t.freeze();
        return t;
    }

    /** {@link LongPoint} plus {@link NumericDocValuesField} in one field type. */
    private static FieldType longType() {
        FieldType t = new FieldType();
        t.setDimensions(1, Long.BYTES);
        t.setDocValuesType(DocValuesType.NUMERIC);
        t.freeze();
        return t;
    }

    static void number(Document doc, String field, Long value) {
        if (value == null) {
            return;
        }
        doc.add(new LongValue(field, value));
    }

    /** A long indexed as a point (ranges) and a numeric doc value (sorting) by one field object. */
    private static final class LongValue extends Field {
        LongValue(String name, long value) {
            super(name, LONG);
            fieldsData = value;
        }

        @Override
        public BytesRef binaryValue() {
            byte[] packed = new byte[Long.BYTES];
            NumericUtils.longToSortableBytes((Long) fieldsData, packed, 0);
            return new BytesRef(packed);
        }
    }

    /** The payload as the JSON object's {@code payload} text, when no decoder took it apart (else not needed). */
    private static String payloadText(Dissection d) {
        Frame f = d.frame();
        if (d.fields().get("payload") instanceof Map<?, ?> || !f.hasPayload()) {
            return null;
        }
        byte[] payload = f.payload();
        return FrameJson.isText(payload) ? new String(payload, StandardCharsets.UTF_8) : null;
    }

    /** {@link #text(String, Object, String)} of a stored JSON object: what highlighting re-analyses. */
    public static String text(Map<String, Object> json) {
        return text(String.valueOf(json.get("raw")), json.get("fields"), json.get("payload") instanceof String p ? p : null);
    }

    /**
     * Decoded payload and parameter text of a frame: the body of a text message (headers dropped), other
     * text payloads with XML tags removed, and every decoded string value that is not already on the line
     * (nicks, personal messages). {@code payload} is the payload as text, used when {@code fields} holds
     * no decoded payload.
     */
    static String text(String raw, Object fields, String payload) {
        StringBuilder sb = new StringBuilder();
        Map<?, ?> decoded = fields instanceof Map<?, ?> m && m.get("payload") instanceof Map<?, ?> p ? p : null;
        if (decoded != null) {
            // The payload decoder's output: the content (message text, typing user, PSM…), not the MIME plumbing.
            Object content = decoded.get("content");
            if (content != null) {
                strings(content, raw, sb);
            }
        } else if (payload != null) {
            int blank = payload.indexOf("\r\n\r\n");
            boolean mime = blank > 0 && payload.regionMatches(true, 0, "MIME-Version", 0, 12);
            sb.append(stripTags(mime ? payload.substring(blank + 4) : payload).trim());
        }
        if (fields instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!"payload".equals(e.getKey())) {
                    strings(e.getValue(), raw, sb);
                }
            }
        }
        String t = sb.toString().strip();
        return t.length() > MAX_TEXT ? t.substring(0, MAX_TEXT) : t;
    }

    private static void strings(Object v, String raw, StringBuilder sb) {
        if (v instanceof String s) {
            if (!s.isEmpty() && sb.length() < MAX_TEXT && !raw.contains(s)) {
                sb.append('\n').append(stripTags(s));
            }
        } else if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                // Presentation details (font, colour) and raw headers are not what people search for.
                if (!SKIP.contains(String.valueOf(e.getKey()))) {
                    strings(e.getValue(), raw, sb);
                }
            }
        } else if (v instanceof List<?> l) {
            for (Object o : l) {
                strings(o, raw, sb);
            }
        }
    }

    /** Every {@code <...>} replaced by a space, as the regex {@code <[^>]*>} would; an unclosed {@code <} stays. */
    static String stripTags(String s) {
        int lt = s.indexOf('<');
        if (lt < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int from = 0;
        for (int gt; lt >= 0 && (gt = s.indexOf('>', lt + 1)) >= 0; lt = s.indexOf('<', from)) {
            sb.append(s, from, lt).append(' ');
            from = gt + 1;
        }
        return sb.append(s, from, s.length()).toString();
    }

    /** Handles the frame names other than {@code account} (the login it belongs to), lower-cased: parameters and decoded values. */
    public static Set<String> peers(Dissection d, String account) {
        Set<String> out = new LinkedHashSet<>();
        String self = account == null ? "" : account.toLowerCase(Locale.ROOT);
        for (String p : d.params()) {
            collectHandles(p, self, out);
        }
        collectHandles(d.fields().values(), self, out);
        return out;
    }

    private static void collectHandles(Object v, String self, Set<String> out) {
        if (v instanceof String s) {
            if (out.size() <= 64) {
                Handles.find(s, h -> {
                    String lower = h.toLowerCase(Locale.ROOT);
                    if (!lower.equals(self)) {
                        out.add(lower);
                    }
                });
            }
        } else if (v instanceof Map<?, ?> map) {
            collectHandles(map.values(), self, out);
        } else if (v instanceof Collection<?> c) {
            for (Object o : c) {
                collectHandles(o, self, out);
            }
        }
    }

    /** MIME type of a payload without parameters: from the payload decoder's fields, else the Content-Type header. */
    static String contentType(Dissection d) {
        Object p = d.fields().get("payload");
        if (p instanceof Map<?, ?> m && m.get("content-type") instanceof String ct) {
            return stripParams(ct);
        }
        Frame f = d.frame();
        String header = f.hasPayload() ? MimePayload.headerContentType(f.payload()) : null;
        return header == null ? null : header.toLowerCase(Locale.ROOT);
    }

    private static String stripParams(String ct) {
        int semi = ct.indexOf(';');
        String t = (semi >= 0 ? ct.substring(0, semi) : ct).trim().toLowerCase(Locale.ROOT);
        return t.isEmpty() ? null : t;
    }
}

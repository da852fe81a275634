package msnscope.search;

import msnscope.dissect.payload.Decimal;
import msnscope.index.IndexFields;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.queryparser.classic.TokenMgrError;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lucene's classic query syntax over {@link IndexFields}: unqualified words search the text fields
 * (line, summary, decoded text) and must all match (default AND); keyword fields are case-folded like the
 * index; {@code trid}, {@code time}, {@code latency} and {@code length} become point queries, with dates
 * for {@code time} ({@code time:[2024-01-01 TO 2024-12-31]}, {@code time:2024-09-28} = that day) and
 * units for {@code latency} ({@code latency:[100ms TO *]}; bare numbers are microseconds). Field names
 * are case-insensitive; a blank query, {@code *} and {@code *:*} match everything. An unknown field or a
 * syntax error is a {@link QuerySyntaxException} with one line in the user's terms ({@link QueryMistakes}).
 */
public final class MsnQueryParser extends MultiFieldQueryParser {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|ms|s)?");
    private static final String HINT = "syntax: field:value, \"a phrase\", AND / OR / NOT, (groups), wildcards ms*, ranges trid:[5 TO 9]";

    private final long nowMicros;

    public MsnQueryParser(long nowMicros) {
        super(IndexFields.TEXT_FIELDS.toArray(new String[0]), IndexFields.analyzer());
        this.nowMicros = nowMicros;
        setDefaultOperator(QueryParser.AND_OPERATOR);
        setAllowLeadingWildcard(true);
    }

    /** Every field a query may name. */
    public static Set<String> fields() {
        Set<String> all = new TreeSet<>();
        all.addAll(IndexFields.UPPER);
        all.addAll(IndexFields.LOWER);
        all.addAll(IndexFields.NUMERIC);
        all.addAll(IndexFields.TEXT_FIELDS);
        all.remove(IndexFields.KEY);
        all.remove(IndexFields.TYPE);
        all.remove(IndexFields.ERROR_NAME);
        all.remove(IndexFields.EDITED_RULE);
        return all;
    }

    /** The fields by their lower-cased names: what a query may type in any case ({@code editedby:} = {@code editedBy:}). */
    private static final java.util.Map<String, String> BY_LOWER_NAME = byLowerName();

    private static java.util.Map<String, String> byLowerName() {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (String f : fields()) {
            m.put(f.toLowerCase(java.util.Locale.ROOT), f);
        }
        return java.util.Map.copyOf(m);
    }

    /**
     * Fields a query on one field also asks, under names users never type: {@code error} the error's name,
     * {@code editedBy} a rule by its number alone ({@code editedBy:"rule 2"} finds {@code rule 2 (rules.yaml)}).
     */
    private static final java.util.Map<String, String> ALSO = java.util.Map.of(IndexFields.ERROR, IndexFields.ERROR_NAME,
            IndexFields.EDITED_BY, IndexFields.EDITED_RULE);

    /**
     * Parses {@code text}; throws a one-line explanation on any mistake. A blank query, {@code *} and
     * {@code *:*} match every frame.
     */
    public Query parseQuery(String text) throws QuerySyntaxException {
        if (text == null || text.isBlank()) {
            return new MatchAllDocsQuery();
        }
        String lexical = QueryMistakes.lexical(text);
        if (lexical != null) {
            throw new QuerySyntaxException("bad query: " + lexical);
        }
        try {
            return parse(text);
        } catch (ParseException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof QuerySyntaxException q) {
                    throw new QuerySyntaxException("bad query: " + q.getMessage());
                }
            }
            String why = QueryMistakes.explain(e, text);
            throw new QuerySyntaxException("bad query: " + why + (why.contains("expected") ? "" : "; " + HINT));
        } catch (TokenMgrError e) {
            throw new QuerySyntaxException("bad query: " + QueryMistakes.explain(e, text) + "; " + HINT);
        } catch (TooComplexToDeterminizeException e) {
            throw new QuerySyntaxException("bad query: a regular expression /…/ in it is too complex to run; make it simpler");
        } catch (IllegalArgumentException e) {
            throw new QuerySyntaxException("bad query: " + QueryMistakes.firstLine(e.getMessage()));
        }
    }

    /**
     * The field as the index names it: field names are case-insensitive ({@code CMD:msg} = {@code cmd:msg});
     * an unknown one is refused with the list of known ones.
     */
    private String field(String field) throws ParseException {
        if (field == null) {
            return null;
        }
        String f = BY_LOWER_NAME.get(field.toLowerCase(java.util.Locale.ROOT));
        if (f == null) {
            throw wrap(field.equals("*") ? "'*:' only goes with '*' ('*:*' matches every frame)"
                    : "unknown field '" + field + "' (fields: " + String.join(", ", fields()) + ")");
        }
        return f;
    }

    private static ParseException wrap(String message) {
        ParseException p = new ParseException(message);
        p.initCause(new QuerySyntaxException(message));
        return p;
    }

    /** A sub-query on one field; {@code error} asks both the code and the name ({@code error-name}), and so on ({@link #ALSO}). */
    private interface OnField {
        Query on(String field) throws ParseException;
    }

    private static Query alsoAsked(String field, OnField q) throws ParseException {
        String also = field == null ? null : ALSO.get(field);
        if (also == null) {
            return q.on(field);
        }
        Query code = q.on(field);
        Query name = q.on(also);
        if (code == null || name == null) {
            return code == null ? name : code;
        }
        return new BooleanQuery.Builder().add(code, BooleanClause.Occur.SHOULD).add(name, BooleanClause.Occur.SHOULD).build();
    }

    @Override
    protected Query getFieldQuery(String typed, String queryText, boolean quoted) throws ParseException {
        String field = field(typed);
        if (field != null && IndexFields.NUMERIC.contains(field)) {
            if (field.equals(IndexFields.TIME) && !queryText.chars().allMatch(Character::isDigit)) {
                return IndexFields.range(field, number(field, queryText, false), number(field, queryText, true));
            }
            long v = number(field, queryText, false);
            return IndexFields.range(field, v, v);
        }
        return alsoAsked(field, f -> super.getFieldQuery(f, queryText, quoted));
    }

    @Override
    protected Query getFieldQuery(String typed, String queryText, int slop) throws ParseException {
        return alsoAsked(field(typed), f -> super.getFieldQuery(f, queryText, slop));
    }

    @Override
    protected Query getRangeQuery(String typed, String part1, String part2, boolean startInclusive, boolean endInclusive)
            throws ParseException {
        String field = field(typed);
        if (field != null && IndexFields.NUMERIC.contains(field)) {
            boolean openLow = part1 == null || part1.equals("*");
            boolean openHigh = part2 == null || part2.equals("*");
            long lo = openLow ? Long.MIN_VALUE : number(field, part1, false);
            long hi = openHigh ? Long.MAX_VALUE : number(field, part2, true);
            // An exclusive bound at the end of the long range leaves nothing (not an overflow to the other end).
            if (!startInclusive && !openLow) {
                if (lo == Long.MAX_VALUE) {
                    return new MatchNoDocsQuery("nothing is above " + lo);
                }
                lo++;
            }
            if (!endInclusive && !openHigh) {
                if (hi == Long.MIN_VALUE) {
                    return new MatchNoDocsQuery("nothing is below " + hi);
                }
                hi--;
            }
            return IndexFields.range(field, lo, hi);
        }
        if (field != null && IndexFields.isKeyword(field)) {
            return alsoAsked(field, f -> super.getRangeQuery(f, part1 == null ? null : IndexFields.normalize(f, part1),
                    part2 == null ? null : IndexFields.normalize(f, part2), startInclusive, endInclusive));
        }
        return super.getRangeQuery(field, part1, part2, startInclusive, endInclusive);
    }

    @Override
    protected Query getWildcardQuery(String typed, String termStr) throws ParseException {
        // '*' alone or '*:*': every frame (Lucene's own match-all syntax; the bare star is what users type).
        if ("*".equals(termStr) && (typed == null || typed.equals("*"))) {
            return new MatchAllDocsQuery();
        }
        return alsoAsked(field(typed), f -> super.getWildcardQuery(f, termStr));
    }

    @Override
    protected Query getPrefixQuery(String typed, String termStr) throws ParseException {
        return alsoAsked(field(typed), f -> super.getPrefixQuery(f, termStr));
    }

    @Override
    protected Query getFuzzyQuery(String typed, String termStr, float minSimilarity) throws ParseException {
        return alsoAsked(field(typed), f -> super.getFuzzyQuery(f, termStr, minSimilarity));
    }

    @Override
    protected Query getRegexpQuery(String typed, String termStr) throws ParseException {
        return alsoAsked(field(typed), f -> super.getRegexpQuery(f, termStr));
    }

    private long number(String field, String text, boolean upper) throws ParseException {
        try {
            if (field.equals(IndexFields.TIME)) {
                return Times.parse(text, upper, nowMicros);
            }
            if (field.equals(IndexFields.LATENCY)) {
                Matcher m = DURATION.matcher(text);
                if (m.matches()) {
                    double v = Double.parseDouble(m.group(1));
                    String unit = m.group(2) == null ? "us" : m.group(2);
                    return Math.round(v * switch (unit) {
                        case "ms" -> 1_000d;
                        case "s" -> 1_000_000d;
                        default -> 1d;
                    });
                }
            }
            Long v = Decimal.signed(text);
            if (v == null) {
                boolean digits = text.matches("-?[0-9]+");
                throw wrap(digits ? field + " values are between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE + ", not '" + text + "'"
                        : field + " takes a number" + (field.equals(IndexFields.LATENCY) ? " with an optional unit (us, ms, s)" : "")
                        + ", not '" + text + "'");
            }
            return v;
        } catch (IllegalArgumentException e) {
            throw wrap(e.getMessage());
        }
    }
}

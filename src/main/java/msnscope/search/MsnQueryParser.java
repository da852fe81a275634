package msnscope.search;

import msnscope.dissect.payload.Decimal;
import msnscope.index.IndexFields;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.queryparser.classic.TokenMgrError;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lucene's classic query syntax over {@link IndexFields}: unqualified words search the text fields
 * (line, summary, decoded text) and must all match (default AND); keyword fields are case-folded like the
 * index; {@code trid}, {@code time}, {@code latency} and {@code length} become point queries, with dates
 * for {@code time} ({@code time:[2024-01-01 TO 2024-12-31]}, {@code time:2024-09-28} = that day) and
 * units for {@code latency} ({@code latency:[100ms TO *]}; bare numbers are microseconds). An unknown
 * field or a syntax error is a {@link QuerySyntaxException} with one line of explanation.
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
        return all;
    }

    /** Parses {@code text}; throws a one-line explanation on any mistake. */
    public Query parseQuery(String text) throws QuerySyntaxException {
        if (text == null || text.isBlank()) {
            throw new QuerySyntaxException("empty query; " + HINT);
        }
        try {
            return parse(text);
        } catch (ParseException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof QuerySyntaxException q) {
                    throw new QuerySyntaxException("bad query: " + q.getMessage());
                }
            }
            throw new QuerySyntaxException("bad query: " + explain(e) + "; " + HINT);
        } catch (TokenMgrError e) {
            throw new QuerySyntaxException("bad query: " + firstLine(e.getMessage()) + "; " + HINT);
        } catch (IllegalArgumentException e) {
            throw new QuerySyntaxException("bad query: " + firstLine(e.getMessage()));
        }
    }

    private static String explain(ParseException e) {
        if (e.currentToken == null && e.getCause() instanceof ParseException inner) {
            return explain(inner);
        }
        if (e.currentToken != null && e.currentToken.next != null) {
            var t = e.currentToken.next;
            String image = t.kind == 0 ? "end of query" : "'" + t.image + "'";
            return "unexpected " + image + " at column " + t.beginColumn;
        }
        String m = firstLine(e.getMessage());
        int at = m.indexOf(": ");
        return at > 0 && m.startsWith("Cannot parse") ? m.substring(at + 2) : m;
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "syntax error";
        }
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).trim();
    }

    private void checkField(String field) throws ParseException {
        if (field != null && !IndexFields.TEXT_FIELDS.contains(field) && !fields().contains(field)) {
            throw wrap("unknown field '" + field + "' (fields: " + String.join(", ", fields()) + ")");
        }
    }

    private static ParseException wrap(String message) {
        ParseException p = new ParseException(message);
        p.initCause(new QuerySyntaxException(message));
        return p;
    }

    @Override
    protected Query getFieldQuery(String field, String queryText, boolean quoted) throws ParseException {
        checkField(field);
        if (field != null && IndexFields.NUMERIC.contains(field)) {
            if (field.equals(IndexFields.TIME) && !queryText.chars().allMatch(Character::isDigit)) {
                return IndexFields.range(field, number(field, queryText, false), number(field, queryText, true));
            }
            long v = number(field, queryText, false);
            return IndexFields.range(field, v, v);
        }
        return super.getFieldQuery(field, queryText, quoted);
    }

    @Override
    protected Query getFieldQuery(String field, String queryText, int slop) throws ParseException {
        checkField(field);
        return super.getFieldQuery(field, queryText, slop);
    }

    @Override
    protected Query getRangeQuery(String field, String part1, String part2, boolean startInclusive, boolean endInclusive)
            throws ParseException {
        checkField(field);
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
            return super.getRangeQuery(field, part1 == null ? null : IndexFields.normalize(field, part1),
                    part2 == null ? null : IndexFields.normalize(field, part2), startInclusive, endInclusive);
        }
        return super.getRangeQuery(field, part1, part2, startInclusive, endInclusive);
    }

    @Override
    protected Query getWildcardQuery(String field, String termStr) throws ParseException {
        checkField(field);
        return super.getWildcardQuery(field, termStr);
    }

    @Override
    protected Query getPrefixQuery(String field, String termStr) throws ParseException {
        checkField(field);
        return super.getPrefixQuery(field, termStr);
    }

    @Override
    protected Query getFuzzyQuery(String field, String termStr, float minSimilarity) throws ParseException {
        checkField(field);
        return super.getFuzzyQuery(field, termStr, minSimilarity);
    }

    @Override
    protected Query getRegexpQuery(String field, String termStr) throws ParseException {
        checkField(field);
        return super.getRegexpQuery(field, termStr);
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

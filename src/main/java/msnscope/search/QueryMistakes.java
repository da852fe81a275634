package msnscope.search;

import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParserConstants;
import org.apache.lucene.queryparser.classic.Token;
import org.apache.lucene.queryparser.classic.TokenMgrError;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is wrong with a query, in the user's terms: where (the character, counted from 1), what was found
 * and what could have come there. Lucene's own messages name lexical states, token kinds and Java
 * classes; none of that reaches a user.
 */
final class QueryMistakes {

    private static final Pattern COLUMN = Pattern.compile("column (\\d+)");

    private QueryMistakes() {
    }

    /**
     * Mistakes the tokenizer would stop at, found first so they can be said plainly: a phrase or regular
     * expression never closed, a backslash that escapes nothing. Null when there is none.
     */
    static String lexical(String q) {
        int quote = -1;
        int slash = -1;
        int range = -1;
        for (int i = 0; i < q.length(); i++) {
            char c = q.charAt(i);
            if (c == '\\') {
                if (i + 1 == q.length()) {
                    return "the query ends with \\, which escapes nothing (write \\\\ to search for a backslash)";
                }
                i++;
            } else if (quote >= 0) {
                quote = c == '"' ? -1 : quote;
            } else if (slash >= 0) {
                slash = c == '/' ? -1 : slash;
            } else if (c == '"') {
                quote = i;
            } else if (range >= 0) {
                range = c == ']' || c == '}' ? -1 : range;
            } else if (c == '[' || c == '{') {
                range = i;
            } else if (c == '/') {
                slash = i;
            } else if (c == '^' && (i + 1 == q.length() || !Character.isDigit(q.charAt(i + 1)))) {
                return "the ^ at character " + (i + 1) + " must be followed by a number (a boost, as in hello^2)";
            }
        }
        if (quote >= 0) {
            return "the \" at character " + (quote + 1) + " opens a phrase that is never closed (add the closing \")";
        }
        if (slash >= 0) {
            return "the / at character " + (slash + 1) + " starts a regular expression /…/ that is never closed; to search for a /, "
                    + "quote the value (content-type:\"text/plain\") or write \\/";
        }
        return null;
    }

    /** A parse error: where, what was found there, and what could have come instead (when Lucene says). */
    static String explain(ParseException e, String query) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ParseException p && p.currentToken != null && p.currentToken.next != null) {
                return explain(p.currentToken, p.currentToken.next, p.expectedTokenSequences);
            }
            if (c instanceof TokenMgrError t) {
                return explain(t, query);
            }
        }
        // No position (a check made after reading a token, such as word~1.5): Lucene's own sentence, without
        // its "Cannot parse '…':" prefix.
        Throwable innermost = e;
        while (innermost.getCause() instanceof ParseException inner) {
            innermost = inner;
        }
        String m = firstLine(innermost.getMessage());
        if (m.contains("Fractional edit distances")) {
            return "word~N takes a whole number of edits (0, 1 or 2), not a fraction";
        }
        return m.startsWith("Cannot parse") || m.contains("exical") ? "cannot read the query" : m;
    }

    /** A character the tokenizer cannot take (what {@link #lexical} did not catch first). */
    static String explain(TokenMgrError e, String query) {
        Matcher m = COLUMN.matcher(e.getMessage() == null ? "" : e.getMessage());
        if (m.find()) {
            // Counted from 1 here, one past the end when the query ran out.
            int at = Integer.parseInt(m.group(1));
            if (at > query.length()) {
                return "the query ends too early";
            }
            if (at >= 1) {
                return "cannot read the query at character " + at + " ('" + query.charAt(at - 1) + "')";
            }
        }
        return "cannot read the query (an unclosed \", / or [ range?)";
    }

    private static String explain(Token before, Token found, int[][] expected) {
        String wanted = expected(expected);
        String what;
        if (found.kind == QueryParserConstants.EOF) {
            what = "the query ends too early, after '" + before.image + "'";
        } else {
            // Lucene's character stream counts columns from 0.
            what = "unexpected '" + found.image + "' at character " + (found.beginColumn + 1);
            if (found.kind == QueryParserConstants.RPAREN) {
                what += " (no ( open before it)";
            }
        }
        return wanted == null ? what : what + "; expected " + wanted;
    }

    /** The kinds of token that could have come, as words: "a search term", "TO", "] or }"… */
    private static String expected(int[][] sequences) {
        if (sequences == null) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        for (int[] seq : sequences) {
            if (seq.length > 0) {
                String n = name(seq[0]);
                if (n != null) {
                    names.add(n);
                }
            }
        }
        List<String> ordered = new ArrayList<>(names);
        ordered.sort(java.util.Comparator.comparingInt(ORDER::indexOf));
        return ordered.isEmpty() ? null : String.join(" or ", ordered);
    }

    private static final String TERM = "a search term (a word, \"a phrase\", (a group) or a [range])";
    private static final String BOUND = "a range bound (a value or *)";
    private static final String TO = "TO";
    private static final String CLOSE_RANGE = "] or } to close the range";
    private static final String CLOSE_GROUP = ")";
    /** The order the alternatives are named in. */
    private static final List<String> ORDER = List.of(TERM, BOUND, TO, CLOSE_RANGE, CLOSE_GROUP);

    private static String name(int kind) {
        return switch (kind) {
            case QueryParserConstants.TERM, QueryParserConstants.PREFIXTERM, QueryParserConstants.WILDTERM, QueryParserConstants.REGEXPTERM,
                 QueryParserConstants.NUMBER, QueryParserConstants.STAR, QueryParserConstants.QUOTED, QueryParserConstants.LPAREN,
                 QueryParserConstants.RANGEIN_START, QueryParserConstants.RANGEEX_START ->
                    TERM;
            case QueryParserConstants.RANGE_GOOP, QueryParserConstants.RANGE_QUOTED -> BOUND;
            case QueryParserConstants.RANGE_TO -> TO;
            case QueryParserConstants.RANGEIN_END, QueryParserConstants.RANGEEX_END -> CLOSE_RANGE;
            case QueryParserConstants.RPAREN -> CLOSE_GROUP;
            default -> null;
        };
    }

    static String firstLine(String m) {
        if (m == null) {
            return "syntax error";
        }
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).trim();
    }
}

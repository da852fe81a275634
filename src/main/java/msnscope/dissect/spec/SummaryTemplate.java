package msnscope.dissect.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A summary sentence from {@code dissectors/}: {@code {name}} is replaced by a parameter's decoded
 * value, and a {@code [...]} segment is dropped when a parameter it names is absent.
 */
public final class SummaryTemplate {

    private record Piece(String literal, String param, List<Piece> optional) {
    }

    private final String source;
    private final List<Piece> pieces;

    private SummaryTemplate(String source, List<Piece> pieces) {
        this.source = source;
        this.pieces = pieces;
    }

    public static SummaryTemplate parse(String text) {
        int[] pos = {0};
        List<Piece> pieces = parse(text, pos, false);
        return new SummaryTemplate(text, pieces);
    }

    private static List<Piece> parse(String text, int[] pos, boolean nested) {
        List<Piece> out = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        while (pos[0] < text.length()) {
            char c = text.charAt(pos[0]);
            if (c == '{') {
                int close = text.indexOf('}', pos[0]);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '{' in summary '" + text + "'");
                }
                flush(literal, out);
                out.add(new Piece(null, text.substring(pos[0] + 1, close).trim(), null));
                pos[0] = close + 1;
            } else if (c == '[') {
                flush(literal, out);
                pos[0]++;
                out.add(new Piece(null, null, parse(text, pos, true)));
            } else if (c == ']' && nested) {
                pos[0]++;
                flush(literal, out);
                return out;
            } else {
                literal.append(c);
                pos[0]++;
            }
        }
        if (nested) {
            throw new IllegalArgumentException("unclosed '[' in summary '" + text + "'");
        }
        flush(literal, out);
        return out;
    }

    private static void flush(StringBuilder literal, List<Piece> out) {
        if (literal.length() > 0) {
            out.add(new Piece(literal.toString(), null, null));
            literal.setLength(0);
        }
    }

    /** The parameter names the template uses. */
    public Set<String> names() {
        Set<String> names = new java.util.LinkedHashSet<>();
        collect(pieces, names);
        return names;
    }

    private static void collect(List<Piece> pieces, Set<String> names) {
        for (Piece p : pieces) {
            if (p.param != null) {
                names.add(p.param);
            } else if (p.optional != null) {
                collect(p.optional, names);
            }
        }
    }

    /** Renders with the display values of the parameters present. */
    public String render(java.util.function.Function<String, String> values) {
        StringBuilder sb = new StringBuilder();
        render(pieces, values, sb);
        return sb.toString().trim();
    }

    private static boolean render(List<Piece> pieces, java.util.function.Function<String, String> values, StringBuilder sb) {
        for (Piece p : pieces) {
            if (p.literal != null) {
                sb.append(p.literal);
            } else if (p.param != null) {
                String v = values.apply(p.param);
                if (v == null || v.isEmpty()) {
                    return false;
                }
                sb.append(v);
            } else {
                StringBuilder inner = new StringBuilder();
                if (render(p.optional, values, inner)) {
                    sb.append(inner);
                }
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return source;
    }
}

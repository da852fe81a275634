package msnscope.intercept;

import msnscope.dissect.Dissection;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text with the frame's fields in braces ({@code 911 {trid}}), checked when the rules file is loaded so a
 * misspelt name fails then, not on the first matching frame. {@code {{} and {@code }}} are literal braces.
 */
final class Template {

    /** The names a template may use, for the load-time error. */
    static final String NAMES = "{trid}, {account}, {cmd}, {dir}, {role}, {connection}, {params[N]}, {line}";

    private static final Pattern PARAM = Pattern.compile("params\\[(\\d{1,4})]");

    /** A piece of a template: literal text, or the value of one name. */
    private sealed interface Part permits Literal, Field {
    }

    private record Literal(String text) implements Part {
    }

    /** @param param the index of {@code params[N]}, or -1 */
    private record Field(String name, int param) implements Part {
    }

    private final String text;
    private final List<Part> parts;

    private Template(String text, List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    /** @throws IllegalArgumentException one line saying what is wrong with {@code text} */
    static Template parse(String text) {
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{' && i + 1 < text.length() && text.charAt(i + 1) == '{'
                    || c == '}' && i + 1 < text.length() && text.charAt(i + 1) == '}') {
                lit.append(c);
                i += 2;
            } else if (c == '}') {
                throw new IllegalArgumentException("a lone '}' at " + (i + 1) + " (write '}}' for a brace)");
            } else if (c == '{') {
                int end = text.indexOf('}', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("'{' at " + (i + 1) + " is not closed (write '{{' for a brace)");
                }
                if (!lit.isEmpty()) {
                    parts.add(new Literal(lit.toString()));
                    lit.setLength(0);
                }
                parts.add(field(text.substring(i + 1, end)));
                i = end + 1;
            } else {
                lit.append(c);
                i++;
            }
        }
        if (!lit.isEmpty()) {
            parts.add(new Literal(lit.toString()));
        }
        return new Template(text, parts);
    }

    private static Field field(String name) {
        String n = name.strip();
        switch (n) {
            case "trid", "account", "cmd", "dir", "role", "connection", "line" -> {
                return new Field(n, -1);
            }
            default -> {
                Matcher m = PARAM.matcher(n);
                if (m.matches()) {
                    return new Field("params", Integer.parseInt(m.group(1)));
                }
                String close = Closest.of(n, List.of("trid", "account", "cmd", "dir", "role", "connection", "line", "params[0]"));
                throw new IllegalArgumentException("unknown name {" + name + "}" + (close == null ? "" : " (did you mean {" + close + "}?)")
                        + "; names: " + NAMES + ", {{ and }} for braces");
            }
        }
    }

    /** The text with the frame's values in place; a value the frame lacks (no TrID for {@code {trid}}) skips the rule. */
    String render(Dissection d, String connection) throws RuleSkip {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Literal l) {
                out.append(l.text());
            } else {
                out.append(value((Field) p, d, connection));
            }
        }
        return out.toString();
    }

    private static String value(Field f, Dissection d, String connection) throws RuleSkip {
        Object v = switch (f.name()) {
            case "trid" -> d.trid();
            case "account" -> d.account();
            case "cmd" -> d.command();
            case "dir" -> d.direction().name();
            case "role" -> d.role() == null ? null : d.role().name();
            case "connection" -> connection;
            case "line" -> d.frame().line();
            default -> f.param() < d.params().size() ? d.params().get(f.param()) : null;
        };
        if (v == null) {
            throw new RuleSkip("the frame has no {" + (f.param() >= 0 ? "params[" + f.param() + "]" : f.name()) + "}");
        }
        return v.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}

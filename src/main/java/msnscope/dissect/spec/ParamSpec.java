package msnscope.dissect.spec;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One declared parameter of a form: {@code name[:type][(table)][=LIT|LIT][?|*|+]}.
 *
 * @param name     field name used in output and search
 * @param type     decoder
 * @param table    value table of {@code types.yaml} for enums and bitmasks, or null
 * @param literals accepted tokens (used to choose between forms), empty when any token is accepted
 * @param arity    how many tokens the parameter takes
 */
public record ParamSpec(String name, ParamType type, String table, List<String> literals, Arity arity) {

    public enum Arity {
        ONE, OPTIONAL, ZERO_OR_MORE, ONE_OR_MORE;

        public boolean repeats() {
            return this == ZERO_OR_MORE || this == ONE_OR_MORE;
        }

        public int minimum() {
            return this == ONE || this == ONE_OR_MORE ? 1 : 0;
        }
    }

    private static final Pattern GRAMMAR = Pattern.compile(
            "([a-z][a-z0-9-]*)(?::([a-z]+)(?:\\(([a-z0-9-]+)\\))?)?(?:=([^?*+]+))?([?*+])?");

    public static ParamSpec parse(String text) {
        Matcher m = GRAMMAR.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("bad parameter '" + text + "' (write name[:type][=LIT|LIT][?|*|+])");
        }
        String name = m.group(1);
        String typeName = m.group(2);
        List<String> literals = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\|"));
        ParamType type;
        if (typeName != null) {
            type = ParamType.byName(typeName);
            if (type == null) {
                throw new IllegalArgumentException("unknown type '" + typeName + "' in parameter '" + text + "'");
            }
        } else if (!literals.isEmpty()) {
            type = ParamType.ENUM;
        } else {
            ParamType named = ParamType.byName(name);
            type = named == null ? ParamType.TEXT : named;
        }
        String table = m.group(3) != null ? m.group(3) : type.defaultTable();
        Arity arity = switch (m.group(5) == null ? "" : m.group(5)) {
            case "?" -> Arity.OPTIONAL;
            case "*" -> Arity.ZERO_OR_MORE;
            case "+" -> Arity.ONE_OR_MORE;
            default -> Arity.ONE;
        };
        return new ParamSpec(name, type, table, literals, arity);
    }

    public boolean accepts(String token) {
        return literals.isEmpty() || literals.contains(token);
    }


    /**
     * Whether the token has the shape of this parameter's type; only types with an unmistakable shape
     * are checked. Used to choose between forms that literals and arity cannot tell apart
     * ({@code ADC … N=… F=…} vs {@code ADC … C=guid group-guid}).
     */
    public boolean fits(String token) {
        return switch (type) {
            case TRID, INT, LENGTH, UNIXTIME, LISTBITS -> digits(token, 0, token.length());
            case CAPS -> {
                int colon = token.indexOf(':');
                yield colon < 0 ? digits(token, 0, token.length())
                        : digits(token, 0, colon) && digits(token, colon + 1, token.length());
            }
            case GUID -> isGuid(token);
            case PREFIXED -> token.length() >= 2 && token.charAt(0) >= 'A' && token.charAt(0) <= 'Z' && token.charAt(1) == '=';
            case HOSTPORT -> token.equals("0") || token.lastIndexOf(':') > 0;
            default -> true;
        };
    }

    private static boolean digits(String s, int from, int to) {
        if (to <= from || to - from > 20) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** 8-4-4-4-12 hex digits, optionally in braces. */
    public static boolean isGuid(String s) {
        int from = s.startsWith("{") ? 1 : 0;
        int to = s.endsWith("}") ? s.length() - 1 : s.length();
        if (to - from != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(from + i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }
}

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

    private static final Pattern DIGITS = Pattern.compile("\\d{1,20}");
    private static final Pattern CAPS = Pattern.compile("\\d{1,20}(:\\d{1,20})?");
    private static final Pattern GUID = Pattern.compile("\\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}}?");
    private static final Pattern PREFIXED = Pattern.compile("[A-Z]=.*");

    /**
     * Whether the token has the shape of this parameter's type; only types with an unmistakable shape
     * are checked. Used to choose between forms that literals and arity cannot tell apart
     * ({@code ADC … N=… F=…} vs {@code ADC … C=guid group-guid}).
     */
    public boolean fits(String token) {
        return switch (type) {
            case TRID, INT, LENGTH, UNIXTIME, LISTBITS -> DIGITS.matcher(token).matches();
            case CAPS -> CAPS.matcher(token).matches();
            case GUID -> GUID.matcher(token).matches();
            case PREFIXED -> PREFIXED.matcher(token).matches();
            case HOSTPORT -> token.equals("0") || token.lastIndexOf(':') > 0;
            default -> true;
        };
    }
}

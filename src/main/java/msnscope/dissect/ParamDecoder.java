package msnscope.dissect;

import msnscope.dissect.spec.ParamSpec;
import msnscope.dissect.spec.TypeTables;

import msnscope.dissect.payload.UrlCodec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decodes one parameter token by its declared type. Never throws: a token that does not fit its type is
 * kept as text and reported as a problem.
 */
final class ParamDecoder {

    /** A decoded token: what goes into {@code fields} (JSON), what the summary shows, and what is wrong. */
    record Value(Object json, String display, String problem) {
        static Value of(Object json, String display) {
            return new Value(json, display, null);
        }
    }

    private static final Pattern HEX = Pattern.compile("(0x)?[0-9a-fA-F]+");

    private final TypeTables tables;
    private final MsnObjectDecoder msnObjects;

    ParamDecoder(TypeTables tables, MsnObjectDecoder msnObjects) {
        this.tables = tables;
        this.msnObjects = msnObjects;
    }

    /** Decodes into {@code fields}; extra derived fields (e.g. a handle's network) go beside it. */
    Value decode(ParamSpec p, String token, Map<String, Object> extra) {
        return switch (p.type()) {
            case TRID, INT, LENGTH -> number(token, p.type() == msnscope.dissect.spec.ParamType.TRID ? 4294967295L : Long.MAX_VALUE);
            case HOSTPORT -> hostPort(token);
            case HANDLE -> handle(p.name(), token, extra);
            case NICK, URLENC -> {
                String d = UrlCodec.decode(token).text();
                yield Value.of(d, d);
            }
            case STATUS, LIST, NETWORK, ENUM -> enumValue(p, token);
            case CAPS -> caps(p, token);
            case LISTBITS -> bits(p, token);
            case GUID -> ParamSpec.isGuid(token) ? Value.of(token, token)
                    : new Value(token, token, "'" + token + "' is not a GUID");
            case UNIXTIME -> unixTime(token);
            case LOCALE -> HEX.matcher(token).matches() ? Value.of(token, token)
                    : new Value(token, token, "'" + token + "' is not a locale id");
            case MSNOBJ -> msnObject(token);
            case KV -> keyValues(token);
            case PREFIXED -> prefixed(token, extra);
            case BOOL -> bool(token);
            case HEX -> HEX.matcher(token).matches() ? Value.of(token, token)
                    : new Value(token, token, "'" + token + "' is not hexadecimal");
            case COOKIE, SECRET, TIMESTAMP, VERSION, URL, TEXT -> Value.of(token, token);
        };
    }

    private static Value number(String token, long max) {
        if (isDigits(token, 19)) {
            long v = Long.parseLong(token);
            if (v <= max) {
                return Value.of(v, token);
            }
        }
        return new Value(token, token, "'" + token + "' is not a number" + (max < Long.MAX_VALUE ? " up to " + max : ""));
    }

    private static Value hostPort(String token) {
        if (token.equals("0")) {
            return Value.of(token, "the same server");
        }
        int colon = token.lastIndexOf(':');
        if (colon > 0) {
            String port = token.substring(colon + 1);
            if (isDigits(port, 5) && Integer.parseInt(port) <= 65535) {
                return Value.of(token, token);
            }
        }
        return new Value(token, token, "'" + token + "' is not host:port");
    }

    /** {@code 1:alice@example.com} (network prefix, MSNP18+) and {@code alice@example.com;{guid}} (endpoint, 16+). */
    private Value handle(String name, String token, Map<String, Object> extra) {
        String handle = token;
        int semi = handle.indexOf(';');
        if (semi >= 0) {
            extra.put(name + "-endpoint", handle.substring(semi + 1));
            handle = handle.substring(0, semi);
        }
        int colon = handle.indexOf(':');
        if (colon > 0 && colon < handle.indexOf('@') && isDigits(handle.substring(0, colon), 9)) {
            String net = handle.substring(0, colon);
            String meaning = tables.meaning("network", net);
            extra.put(name + "-network", meaning == null ? net : meaning);
            handle = handle.substring(colon + 1);
        }
        return Value.of(handle, handle);
    }

    private Value enumValue(ParamSpec p, String token) {
        String table = p.table();
        if (table == null) {
            return Value.of(token, token);
        }
        String meaning = tables.meaning(table, token);
        if (meaning == null) {
            return new Value(token, token, "'" + token + "' is not a known " + table);
        }
        return Value.of(token, meaning);
    }

    private Value caps(ParamSpec p, String token) {
        String main = token;
        String ext = null;
        int colon = token.indexOf(':');
        if (colon >= 0) {
            main = token.substring(0, colon);
            ext = token.substring(colon + 1);
        }
        Long value = parseUnsigned(main);
        if (value == null) {
            return new Value(token, token, "'" + token + "' is not a capability number");
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("value", value);
        json.put("hex", hex8(value));
        String table = p.table() == null ? "caps" : p.table();
        List<String> flags = flagNames(table, value & 0x0FFFFFFFL);
        int nibble = (int) (value >>> 28);
        Map<Integer, String> versions = tables.nibbleNames().get(table);
        String client = versions == null ? null : versions.get(nibble);
        if (client != null) {
            json.put("client", client);
        }
        json.put("flags", flags);
        if (ext != null) {
            Long e = parseUnsigned(ext);
            json.put("ext", e == null ? ext : e);
        }
        String display = hex8(value) + (client != null ? " (" + client + ")" : "");
        return Value.of(json, display);
    }

    private static String hex8(long v) {
        String h = Long.toHexString(v).toUpperCase();
        return "0x" + "00000000".substring(Math.min(8, h.length())) + h;
    }

    private Value bits(ParamSpec p, String token) {
        Long value = parseUnsigned(token);
        if (value == null) {
            return new Value(token, token, "'" + token + "' is not a bit mask");
        }
        List<String> names = flagNames(p.table(), value);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("value", value);
        json.put("names", names);
        return Value.of(json, names.isEmpty() ? "none" : String.join(" ", names));
    }

    /** Names of the set bits; unnamed bits are listed in hex so nothing is silently dropped. */
    List<String> flagNames(String table, long value) {
        List<String> names = new ArrayList<>();
        Map<Long, String> bits = table == null ? null : tables.bitmasks().get(table);
        long rest = value;
        if (bits != null) {
            for (Map.Entry<Long, String> b : bits.entrySet()) {
                if (b.getKey() != 0 && (value & b.getKey()) == b.getKey()) {
                    names.add(b.getValue());
                    rest &= ~b.getKey();
                }
            }
        }
        for (int i = 0; i < 64 && rest != 0; i++) {
            long bit = 1L << i;
            if ((rest & bit) != 0) {
                names.add("0x" + Long.toHexString(bit).toUpperCase());
                rest &= ~bit;
            }
        }
        return names;
    }

    /** 1 to {@code max} ASCII digits. */
    static boolean isDigits(String s, int max) {
        int n = s.length();
        if (n == 0 || n > max) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static Long parseUnsigned(String s) {
        if (!isDigits(s, 19)) {
            return null;
        }
        return Long.parseLong(s);
    }

    private static Value unixTime(String token) {
        Long v = parseUnsigned(token);
        if (v == null || v > 32503680000L) {
            return new Value(token, token, "'" + token + "' is not a unix time");
        }
        return Value.of(v, Instant.ofEpochSecond(v).toString());
    }

    private Value msnObject(String token) {
        String xml = UrlCodec.decode(token).text();
        Map<String, Object> decoded = msnObjects.decode(xml);
        Object creator = decoded.get("creator");
        Object type = decoded.get("type-name");
        String display = type != null ? type + (creator != null ? " of " + creator : "") : xml;
        return Value.of(decoded, display);
    }

    private static Value keyValues(String token) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String part : token.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                map.put(part.substring(0, eq), part.substring(eq + 1));
            } else if (!part.isEmpty()) {
                map.put(part, "");
            }
        }
        return Value.of(map, token);
    }

    /** ABCH-style {@code N=handle}, {@code F=nick}, {@code C=contact-guid} tokens (MSNP10–12 ADC/LST). */
    private static Value prefixed(String token, Map<String, Object> extra) {
        if (token.length() >= 2 && token.charAt(1) == '=') {
            String v = token.substring(2);
            switch (token.charAt(0)) {
                case 'N' -> extra.put("handle", v);
                case 'F' -> extra.put("nick", UrlCodec.decode(v).text());
                case 'C' -> extra.put("contact", v);
                default -> extra.put(token.substring(0, 1), v);
            }
            return Value.of(token, token);
        }
        return new Value(token, token, "'" + token + "' is not X=value");
    }

    private static Value bool(String token) {
        return switch (token) {
            case "1", "Y", "y", "true" -> Value.of(true, "yes");
            case "0", "N", "n", "false" -> Value.of(false, "no");
            default -> new Value(token, token, "'" + token + "' is not 0/1");
        };
    }
}

package msnscope.dissect;

import msnscope.dissect.spec.ParamSpec;
import msnscope.dissect.spec.TypeTables;

import msnscope.dissect.payload.Decimal;
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

    /**
     * The largest transaction id: clients count TrIDs in an unsigned 32-bit integer. A larger one is a
     * {@code bad-parameter} and the frame has no TrID (it is then not paired with a request or reply):
     * keeping it as a number would let one absurd value stand for a request it cannot belong to.
     */
    static final long MAX_TRID = 4294967295L;
    /** Longest token quoted in a problem: a hostile token may be as long as the line limit. */
    private static final int QUOTE = 40;

    private final TypeTables tables;
    private final MsnObjectDecoder msnObjects;

    ParamDecoder(TypeTables tables, MsnObjectDecoder msnObjects) {
        this.tables = tables;
        this.msnObjects = msnObjects;
    }

    /** Decodes into {@code fields}; extra derived fields (e.g. a handle's network) go beside it. */
    Value decode(ParamSpec p, String token, Map<String, Object> extra) {
        return switch (p.type()) {
            case TRID, INT, LENGTH -> number(token, p.type() == msnscope.dissect.spec.ParamType.TRID ? MAX_TRID : Long.MAX_VALUE);
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
                    : new Value(token, token, quote(token) + " is not a GUID");
            case UNIXTIME -> unixTime(token);
            case LOCALE -> HEX.matcher(token).matches() ? Value.of(token, token)
                    : new Value(token, token, quote(token) + " is not a locale id");
            case MSNOBJ -> msnObject(token);
            case KV -> keyValues(token);
            case PREFIXED -> prefixed(token, extra);
            case BOOL -> bool(token);
            case HEX -> HEX.matcher(token).matches() ? Value.of(token, token)
                    : new Value(token, token, quote(token) + " is not hexadecimal");
            case COOKIE, SECRET, TIMESTAMP, VERSION, URL, TEXT -> Value.of(token, token);
        };
    }

    /** Never throws: a number too large for {@code max} (or for a long) is kept as text with a problem. */
    private static Value number(String token, long max) {
        Long v = Decimal.unsigned(token, max);
        if (v != null) {
            return Value.of(v, token);
        }
        String why = isDigits(token, Integer.MAX_VALUE) ? " is too large a number (the most is " + max + ")"
                : " is not a number" + (max < Long.MAX_VALUE ? " up to " + max : "");
        return new Value(token, token, quote(token) + why);
    }

    /** A token as a problem sentence quotes it, shortened. */
    private static String quote(String token) {
        return "'" + (token.length() > QUOTE ? token.substring(0, QUOTE) + "…" : token) + "'";
    }

    /** Digits that overflow are "too large", anything else "not": a hostile 20-digit number deserves the right word. */
    private static String tooLargeOrNot(String token, String what) {
        return quote(token) + (isDigits(token, Integer.MAX_VALUE) ? " is too large for " : " is not ") + what;
    }

    /** The transaction id a token holds, or {@code null} when it is none (see {@link #MAX_TRID}). */
    static Long trid(String token) {
        return Decimal.unsigned(token, MAX_TRID);
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
        return new Value(token, token, quote(token) + " is not host:port");
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
            return new Value(token, token, quote(token) + " is not a known " + table);
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
            return new Value(token, token, tooLargeOrNot(token, "a capability number"));
        }
        String table = p.table() == null ? "caps" : p.table();
        CapsInfo info = capsInfo(table, value);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("value", value);
        json.put("hex", info.hex());
        if (info.client() != null) {
            json.put("client", info.client());
        }
        json.put("flags", info.flags());
        if (ext != null) {
            Long e = parseUnsigned(ext);
            json.put("ext", e == null ? ext : e);
        }
        return Value.of(json, info.display());
    }

    /** What a caps number decodes to: a pure function of (table, number), so kept in a bounded memo. */
    private record CapsInfo(String hex, String client, List<String> flags, String display) {
    }

    /** Most caps numbers remembered per table; clients send a handful, so this is never reached in practice. */
    private static final int CAPS_MEMO = 1024;

    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.ConcurrentHashMap<Long, CapsInfo>> capsMemo =
            new java.util.concurrent.ConcurrentHashMap<>();

    private CapsInfo capsInfo(String table, long value) {
        java.util.concurrent.ConcurrentHashMap<Long, CapsInfo> memo = capsMemo.get(table);
        if (memo == null) {
            memo = capsMemo.computeIfAbsent(table, t -> new java.util.concurrent.ConcurrentHashMap<>());
        }
        CapsInfo info = memo.get(value);
        if (info == null) {
            String hex = hex8(value);
            List<String> flags = List.copyOf(flagNames(table, value & 0x0FFFFFFFL));
            int nibble = (int) (value >>> 28);
            Map<Integer, String> versions = tables.nibbleNames().get(table);
            String client = versions == null ? null : versions.get(nibble);
            info = new CapsInfo(hex, client, flags, hex + (client != null ? " (" + client + ")" : ""));
            if (memo.size() < CAPS_MEMO) {
                memo.put(value, info);
            }
        }
        return info;
    }

    private static String hex8(long v) {
        String h = Long.toHexString(v).toUpperCase();
        return "0x" + "00000000".substring(Math.min(8, h.length())) + h;
    }

    private Value bits(ParamSpec p, String token) {
        Long value = parseUnsigned(token);
        if (value == null) {
            return new Value(token, token, tooLargeOrNot(token, "a bit mask"));
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
        return Decimal.unsigned(s);
    }

    private static Value unixTime(String token) {
        Long v = parseUnsigned(token);
        if (v == null || v > 32503680000L) {
            return new Value(token, token, tooLargeOrNot(token, "a unix time"));
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
        return new Value(token, token, quote(token) + " is not X=value");
    }

    private static Value bool(String token) {
        return switch (token) {
            case "1", "Y", "y", "true" -> Value.of(true, "yes");
            case "0", "N", "n", "false" -> Value.of(false, "no");
            default -> new Value(token, token, quote(token) + " is not 0/1");
        };
    }
}

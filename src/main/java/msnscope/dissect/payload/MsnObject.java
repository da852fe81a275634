package msnscope.dissect.payload;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The MSNObject descriptor (§6.7):
 * {@code <msnobj Creator="…" Size="…" Type="…" Location="…" Friendly="…" SHA1D="…" SHA1C="…"/>}.
 *
 * <p>Read with a small attribute scanner rather than an XML parser, because the checksum is defined over
 * the attribute values as written and clients are loose with the surrounding syntax; the five XML entities
 * and numeric character references in values are resolved.
 *
 * <p>Fields: {@code creator}, {@code size} (bytes), {@code type} (number), {@code type-name} (§6.7),
 * {@code location}, {@code friendly} (decoded from base64 UTF-16LE, trailing NULs removed),
 * {@code friendly-base64} (as sent), {@code sha1d}, {@code sha1c}, {@code sha1c-matches} (whether SHA1C is
 * the base64 SHA-1 of {@code "Creator"+creator+"Size"+size+"Type"+type+"Location"+location+"Friendly"+
 * friendly+"SHA1D"+sha1d}; a mismatch is also a problem), {@code other-attributes} (e.g. {@code stamp}),
 * {@code empty} (true for {@code <msnobj/>}, which means "no display picture"). Numbers that do not parse
 * are kept as sent, with a problem.
 */
public final class MsnObject {

    /** Longest MSNObject read; real ones are a few hundred characters. */
    static final int MAX_LENGTH = 8 * 1024;

    private static final Map<Integer, String> TYPE_NAMES = Map.ofEntries(
            Map.entry(1, "avatar"), Map.entry(2, "custom emoticon"), Map.entry(3, "display picture"),
            Map.entry(4, "shared file"), Map.entry(5, "background"), Map.entry(6, "history"),
            Map.entry(7, "dynamic display picture"), Map.entry(8, "wink"), Map.entry(9, "map file"),
            Map.entry(10, "dynamic background"), Map.entry(11, "voice clip"), Map.entry(12, "add-in saved state"),
            Map.entry(13, "roaming object"), Map.entry(14, "signature sound"), Map.entry(16, "scene"));

    private static final String[] CHECKSUMMED = {"Creator", "Size", "Type", "Location", "Friendly", "SHA1D"};

    private static final byte[][] CHECKSUMMED_ASCII = new byte[CHECKSUMMED.length][];

    static {
        for (int i = 0; i < CHECKSUMMED.length; i++) {
            CHECKSUMMED_ASCII[i] = CHECKSUMMED[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** One digest per thread: looking up the provider costs more than hashing a descriptor. */
    private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(MsnObject::newSha1);

    private MsnObject() {
    }

    /** Whether {@code s} starts like an MSNObject, plain or still URL-encoded. */
    public static boolean looksLikeMsnObject(String s) {
        String t = s.stripLeading();
        return t.regionMatches(true, 0, "<msnobj", 0, 7) || t.regionMatches(true, 0, "%3Cmsnobj", 0, 9);
    }

    /** {@code xml} is the URL-decoded element; a still-encoded one is decoded first (with a problem). */
    public static Decoded decode(String xml) {
        Decoded.Builder b = Decoded.builder();
        if (xml == null) {
            return b.problem("no MSNObject").build();
        }
        String s = xml.strip();
        if (s.regionMatches(true, 0, "%3C", 0, 3)) {
            DecodedText decoded = UrlCodec.decode(s);
            b.problem("MSNObject was still URL-encoded; decoded it first").problems(decoded.problems());
            s = decoded.text().strip();
        }
        if (s.length() > MAX_LENGTH) {
            return b.problem("MSNObject of " + s.length() + " characters exceeds the " + MAX_LENGTH + " limit").build();
        }
        if (!s.regionMatches(true, 0, "<msnobj", 0, 7)) {
            return b.problem("not an MSNObject: does not start with <msnobj").build();
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        boolean closed = scanAttributes(s, 7, attrs, b);
        if (!closed) {
            b.problem("MSNObject element is not closed with /> or >");
        }
        if (attrs.isEmpty()) {
            return b.put("empty", true).build();
        }
        b.put("creator", attrs.get("Creator"));
        b.put("size", number(attrs.get("Size"), "Size", b, false));
        Object type = number(attrs.get("Type"), "Type", b, true);
        b.put("type", type);
        if (type instanceof Integer t) {
            b.put("type-name", TYPE_NAMES.getOrDefault(t, "unknown"));
        }
        b.put("location", attrs.get("Location"));
        String friendly = attrs.get("Friendly");
        if (friendly != null) {
            b.put("friendly", friendly(friendly, b));
            b.put("friendly-base64", friendly);
        }
        b.put("sha1d", attrs.get("SHA1D"));
        String sha1c = attrs.get("SHA1C");
        b.put("sha1c", sha1c);
        for (String name : CHECKSUMMED) {
            if (!attrs.containsKey(name)) {
                b.problem("MSNObject has no " + name + " attribute");
            }
        }
        if (sha1c == null) {
            b.problem("MSNObject has no SHA1C attribute; the checksum cannot be checked");
        } else {
            String expected = checksum(attrs);
            boolean matches = expected.equals(sha1c);
            b.put("sha1c-matches", matches);
            if (!matches) {
                b.problem("SHA1C " + Text.clip(sha1c) + " does not match the SHA-1 of the attribute concatenation ("
                        + expected + ")");
            }
        }
        Map<String, String> other = null;
        for (Map.Entry<String, String> e : attrs.entrySet()) {
            if (!isChecksummed(e.getKey()) && !e.getKey().equals("SHA1C")) {
                if (other == null) {
                    other = new LinkedHashMap<>();
                }
                other.put(e.getKey(), e.getValue());
            }
        }
        if (other != null) {
            b.put("other-attributes", other);
        }
        return b.build();
    }

    /**
     * The SHA1C a correct MSNObject with these attributes would carry: base64 of the SHA-1 over the names
     * and values of Creator, Size, Type, Location, Friendly and SHA1D concatenated, as UTF-8.
     */
    public static String checksum(Map<String, String> attributes) {
        MessageDigest sha1 = SHA1.get();
        sha1.reset();
        for (int i = 0; i < CHECKSUMMED.length; i++) {
            sha1.update(CHECKSUMMED_ASCII[i]);
            String value = String.valueOf(attributes.getOrDefault(CHECKSUMMED[i], ""));
            if (!value.isEmpty()) {
                sha1.update(value.getBytes(StandardCharsets.UTF_8));
            }
        }
        return Base64.getEncoder().encodeToString(sha1.digest());
    }

    private static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-1", e);
        }
    }

    /** Scans {@code name="value"} pairs from {@code pos}; returns whether the element was closed. */
    private static boolean scanAttributes(String s, int pos, Map<String, String> attrs, Decoded.Builder b) {
        int i = pos;
        while (true) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length()) {
                return false;
            }
            if (s.startsWith("/>", i) || s.charAt(i) == '>') {
                return true;
            }
            int nameStart = i;
            while (i < s.length() && isNameChar(s.charAt(i))) {
                i++;
            }
            if (i == nameStart) {
                b.problem("unexpected character '" + Text.clip(String.valueOf(s.charAt(i))) + "' in MSNObject at index " + i);
                return false;
            }
            String name = s.substring(nameStart, i);
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length() || s.charAt(i) != '=') {
                b.problem("MSNObject attribute " + Text.clip(name) + " has no value");
                return false;
            }
            i++;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length() || s.charAt(i) != '"' && s.charAt(i) != '\'') {
                b.problem("MSNObject attribute " + Text.clip(name) + " value is not quoted");
                return false;
            }
            char quote = s.charAt(i);
            int close = s.indexOf(quote, i + 1);
            if (close < 0) {
                b.problem("MSNObject attribute " + Text.clip(name) + " value has no closing quote");
                return false;
            }
            if (attrs.containsKey(name)) {
                b.problem("MSNObject attribute " + Text.clip(name) + " appears more than once; the first is used");
            } else {
                attrs.put(name, unescape(s.substring(i + 1, close)));
            }
            i = close + 1;
        }
    }

    private static boolean isChecksummed(String name) {
        for (String n : CHECKSUMMED) {
            if (n.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNameChar(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':';
    }

    private static Object number(String s, String name, Decoded.Builder b, boolean asInt) {
        if (s == null) {
            return null;
        }
        // Not a ?: expression: that would promote the Integer to a Long.
        Object n;
        if (asInt) {
            n = Text.parseInt(s);
        } else {
            n = Text.parseLong(s);
        }
        if (n == null) {
            b.problem("MSNObject " + name + " \"" + Text.clip(s) + "\" is not a number");
            return s;
        }
        return n;
    }

    /** Friendly is base64 of a UTF-16LE name; "AAA=" (a lone NUL) means "no name". */
    private static String friendly(String base64, Decoded.Builder b) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            b.problem("MSNObject Friendly is not valid base64");
            return null;
        }
        if (raw.length % 2 != 0) {
            b.problem("MSNObject Friendly decodes to an odd number of bytes; the last one is ignored");
        }
        String name = new String(raw, 0, raw.length & ~1, StandardCharsets.UTF_16LE);
        int end = name.length();
        while (end > 0 && name.charAt(end - 1) == '\0') {
            end--;
        }
        return name.substring(0, end);
    }

    private static String unescape(String v) {
        if (v.indexOf('&') < 0) {
            return v;
        }
        StringBuilder sb = new StringBuilder(v.length());
        int i = 0;
        while (i < v.length()) {
            char c = v.charAt(i);
            int semi = c == '&' ? v.indexOf(';', i) : -1;
            if (semi > i && semi - i <= 10) {
                String entity = v.substring(i + 1, semi);
                String resolved = resolve(entity);
                if (resolved != null) {
                    sb.append(resolved);
                    i = semi + 1;
                    continue;
                }
            }
            sb.append(c);
            i++;
        }
        return sb.toString();
    }

    private static String resolve(String entity) {
        switch (entity) {
            case "amp": return "&";
            case "lt": return "<";
            case "gt": return ">";
            case "quot": return "\"";
            case "apos": return "'";
            default:
                break;
        }
        if (entity.startsWith("#")) {
            String digits = entity.substring(1);
            Long cp = digits.toLowerCase(Locale.ROOT).startsWith("x") ? Text.parseHex(digits.substring(1)) : Text.parseLong(digits);
            if (cp != null && cp >= 0 && cp <= Character.MAX_CODE_POINT && !(cp >= 0xD800 && cp <= 0xDFFF)) {
                return new String(Character.toChars((int) (long) cp));
            }
        }
        return null;
    }
}

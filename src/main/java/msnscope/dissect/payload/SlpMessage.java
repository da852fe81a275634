package msnscope.dissect.payload;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * MSNSLP, the SIP-like signalling carried in the data of P2P session 0 (§7.5, §3.7b): a start line
 * ({@code INVITE MSNMSGR:handle MSNSLP/1.0} or {@code MSNSLP/1.0 200 OK}), headers, a blank line and a
 * body of {@code Name: value} lines ending in a NUL byte.
 *
 * <p>Fields: {@code start-line}; for requests {@code method}, {@code request-uri}, {@code version}; for
 * responses {@code version}, {@code status-code}, {@code reason}; the headers {@code to}, {@code from},
 * {@code via}, {@code cseq}, {@code call-id}, {@code content-type}, {@code content-length} and
 * {@code other-headers}; {@code complete} (false when the message continues in a later P2P chunk);
 * {@code body} (all body lines as sent); {@code euf-guid} and {@code euf-guid-name}, {@code session-id},
 * {@code app-id}, {@code context} (base64, as sent) and {@code context-msnobj} when the context is an
 * MSNObject; {@code addresses}, a list of {@code {field, value, reversed}} for the IP address fields of
 * direct-connection bodies, where newer clients spell both name and value backwards — {@code field} and
 * {@code value} are given un-reversed, {@code reversed} says how they were sent.
 */
public final class SlpMessage {

    private static final String[] START_TOKENS = {"INVITE ", "BYE ", "ACK ", "MSNSLP/"};

    private static final Set<String> STANDARD_HEADERS = Set.of(
            "to", "from", "via", "cseq", "call-id", "content-type", "content-length");

    /** Address-bearing transport fields in their normal spelling (§3.7b). */
    private static final Set<String> ADDRESS_FIELDS = Set.of(
            "IPv4Internal-Addrs", "IPv4Internal-Port", "IPv4External-Addrs", "IPv4External-Port",
            "IPv4InternalAddrsAndPorts", "IPv4ExternalAddrsAndPorts", "IPv6-global");

    private static final Map<String, String> EUF_GUIDS = Map.of(
            "{5D3E02AB-6190-11D3-BBBB-00C04F795683}", "file transfer",
            "{A4268EEC-FEC5-49E5-95C3-F126696BDBF6}", "MSNObject",
            "{6A13AF9C-5308-4F35-923A-67E8DDA40C2F}", "activity");

    private SlpMessage() {
    }

    /** Whether {@code len} bytes at {@code off} start like an SLP request or status line. */
    public static boolean looksLikeSlp(byte[] data, int off, int len) {
        for (String token : START_TOKENS) {
            if (len >= token.length() && off >= 0 && off + token.length() <= data.length) {
                boolean match = true;
                for (int i = 0; i < token.length() && match; i++) {
                    match = data[off + i] == token.charAt(i);
                }
                if (match) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Decodes {@code len} bytes of SLP text at {@code off}. {@code whole} says whether these bytes are the
     * entire SLP message (P2P total size equals this chunk); if not, a short body is expected, not a fault.
     */
    public static Decoded decode(byte[] data, int off, int len, boolean whole) {
        Decoded.Builder b = Decoded.builder();
        if (data == null || off < 0 || len < 0 || off + len > data.length) {
            return b.problem("SLP data range is outside the buffer").build();
        }
        DecodedText decoded = Utf8.decode(data, off, len, "SLP text");
        b.problems(decoded.problems());
        String text = decoded.text();
        int lineEnd = text.indexOf('\n');
        String startLine = stripCr(lineEnd < 0 ? text : text.substring(0, lineEnd));
        b.put("start-line", startLine);
        startLine(startLine, b);
        String rest = lineEnd < 0 ? "" : text.substring(lineEnd + 1);
        int split = blankLine(rest);
        String headerText = split < 0 ? rest : rest.substring(0, split);
        String bodyText = split < 0 ? "" : skipLineEnd(rest, split);
        if (split < 0 && whole) {
            b.problem("SLP header block has no blank line");
        }
        FieldLines.Result headers = FieldLines.parse(headerText, "SLP header block");
        b.problems(headers.problems());
        List<MimeHeader> others = new ArrayList<>();
        for (MimeHeader h : headers.lines()) {
            String key = h.name().toLowerCase(Locale.ROOT);
            if (STANDARD_HEADERS.contains(key) && !b.has(key)) {
                b.put(key, h.value());
            } else {
                others.add(h);
            }
        }
        List<String> mapProblems = new ArrayList<>();
        if (!others.isEmpty()) {
            b.put("other-headers", FieldLines.toMap(others, "SLP header block", mapProblems));
        }
        b.put("complete", whole);
        contentLength(FieldLines.first(headers.lines(), "Content-Length"), bodyText, whole, b);
        body(stripNuls(bodyText), b, mapProblems);
        return b.problems(mapProblems).build();
    }

    private static void startLine(String line, Decoded.Builder b) {
        String[] parts = line.split(" ", 3);
        if (line.startsWith("MSNSLP/")) {
            b.put("version", parts[0]);
            Integer status = parts.length > 1 ? Text.parseInt(parts[1]) : null;
            if (status == null) {
                b.problem("SLP status line has no numeric status code");
            }
            b.put("status-code", status);
            b.put("reason", parts.length > 2 ? parts[2] : null);
        } else {
            b.put("method", parts[0]);
            b.put("request-uri", parts.length > 1 ? parts[1] : null);
            b.put("version", parts.length > 2 ? parts[2] : null);
            if (parts.length < 3) {
                b.problem("SLP request line does not have a method, a URI and a version");
            }
        }
    }

    /** Content-Length counts bytes, including the trailing NUL (§7.5). */
    private static void contentLength(String declared, String bodyText, boolean whole, Decoded.Builder b) {
        if (declared == null) {
            return;
        }
        Long length = Text.parseLong(declared.strip());
        if (length == null) {
            b.problem("SLP Content-Length \"" + Text.clip(declared) + "\" is not a number");
            return;
        }
        int present = bodyText.getBytes(StandardCharsets.UTF_8).length;
        b.put("body-length", present);
        if (whole && present != length) {
            b.problem("SLP Content-Length is " + length + " but the body has " + present + " bytes");
        } else if (!whole && present > length) {
            b.problem("SLP body has " + present + " bytes, more than its Content-Length " + length);
        }
    }

    private static void body(String bodyText, Decoded.Builder b, List<String> mapProblems) {
        FieldLines.Result lines = FieldLines.parse(bodyText, "SLP body");
        b.problems(lines.problems());
        List<MimeHeader> l = lines.lines();
        if (l.isEmpty()) {
            return;
        }
        b.put("body", FieldLines.toMap(l, "SLP body", mapProblems));
        String euf = FieldLines.first(l, "EUF-GUID");
        b.put("euf-guid", euf);
        if (euf != null) {
            b.put("euf-guid-name", EUF_GUIDS.get(euf.toUpperCase(Locale.ROOT)));
        }
        b.put("session-id", number(FieldLines.first(l, "SessionID")));
        b.put("app-id", number(FieldLines.first(l, "AppID")));
        String context = FieldLines.first(l, "Context");
        b.put("context", context);
        if (context != null) {
            context(context, b);
        }
        List<Map<String, Object>> addresses = new ArrayList<>();
        for (MimeHeader h : l) {
            String reversedName = new StringBuilder(h.name()).reverse().toString();
            Map<String, Object> a = new LinkedHashMap<>();
            if (ADDRESS_FIELDS.contains(h.name())) {
                a.put("field", h.name());
                a.put("value", h.value());
                a.put("reversed", false);
            } else if (ADDRESS_FIELDS.contains(reversedName)) {
                a.put("field", reversedName);
                a.put("value", new StringBuilder(h.value()).reverse().toString());
                a.put("reversed", true);
            } else {
                continue;
            }
            addresses.add(a);
        }
        if (!addresses.isEmpty()) {
            b.put("addresses", addresses);
        }
    }

    /** For pictures and emoticons the context is the MSNObject, base64-encoded, often NUL-terminated. */
    private static void context(String context, Decoded.Builder b) {
        byte[] raw;
        try {
            raw = Base64.getMimeDecoder().decode(context.strip());
        } catch (IllegalArgumentException e) {
            b.problem("SLP Context is not valid base64");
            return;
        }
        String s = stripNuls(new String(raw, StandardCharsets.UTF_8));
        if (MsnObject.looksLikeMsnObject(s)) {
            b.nest("context-msnobj", MsnObject.decode(s));
        }
    }

    private static Object number(String s) {
        if (s == null) {
            return null;
        }
        Long n = Text.parseLong(s.strip());
        return n != null ? (Object) n : s;
    }

    private static int blankLine(String s) {
        if (s.startsWith("\r\n") || s.startsWith("\n")) {
            return 0;
        }
        int crlf = s.indexOf("\r\n\r\n");
        int lf = s.indexOf("\n\n");
        int best = -1;
        if (crlf >= 0) {
            best = crlf + 2;
        }
        if (lf >= 0 && (best < 0 || lf + 1 < best)) {
            best = lf + 1;
        }
        return best;
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** The text after the line ending (CRLF or LF) that starts at {@code at}. */
    private static String skipLineEnd(String s, int at) {
        int i = at;
        if (i < s.length() && s.charAt(i) == '\r') {
            i++;
        }
        if (i < s.length() && s.charAt(i) == '\n') {
            i++;
        }
        return s.substring(i);
    }

    private static String stripNuls(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '\0') {
            end--;
        }
        return s.substring(0, end);
    }
}

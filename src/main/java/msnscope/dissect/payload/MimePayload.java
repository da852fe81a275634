package msnscope.dissect.payload;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The MIME-style header block that starts every MSNP {@code MSG} payload (§7.4, §6.8): {@code Name: value}
 * lines, a blank line, then the body bytes.
 *
 * <p>Lines may end in CRLF (what the protocol sends) or a bare LF (what transcripts copied from web pages
 * contain); both are accepted, the style is reported in {@link #lineEndings()}, and a mix of the two is a
 * problem because two parsers may then split the same bytes differently. Header values are kept raw. The
 * header block is read as UTF-8; the body is kept as bytes, since only its content type says what it is.
 *
 * <p>A payload without a blank line is read as all headers and an empty body, with a problem. Decoding never
 * throws and costs one pass over the header bytes.
 */
public final class MimePayload {

    /** Most header entries listed by {@link #toDecoded()}; all of them stay available in {@link #headers()}. */
    static final int MAX_LISTED_HEADERS = 128;

    /** Byte range of one header value inside the payload, for {@link #replaceHeader}. */
    private record ValueSpan(int start, int end) {
    }

    private static final byte[] EMPTY = new byte[0];

    private final List<MimeHeader> headers;
    private final List<ValueSpan> spans;
    private final byte[] body;
    private final int bodyOffset;
    private final boolean blankLine;
    private final String lineEndings;
    private final String contentType;
    private final String charset;
    private final List<String> problems;

    private MimePayload(List<MimeHeader> headers, List<ValueSpan> spans, byte[] body, int bodyOffset,
                        boolean blankLine, String lineEndings, String contentType, String charset,
                        List<String> problems) {
        this.headers = Collections.unmodifiableList(headers);
        this.spans = spans;
        this.body = body;
        this.bodyOffset = bodyOffset;
        this.blankLine = blankLine;
        this.lineEndings = lineEndings;
        this.contentType = contentType;
        this.charset = charset;
        this.problems = Collections.unmodifiableList(problems);
    }

    /** Splits {@code payload} (the bytes after the {@code MSG} command line) into headers and body. */
    public static MimePayload decode(byte[] payload) {
        return decode(payload, false);
    }

    /** {@code withSpans}: also note where each value lies, which only {@link #replaceHeader} needs. */
    private static MimePayload decode(byte[] payload, boolean withSpans) {
        byte[] p = payload == null ? new byte[0] : payload;
        List<MimeHeader> headers = new ArrayList<>();
        List<ValueSpan> spans = withSpans ? new ArrayList<>() : null;
        List<String> problems = new ArrayList<>();
        int crlf = 0;
        int lf = 0;
        int noColon = 0;
        boolean badUtf8 = false;
        boolean blank = false;
        int bodyOffset = p.length;
        int pos = 0;
        int lineNo = 0;
        while (pos < p.length) {
            int nl = indexOf(p, (byte) '\n', pos);
            int lineEnd = nl < 0 ? p.length : nl;
            if (nl >= 0) {
                if (lineEnd > pos && p[lineEnd - 1] == '\r') {
                    lineEnd--;
                    crlf++;
                } else {
                    lf++;
                }
            }
            lineNo++;
            if (lineEnd == pos && nl >= 0) {
                blank = true;
                bodyOffset = nl + 1;
                break;
            }
            int colon = indexOf(p, (byte) ':', pos, lineEnd);
            if (colon < 0) {
                if (++noColon <= 3) {
                    problems.add("header line " + lineNo + " has no colon: \""
                            + Text.clip(new String(p, pos, Math.min(lineEnd - pos, 4 * Text.CLIP),
                            StandardCharsets.UTF_8)) + "\"");
                }
            } else {
                int valueStart = colon + 1;
                while (valueStart < lineEnd && (p[valueStart] == ' ' || p[valueStart] == '\t')) {
                    valueStart++;
                }
                DecodedText name = Utf8.decode(p, pos, colon - pos, "header name");
                DecodedText value = Utf8.decode(p, valueStart, lineEnd - valueStart, "header value");
                badUtf8 |= name.hasProblems() || value.hasProblems();
                if (name.text().isBlank()) {
                    problems.add("header line " + lineNo + " has an empty name");
                }
                headers.add(new MimeHeader(name.text().strip(), value.text()));
                if (withSpans) {
                    spans.add(new ValueSpan(valueStart, lineEnd));
                }
            }
            if (nl < 0) {
                problems.add("last header line has no line ending");
                break;
            }
            pos = nl + 1;
        }
        if (noColon > 3) {
            problems.add((noColon - 3) + " more header lines have no colon");
        }
        if (!blank) {
            problems.add("MIME header block has no blank line");
        }
        if (badUtf8) {
            problems.add("header block is not valid UTF-8 (invalid sequences replaced with U+FFFD)");
        }
        String endings = crlf > 0 && lf > 0 ? "mixed" : lf > 0 ? "LF" : crlf > 0 ? "CRLF" : "none";
        if (endings.equals("mixed")) {
            problems.add("header lines mix CRLF and bare LF endings (" + crlf + " CRLF, " + lf + " LF)");
        }
        String rawType = FieldLines.first(headers, "Content-Type");
        String contentType = "";
        String charset = null;
        if (rawType == null) {
            if (!headers.isEmpty() || blank) {
                problems.add("no Content-Type header");
            }
        } else {
            int semi = rawType.indexOf(';');
            contentType = (semi < 0 ? rawType : rawType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
            while (semi >= 0) {
                int start = semi + 1;
                semi = rawType.indexOf(';', start);
                String param = rawType.substring(start, semi < 0 ? rawType.length() : semi).strip();
                int eq = param.indexOf('=');
                if (eq > 0 && param.substring(0, eq).strip().equalsIgnoreCase("charset")) {
                    charset = unquote(param.substring(eq + 1).strip());
                }
            }
        }
        if (!headers.isEmpty() && FieldLines.first(headers, "MIME-Version") == null) {
            problems.add("no MIME-Version header");
        }
        byte[] body = bodyOffset >= p.length ? EMPTY : Arrays.copyOfRange(p, bodyOffset, p.length);
        return new MimePayload(headers, spans, body, bodyOffset, blank, endings, contentType, charset, problems);
    }

    /**
     * Returns a copy of {@code payload} in which the value of every header called {@code name} (matched
     * without regard to case; only in the header block, never in the body) is {@code newValue}; every other
     * byte is identical. Used to rewrite {@code ClientIP} and to redact tickets. When no header matches, the
     * copy equals the input. The caller must recompute the {@code MSG} length: the size may change.
     *
     * @throws IllegalArgumentException if {@code newValue} contains CR or LF, which would inject lines
     */
    public static byte[] replaceHeader(byte[] payload, String name, String newValue) {
        if (newValue.indexOf('\r') >= 0 || newValue.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a header value cannot contain CR or LF");
        }
        byte[] p = payload == null ? new byte[0] : payload;
        MimePayload parsed = decode(p, true);
        byte[] replacement = newValue.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(p.length + replacement.length);
        int copied = 0;
        for (int i = 0; i < parsed.headers.size(); i++) {
            if (parsed.headers.get(i).hasName(name)) {
                ValueSpan span = parsed.spans.get(i);
                out.write(p, copied, span.start() - copied);
                out.writeBytes(replacement);
                copied = span.end();
            }
        }
        out.write(p, copied, p.length - copied);
        return out.toByteArray();
    }

    /** Bytes of a payload's start searched by {@link #headerContentType}: the header block of any MSNP message. */
    private static final int HEAD = 1024;

    /**
     * The MIME type a payload's {@code Content-Type:} header names (case-insensitive, in its first
     * {@value #HEAD} bytes), as written, without parameters; null when there is none. A quick look for
     * the proxy console and the index, which need only this, not a full {@link #decode}.
     */
    public static String headerContentType(byte[] payload) {
        String head = new String(payload, 0, Math.min(payload.length, HEAD), StandardCharsets.ISO_8859_1);
        String name = "Content-Type:";
        for (int at = 0; at + name.length() <= head.length(); at++) {
            if (head.regionMatches(true, at, name, 0, name.length())) {
                int end = at + name.length();
                while (end < head.length() && head.charAt(end) != '\r' && head.charAt(end) != '\n' && head.charAt(end) != ';') {
                    end++;
                }
                String type = head.substring(at + name.length(), end).trim();
                return type.isEmpty() ? null : type;
            }
        }
        return null;
    }

    /** All header lines in order, including repeated names. */
    public List<MimeHeader> headers() {
        return headers;
    }

    /** The first value of header {@code name} (case-insensitive), or {@code null}. */
    public String header(String name) {
        return FieldLines.first(headers, name);
    }

    /** A copy of the bytes after the blank line (empty when there is no blank line). */
    public byte[] body() {
        return body.clone();
    }

    /** The body itself, not a copy, for the decoders of this package: they only read it. */
    byte[] bodyBytes() {
        return body;
    }

    public int bodyLength() {
        return body.length;
    }

    /** Index in the payload where the body starts; the payload length when there is no blank line. */
    public int bodyOffset() {
        return bodyOffset;
    }

    public boolean hasBlankLine() {
        return blankLine;
    }

    /** {@code CRLF}, {@code LF}, {@code mixed}, or {@code none} (a single unterminated line or nothing). */
    public String lineEndings() {
        return lineEndings;
    }

    /** The media type of {@code Content-Type}, lower-cased, without parameters; empty when absent. */
    public String contentType() {
        return contentType;
    }

    /** The {@code charset} parameter of {@code Content-Type} as sent, or {@code null}. */
    public String charset() {
        return charset;
    }

    public List<String> problems() {
        return problems;
    }

    /**
     * Fields: {@code content-type}, {@code charset}, {@code headers} (ordered name → value; a repeated name
     * maps to the list of its values), {@code body-length} (bytes), {@code line-endings}.
     */
    public Decoded toDecoded() {
        Decoded.Builder b = Decoded.builder();
        appendTo(b);
        return b.build();
    }

    /**
     * Adds what {@link #toDecoded()} gives to {@code b}, which must be empty, when that is exactly what
     * {@code b.merge(toDecoded())} would add (always, unless the problems overflow {@link Decoded#MAX_PROBLEMS}
     * and the merge would count the overflow differently); returns false, adding nothing, otherwise.
     */
    boolean appendTo(Decoded.Builder b, boolean checkOverflow) {
        if (checkOverflow && problems.size() + headers.size() + 1 > Decoded.MAX_PROBLEMS) {
            return false;
        }
        appendTo(b);
        return true;
    }

    private void appendTo(Decoded.Builder b) {
        b.put("content-type", contentType.isEmpty() ? null : contentType);
        b.put("charset", charset);
        List<String> mapProblems = new ArrayList<>();
        List<MimeHeader> listed = headers.size() > MAX_LISTED_HEADERS ? headers.subList(0, MAX_LISTED_HEADERS) : headers;
        b.put("headers", FieldLines.toMap(listed, "header block", mapProblems));
        b.put("body-length", body.length);
        b.put("line-endings", lineEndings);
        b.problems(problems);
        b.problems(mapProblems);
        if (listed.size() < headers.size()) {
            b.problem("only the first " + MAX_LISTED_HEADERS + " of " + headers.size() + " headers are listed");
        }
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static int indexOf(byte[] b, byte v, int from) {
        return indexOf(b, v, from, b.length);
    }

    private static int indexOf(byte[] b, byte v, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }
}

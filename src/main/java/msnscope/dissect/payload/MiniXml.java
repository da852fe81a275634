package msnscope.dissect.payload;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A small XML parser for the subset MSNP uses, built for untrusted bytes from the wire.
 *
 * <p>Accepts an XML declaration, comments and processing instructions (both skipped), CDATA sections, the
 * five predefined entities, decimal and hexadecimal character references, attributes in single or double
 * quotes, self-closing tags and whitespace anywhere XML allows it. A {@code <!DOCTYPE} is refused outright
 * ("DOCTYPE not allowed"): no DTD, so no entity expansion and nothing is ever fetched. Input is at most
 * {@value #MAX_BYTES} bytes (or characters) and elements nest at most {@value #MAX_DEPTH} deep.
 *
 * <p>As a conforming XML processor would, it normalises line ends ({@code CRLF} and a lone {@code CR}
 * become {@code LF}) and attribute-value whitespace (a literal tab, CR or LF becomes a space), and it rejects
 * characters XML does not allow, undeclared entities, duplicate attributes, a second root element and
 * non-whitespace text outside the root.
 *
 * <p>The parser is a single iterative pass (an explicit stack, never recursion), never throws, and reports
 * malformed input as one sentence with the line and column where it went wrong. The result is an immutable
 * tree of {@link Element}s.
 */
final class MiniXml {

    /** Largest XML accepted, in bytes. NS XML payloads are a few KB; 256 KiB leaves ample room. */
    static final int MAX_BYTES = 256 * 1024;

    /** Deepest element nesting accepted; MSNP XML is at most about six levels deep. */
    static final int MAX_DEPTH = 64;

    private MiniXml() {
    }

    /**
     * A parsed document ({@code root} non-null) or the reason there is none ({@code error}); {@code notes}
     * are problems that did not stop the parse (invalid UTF-8 replaced with U+FFFD).
     */
    record Parsed(Element root, String error, List<String> notes) {
        boolean ok() {
            return root != null;
        }
    }

    /** One element: name, attributes in document order, child elements, and text content. Immutable. */
    static final class Element {
        private final String name;
        private final String[] attributes; // name0, value0, name1, value1, …
        private final List<Element> children;
        private final Document document;
        private final int textStart;
        private final int textEnd;

        private Element(String name, String[] attributes, List<Element> children, Document document,
                        int textStart, int textEnd) {
            this.name = name;
            this.attributes = attributes;
            this.children = children;
            this.document = document;
            this.textStart = textStart;
            this.textEnd = textEnd;
        }

        String name() {
            return name;
        }

        int attributeCount() {
            return attributes.length / 2;
        }

        String attributeName(int i) {
            return attributes[2 * i];
        }

        String attributeValue(int i) {
            return attributes[2 * i + 1];
        }

        /** Attribute value, or {@code null} when absent. */
        String attr(String attributeName) {
            for (int i = 0; i < attributes.length; i += 2) {
                if (attributes[i].equals(attributeName)) {
                    return attributes[i + 1];
                }
            }
            return null;
        }

        /** Child elements in document order; read-only. */
        List<Element> children() {
            return children;
        }

        /** First child element called {@code childName}, or {@code null}. */
        Element child(String childName) {
            for (Element c : children) {
                if (c.name.equals(childName)) {
                    return c;
                }
            }
            return null;
        }

        /** Text of the first child element called {@code childName}, or {@code null} when there is none. */
        String childText(String childName) {
            Element c = child(childName);
            return c == null ? null : c.text();
        }

        /** All text inside this element, descendants included, entities resolved (the DOM's textContent). */
        String text() {
            return textStart == textEnd ? "" : document.text.substring(textStart, textEnd);
        }

        /** Length of {@link #text()} without building it. */
        int textLength() {
            return textEnd - textStart;
        }

        /** First descendant (not this element) called {@code descendantName} in document order, or {@code null}. */
        Element firstDescendant(String descendantName) {
            ArrayDeque<Element> stack = new ArrayDeque<>();
            pushReversed(stack, children);
            while (!stack.isEmpty()) {
                Element e = stack.pop();
                if (e.name.equals(descendantName)) {
                    return e;
                }
                pushReversed(stack, e.children);
            }
            return null;
        }

        private static void pushReversed(ArrayDeque<Element> stack, List<Element> list) {
            for (int i = list.size() - 1; i >= 0; i--) {
                stack.push(list.get(i));
            }
        }

        @Override
        public String toString() {
            return "<" + name + ">";
        }
    }

    /** The text of the whole document in order; each element's text content is one slice of it. */
    private static final class Document {
        private String text = "";
    }

    /** Parses UTF-8 bytes (or the encoding an XML declaration names); a UTF-8 byte-order mark is skipped. */
    static Parsed parse(byte[] xml) {
        if (xml.length > MAX_BYTES) {
            return failed("XML of " + xml.length + " bytes exceeds the " + MAX_BYTES + "-byte limit; not parsed");
        }
        int off = xml.length >= 3 && (xml[0] & 0xFF) == 0xEF && (xml[1] & 0xFF) == 0xBB && (xml[2] & 0xFF) == 0xBF ? 3 : 0;
        Charset declared = declaredCharset(xml, off);
        if (declared == null) {
            return failed("malformed XML at line 1, column 1: unsupported encoding in the XML declaration");
        }
        if (declared != StandardCharsets.UTF_8) {
            return new Parser(new String(xml, off, xml.length - off, declared), List.of()).run();
        }
        DecodedText text = Utf8.decode(xml, off, xml.length - off, "XML");
        return new Parser(text.text(), text.problems()).run();
    }

    /** Parses text that is already characters; an encoding declaration is then only checked for syntax. */
    static Parsed parse(String xml) {
        if (xml.length() > MAX_BYTES) {
            return failed("XML of " + xml.length() + " characters exceeds the " + MAX_BYTES + " limit; not parsed");
        }
        return new Parser(xml, List.of()).run();
    }

    private static Parsed failed(String error) {
        return new Parsed(null, error, List.of());
    }

    /**
     * The charset an XML declaration at {@code off} names: UTF-8 when there is none or it says UTF-8,
     * {@code null} when it names one this JDK does not have. A malformed declaration is left to the parser.
     */
    private static Charset declaredCharset(byte[] b, int off) {
        if (!startsWith(b, off, "<?xml") || b.length <= off + 5 || !isSpace((char) b[off + 5])) {
            return StandardCharsets.UTF_8;
        }
        int end = Math.min(b.length, off + 256);
        int close = off;
        while (close + 1 < end && !(b[close] == '?' && b[close + 1] == '>')) {
            close++;
        }
        String decl = new String(b, off, close - off, StandardCharsets.ISO_8859_1);
        int at = decl.indexOf("encoding");
        if (at < 0) {
            return StandardCharsets.UTF_8;
        }
        int i = at + 8;
        while (i < decl.length() && (decl.charAt(i) == ' ' || decl.charAt(i) == '=' || decl.charAt(i) == '\t'
                || decl.charAt(i) == '\r' || decl.charAt(i) == '\n')) {
            i++;
        }
        if (i >= decl.length() || decl.charAt(i) != '"' && decl.charAt(i) != '\'') {
            return StandardCharsets.UTF_8;
        }
        int q = decl.indexOf(decl.charAt(i), i + 1);
        if (q < 0) {
            return StandardCharsets.UTF_8;
        }
        String name = decl.substring(i + 1, q);
        if (name.equalsIgnoreCase("UTF-8") || name.equalsIgnoreCase("UTF8")) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.isSupported(name) ? Charset.forName(name) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean startsWith(byte[] b, int off, String ascii) {
        if (b.length - off < ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (b[off + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Thrown inside the parser only, to unwind to {@link #run()}; never escapes this class. */
    private static final class Malformed extends Exception {
        final int pos;

        Malformed(int pos, String message) {
            super(message, null, false, false);
            this.pos = pos;
        }
    }

    /** An element whose end tag has not been seen yet. */
    private static final class Open {
        final String name;
        final String[] attributes;
        final int textStart;
        List<Element> children;

        Open(String name, String[] attributes, int textStart) {
            this.name = name;
            this.attributes = attributes;
            this.textStart = textStart;
        }
    }

    private static final String[] NO_ATTRIBUTES = new String[0];

    private static final class Parser {
        private final String s;
        private final int n;
        private final List<String> notes;
        private final Document document = new Document();
        private final StringBuilder text = new StringBuilder();
        private final ArrayList<Open> stack = new ArrayList<>();
        private int pos;
        private Element root;

        Parser(String s, List<String> notes) {
            this.s = s;
            this.n = s.length();
            this.notes = notes;
        }

        Parsed run() {
            try {
                document();
                document.text = text.toString();
                return new Parsed(root, null, notes);
            } catch (Malformed m) {
                return new Parsed(null, "malformed XML at " + where(m.pos) + ": " + m.getMessage(), notes);
            }
        }

        /** "line L, column C", both from 1, of character index {@code at}. */
        private String where(int at) {
            int line = 1;
            int lineStart = 0;
            int end = Math.min(at, n);
            for (int i = 0; i < end; i++) {
                char c = s.charAt(i);
                if (c == '\n' || c == '\r' && !(i + 1 < n && s.charAt(i + 1) == '\n')) {
                    line++;
                    lineStart = i + 1;
                }
            }
            return "line " + line + ", column " + (end - lineStart + 1);
        }

        private void document() throws Malformed {
            if (s.startsWith("<?xml", 0) && n > 5 && isSpace(s.charAt(5))) {
                declaration();
            }
            // Prolog, root element, trailing misc.
            while (true) {
                skipSpace();
                if (pos >= n) {
                    break;
                }
                if (s.charAt(pos) != '<') {
                    throw new Malformed(pos, root == null ? "text before the root element" : "text after the root element");
                }
                if (s.startsWith("<!--", pos)) {
                    comment();
                } else if (s.startsWith("<?", pos)) {
                    processingInstruction();
                } else if (s.startsWith("<!DOCTYPE", pos)) {
                    throw new Malformed(pos, "DOCTYPE not allowed");
                } else if (s.startsWith("<!", pos)) {
                    throw new Malformed(pos, "markup \"" + Text.clip(s.substring(pos, Math.min(n, pos + 9)), 9)
                            + "\" is not allowed outside the root element");
                } else if (root != null) {
                    throw new Malformed(pos, "a second root element");
                } else {
                    element();
                }
            }
            if (root == null) {
                throw new Malformed(pos, "no root element");
            }
        }

        /** {@code <?xml version="1.x" [encoding="…"] [standalone="yes|no"] ?>}. */
        private void declaration() throws Malformed {
            int start = pos;
            pos += 5;
            String[] expected = {"version", "encoding", "standalone"};
            int next = 0;
            while (true) {
                skipSpace();
                if (s.startsWith("?>", pos)) {
                    pos += 2;
                    break;
                }
                if (pos >= n) {
                    throw new Malformed(start, "XML declaration is not closed with ?>");
                }
                int nameStart = pos;
                String name = name("XML declaration attribute");
                int k = next;
                while (k < expected.length && !expected[k].equals(name)) {
                    k++;
                }
                // Like the JDK parser, tolerate a missing space between two pseudo-attributes (not after "<?xml").
                if (k == expected.length || next == 0 && k != 0) {
                    throw new Malformed(nameStart, next == 0 ? "XML declaration must start with version"
                            : "unexpected \"" + Text.clip(name) + "\" in the XML declaration");
                }
                next = k + 1;
                skipSpace();
                expect('=', "'=' after " + name);
                skipSpace();
                int valueAt = pos;
                String value = quoted(false);
                boolean valid = switch (name) {
                    case "version" -> value.equals("1.0") || value.equals("1.1");
                    case "encoding" -> !value.isEmpty() && isAsciiLetter(value.charAt(0));
                    default -> value.equals("yes") || value.equals("no");
                };
                if (!valid) {
                    throw new Malformed(valueAt, "invalid " + name + " \"" + Text.clip(value) + "\" in the XML declaration");
                }
            }
            if (next == 0) {
                throw new Malformed(start, "XML declaration has no version");
            }
        }

        private void comment() throws Malformed {
            int start = pos;
            int end = s.indexOf("--", pos + 4);
            if (end < 0) {
                throw new Malformed(start, "comment is not closed with -->");
            }
            if (!s.startsWith("-->", end)) {
                throw new Malformed(end, "\"--\" is not allowed inside a comment");
            }
            checkChars(pos + 4, end);
            pos = end + 3;
        }

        private void processingInstruction() throws Malformed {
            int start = pos;
            pos += 2;
            String target = name("processing instruction target");
            if (target.equalsIgnoreCase("xml")) {
                throw new Malformed(start, "an XML declaration is only allowed at the very start");
            }
            int end = s.indexOf("?>", pos);
            if (end < 0) {
                throw new Malformed(start, "processing instruction is not closed with ?>");
            }
            if (end > pos && !isSpace(s.charAt(pos))) {
                throw new Malformed(pos, "processing instruction target must be followed by whitespace");
            }
            checkChars(pos, end);
            pos = end + 2;
        }

        /** The root element and everything in it, iteratively. */
        private void element() throws Malformed {
            startTag();
            while (!stack.isEmpty()) {
                int lt = s.indexOf('<', pos);
                if (lt < 0) {
                    charData(pos, n);
                    pos = n;
                    Open open = stack.get(stack.size() - 1);
                    throw new Malformed(n, "element <" + Text.clip(open.name) + "> is not closed");
                }
                if (lt > pos) {
                    charData(pos, lt);
                    pos = lt;
                }
                if (s.startsWith("</", pos)) {
                    endTag();
                } else if (s.startsWith("<!--", pos)) {
                    comment();
                } else if (s.startsWith("<![CDATA[", pos)) {
                    cdata();
                } else if (s.startsWith("<?", pos)) {
                    processingInstruction();
                } else if (s.startsWith("<!DOCTYPE", pos)) {
                    throw new Malformed(pos, "DOCTYPE not allowed");
                } else if (s.startsWith("<!", pos)) {
                    throw new Malformed(pos, "unknown markup \"" + Text.clip(s.substring(pos, Math.min(n, pos + 9)), 9) + "\"");
                } else {
                    startTag();
                }
            }
        }

        private void startTag() throws Malformed {
            int start = pos;
            pos++;
            String name = name("element name");
            String[] attributes = NO_ATTRIBUTES;
            int count = 0;
            while (true) {
                boolean spaced = skipSpace();
                if (pos >= n) {
                    throw new Malformed(start, "start tag <" + Text.clip(name) + "> is not closed");
                }
                char c = s.charAt(pos);
                if (c == '>' || c == '/') {
                    break;
                }
                if (!spaced) {
                    throw new Malformed(pos, "element <" + Text.clip(name) + "> must be followed by attributes, '>' or '/>'");
                }
                int attrAt = pos;
                String attrName = name("attribute name");
                for (int i = 0; i < count; i += 2) {
                    if (attributes[i].equals(attrName)) {
                        throw new Malformed(attrAt, "attribute " + Text.clip(attrName) + " appears twice in <" + Text.clip(name) + ">");
                    }
                }
                skipSpace();
                expect('=', "'=' after attribute " + Text.clip(attrName));
                skipSpace();
                String value = quoted(true);
                if (count == attributes.length) {
                    attributes = Arrays.copyOf(attributes, Math.max(8, count * 2));
                }
                attributes[count++] = attrName;
                attributes[count++] = value;
            }
            if (count < attributes.length) {
                attributes = Arrays.copyOf(attributes, count);
            }
            if (stack.size() >= MAX_DEPTH) {
                throw new Malformed(start, "element <" + Text.clip(name) + "> is nested deeper than the " + MAX_DEPTH + "-level limit");
            }
            Open open = new Open(name, attributes, text.length());
            if (s.charAt(pos) == '/') {
                if (pos + 1 >= n || s.charAt(pos + 1) != '>') {
                    throw new Malformed(pos, "'/' in start tag <" + Text.clip(name) + "> is not followed by '>'");
                }
                pos += 2;
                close(open);
            } else {
                pos++;
                stack.add(open);
            }
        }

        private void endTag() throws Malformed {
            int start = pos;
            pos += 2;
            String name = name("end tag name");
            skipSpace();
            expect('>', "'>' to close end tag </" + Text.clip(name) + ">");
            Open open = stack.remove(stack.size() - 1);
            if (!open.name.equals(name)) {
                throw new Malformed(start, "end tag </" + Text.clip(name) + "> does not match <" + Text.clip(open.name) + ">");
            }
            close(open);
        }

        private void close(Open open) {
            List<Element> children = open.children == null ? List.of() : Collections.unmodifiableList(open.children);
            Element e = new Element(open.name, open.attributes, children, document, open.textStart, text.length());
            if (stack.isEmpty()) {
                root = e;
            } else {
                Open parent = stack.get(stack.size() - 1);
                if (parent.children == null) {
                    parent.children = new ArrayList<>(4);
                }
                parent.children.add(e);
            }
        }

        private void cdata() throws Malformed {
            int start = pos;
            int end = s.indexOf("]]>", pos + 9);
            if (end < 0) {
                throw new Malformed(start, "CDATA section is not closed with ]]>");
            }
            appendNormalized(pos + 9, end);
            pos = end + 3;
        }

        /** Text between markup: entities resolved, line ends normalised, "]]>" refused. */
        private void charData(int from, int to) throws Malformed {
            int i = from;
            int run = from;
            while (i < to) {
                char c = s.charAt(i);
                if (c == '&') {
                    appendNormalized(run, i);
                    i = reference(i, text);
                    run = i;
                } else if (c == ']' && s.startsWith("]]>", i)) {
                    throw new Malformed(i, "\"]]>\" is not allowed in text");
                } else {
                    i++;
                }
            }
            appendNormalized(run, to);
        }

        /** Appends {@code s[from, to)} with CRLF and lone CR turned into LF, after checking its characters. */
        private void appendNormalized(int from, int to) throws Malformed {
            int run = from;
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c >= 0xD800) {
                    if (c == '\r') {
                        text.append(s, run, i).append('\n');
                        if (i + 1 < to && s.charAt(i + 1) == '\n') {
                            i++;
                        }
                        run = i + 1;
                    } else {
                        i = checkChar(i);
                    }
                }
            }
            text.append(s, run, to);
        }

        /** {@code &name;} or {@code &#…;} at {@code at}, appended to {@code out}; returns the index after it. */
        private int reference(int at, StringBuilder out) throws Malformed {
            int semi = -1;
            for (int i = at + 1; i < n && i <= at + 32; i++) {
                char c = s.charAt(i);
                if (c == ';') {
                    semi = i;
                    break;
                }
                if (c == '<' || c == '&' || isSpace(c)) {
                    break;
                }
            }
            if (semi < 0) {
                throw new Malformed(at, "'&' must start an entity or character reference ending in ';' (write &amp; for '&')");
            }
            String ref = s.substring(at + 1, semi);
            switch (ref) {
                case "amp" -> out.append('&');
                case "lt" -> out.append('<');
                case "gt" -> out.append('>');
                case "quot" -> out.append('"');
                case "apos" -> out.append('\'');
                default -> {
                    if (!ref.startsWith("#")) {
                        throw new Malformed(at, "entity &" + Text.clip(ref) + "; is not one of the five XML defines");
                    }
                    Long cp = ref.startsWith("#x") ? Text.parseHex(ref.substring(2)) : digitsOnly(ref.substring(1));
                    if (cp == null || !isXmlChar(cp)) {
                        throw new Malformed(at, "character reference &" + Text.clip(ref) + "; is not a valid XML character");
                    }
                    out.appendCodePoint((int) (long) cp);
                }
            }
            return semi + 1;
        }

        /** A quoted attribute (or declaration) value; references resolved and whitespace normalised if {@code full}. */
        private String quoted(boolean full) throws Malformed {
            if (pos >= n || s.charAt(pos) != '"' && s.charAt(pos) != '\'') {
                throw new Malformed(pos, "value must be in quotes");
            }
            char quote = s.charAt(pos);
            int start = pos + 1;
            int end = s.indexOf(quote, start);
            if (end < 0) {
                throw new Malformed(pos, "value has no closing quote");
            }
            pos = end + 1;
            StringBuilder sb = null;
            int run = start;
            for (int i = start; i < end; i++) {
                char c = s.charAt(i);
                if (c == '<') {
                    throw new Malformed(i, "'<' is not allowed in an attribute value");
                }
                if (c == '&' || c < 0x20 || c >= 0xD800) {
                    if (sb == null) {
                        sb = new StringBuilder(end - start);
                    }
                    sb.append(s, run, i);
                    if (c == '&') {
                        if (!full) {
                            throw new Malformed(i, "'&' is not allowed here");
                        }
                        i = reference(i, sb) - 1;
                    } else if (c == '\r' || c == '\n' || c == '\t') {
                        sb.append(' ');
                        if (c == '\r' && i + 1 < end && s.charAt(i + 1) == '\n') {
                            i++;
                        }
                    } else {
                        int last = checkChar(i);
                        sb.append(s, i, last + 1);
                        i = last;
                    }
                    run = i + 1;
                }
            }
            if (sb == null) {
                return s.substring(start, end);
            }
            return sb.append(s, run, end).toString();
        }

        /** Checks the characters in {@code [from, to)} (comments, PIs). */
        private void checkChars(int from, int to) throws Malformed {
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c >= 0xD800) {
                    i = checkChar(i);
                }
            }
        }

        /**
         * Checks the possibly invalid character at {@code i} (a control character, surrogate or U+FFFE/F);
         * returns the index of its last char (i + 1 for a valid surrogate pair).
         */
        private int checkChar(int i) throws Malformed {
            char c = s.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r' || c >= 0xE000 && c <= 0xFFFD) {
                return i;
            }
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                return i + 1;
            }
            throw new Malformed(i, "character U+" + hex4(c) + " is not allowed in XML");
        }

        private String name(String what) throws Malformed {
            int start = pos;
            if (pos >= n || !isNameStart(s.charAt(pos))) {
                throw new Malformed(pos, what + " expected");
            }
            pos++;
            while (pos < n && isNameChar(s.charAt(pos))) {
                pos++;
            }
            return s.substring(start, pos);
        }

        private void expect(char c, String what) throws Malformed {
            if (pos >= n || s.charAt(pos) != c) {
                throw new Malformed(pos, what + " expected");
            }
            pos++;
        }

        /** Skips XML whitespace; returns whether there was any. */
        private boolean skipSpace() {
            int start = pos;
            while (pos < n && isSpace(s.charAt(pos))) {
                pos++;
            }
            return pos > start;
        }
    }

    private static String hex4(char c) {
        String h = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
        return "0000".substring(h.length()) + h;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    /** XML name start: ASCII letters, '_', ':', and letters beyond ASCII (approximated as any non-ASCII name char). */
    private static boolean isNameStart(char c) {
        if (c < 0x80) {
            return isAsciiLetter(c) || c == '_' || c == ':';
        }
        return c >= 0xC0 && c != 0xD7 && c != 0xF7 && (c < 0x2000 || c >= 0x2070 && c < 0xD800 || c >= 0xF900 && c <= 0xFFFD);
    }

    private static boolean isNameChar(char c) {
        if (c < 0x80) {
            return isAsciiLetter(c) || c >= '0' && c <= '9' || c == '_' || c == ':' || c == '-' || c == '.';
        }
        return c == 0xB7 || isNameStart(c) || c >= 0x300 && c <= 0x36F || c == 0x203F || c == 0x2040;
    }

    private static boolean isXmlChar(long cp) {
        return cp == 0x9 || cp == 0xA || cp == 0xD || cp >= 0x20 && cp <= 0xD7FF || cp >= 0xE000 && cp <= 0xFFFD
                || cp >= 0x10000 && cp <= 0x10FFFF;
    }

    private static boolean allDigits(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Decimal digits only (no sign), as a character reference requires, or {@code null}. */
    private static Long digitsOnly(String s) {
        return !s.isEmpty() && s.length() <= 10 && allDigits(s, 0) ? Text.parseLong(s) : null;
    }
}

package msnscope.dissect.payload;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * XML payloads of NS commands: {@code UUX}/{@code UBX} ({@code <Data>}, §6.6), {@code ADL}/{@code RML}
 * ({@code <ml>}, §2.3), {@code NOT} ({@code <NOTIFICATION>}), {@code GCF} ({@code <config>} Shields or
 * {@code <Policies>}), and the {@code Mail-Data} {@code <MD>}.
 *
 * <p>Parsed with {@link MiniXml}: no DTDs, no entities beyond the five predefined ones, no network, at most
 * {@value MiniXml#MAX_BYTES} bytes. Malformed XML is a problem, never an exception.
 *
 * <p>Every result starts with {@code root} (the root element name). The rest depends on the root: see
 * {@link PsmXml}, {@link ContactListXml}, {@link NotificationXml}, {@link ConfigXml}, {@link MailData};
 * any other root gives {@code text-length} (characters of text content).
 */
public final class XmlPayload {

    private static final Set<String> KNOWN_ROOTS = Set.of("Data", "ml", "NOTIFICATION", "config", "Policies", "MD");

    private XmlPayload() {
    }

    /**
     * @param xml      the payload bytes (the parser honours an encoding declaration; UTF-8 otherwise, with
 *                 invalid sequences replaced by U+FFFD and reported)
     * @param rootHint the root the carrying command implies ({@code "Data"} for UUX/UBX, {@code "ml"} for
     *                 ADL/RML), or {@code null}. When the payload is a fragment without that root — the
     *                 older wiki transcript sends {@code <PSM>…</PSM><CurrentMedia>…</CurrentMedia>} bare —
     *                 it is decoded as if wrapped in it, and that is reported as a problem.
     */
    public static Decoded decode(byte[] xml, String rootHint) {
        Decoded.Builder b = Decoded.builder();
        byte[] bytes = xml == null ? new byte[0] : xml;
        if (bytes.length == 0) {
            return b.problem("XML payload is empty").build();
        }
        if (bytes.length > MiniXml.MAX_BYTES) {
            return b.put("length", bytes.length).problem(MiniXml.parse(bytes).error()).build();
        }
        if (!startsWithTag(bytes)) {
            // Cheap early exit for binary or plain text: a parser would only say the same, slowly.
            return b.put("length", bytes.length).problem("XML payload does not start with '<'").build();
        }
        MiniXml.Parsed parsed = MiniXml.parse(bytes);
        b.problems(parsed.notes());
        String hint = validHint(rootHint);
        boolean wrongRoot = parsed.ok() && hint != null
                && !parsed.root().name().equals(hint)
                && !KNOWN_ROOTS.contains(parsed.root().name());
        if (hint != null && (!parsed.ok() || wrongRoot)) {
            MiniXml.Parsed wrapped = MiniXml.parse(wrap(bytes, hint));
            if (wrapped.ok()) {
                b.problem("payload has no <" + hint + "> root element; decoded as if wrapped in one");
                parsed = wrapped;
            }
        }
        if (!parsed.ok()) {
            return b.put("length", bytes.length).problem(parsed.error()).build();
        }
        MiniXml.Element root = parsed.root();
        String name = root.name();
        b.put("root", name);
        if (hint != null && !name.equals(hint)) {
            b.problem("expected a <" + hint + "> root element but found <" + Text.clip(name) + ">");
        }
        switch (name) {
            case "Data" -> b.merge(PsmXml.decode(root));
            case "ml" -> b.merge(ContactListXml.decode(root));
            case "NOTIFICATION" -> b.merge(NotificationXml.decode(root));
            case "config", "Policies" -> b.merge(ConfigXml.decode(root));
            case "MD" -> b.merge(MailData.decode(root));
            default -> b.put("text-length", root.textLength());
        }
        return b.build();
    }

    /** First byte after whitespace and an optional UTF-8 byte-order mark is '<'. */
    private static boolean startsWithTag(byte[] b) {
        int i = b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF ? 3 : 0;
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        return i < b.length && b[i] == '<';
    }

    /** A hint is used only if it is a plain element name ({@code [A-Za-z][A-Za-z0-9_.-]{0,63}}): it is pasted into XML text. */
    private static String validHint(String hint) {
        if (hint == null || hint.isEmpty() || hint.length() > 64) {
            return null;
        }
        for (int i = 0; i < hint.length(); i++) {
            char c = hint.charAt(i);
            boolean letter = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
            if (!(letter || i > 0 && (c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'))) {
                return null;
            }
        }
        return hint;
    }

    /** Wraps the payload in {@code <hint>…</hint>}, dropping a leading XML declaration and byte-order mark. */
    private static String wrap(byte[] bytes, String hint) {
        String text = Utf8.decode(bytes, "XML").text();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String stripped = text.stripLeading();
        if (stripped.startsWith("<?xml")) {
            int end = stripped.indexOf("?>");
            text = end < 0 ? stripped : stripped.substring(end + 2);
        }
        return "<" + hint + ">" + text + "</" + hint + ">";
    }

    /** Convenience for callers holding a string. */
    public static Decoded decode(String xml, String rootHint) {
        return decode(xml == null ? new byte[0] : xml.getBytes(StandardCharsets.UTF_8), rootHint);
    }

    /** Names of the child elements, for summaries. */
    static List<String> childNames(MiniXml.Element e) {
        List<String> names = new ArrayList<>(e.children().size());
        for (MiniXml.Element c : e.children()) {
            names.add(c.name());
        }
        return names;
    }
}

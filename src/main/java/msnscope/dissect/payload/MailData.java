package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * The {@code Mail-Data} value of MSNP11+ mail and offline-IM notifications (§6.8):
 * {@code <MD><E><I>…</I><IU>…</IU><O>…</O><OU>…</OU></E><Q><QTM>…</QTM><QNM>…</QNM></Q><M>…</M>…</MD>}.
 *
 * <p>Fields: {@code inbox-total}, {@code inbox-unread}, {@code other-total}, {@code other-unread},
 * {@code quota-total}, {@code quota-used} (numbers when numeric, else as sent; QTM/QNM as sent by the
 * server), {@code offline-message-count}, {@code offline-messages} (at most {@value #MAX_MESSAGES}, each
 * {@code {from, name, id, size, received}} from the E, N, I, SZ, RT children of an {@code <M>}). A value
 * that is not XML (servers send {@code too-large} when the list does not fit) is kept in {@code value}.
 */
public final class MailData {

    static final int MAX_MESSAGES = 32;

    private MailData() {
    }

    public static Decoded decode(String value) {
        Decoded.Builder b = Decoded.builder();
        if (value == null) {
            return b.build();
        }
        String v = value.strip();
        if (!v.startsWith("<")) {
            return b.put("value", v).build();
        }
        SafeXml.Parsed parsed = SafeXml.parse(v);
        if (!parsed.ok()) {
            return b.problem("Mail-Data: " + parsed.error()).build();
        }
        return decode(parsed.document().getDocumentElement());
    }

    static Decoded decode(Element md) {
        Decoded.Builder b = Decoded.builder();
        if (!md.getTagName().equals("MD")) {
            b.problem("Mail-Data root is <" + Text.clip(md.getTagName()) + ">, not <MD>");
        }
        Element e = SafeXml.child(md, "E");
        if (e != null) {
            b.put("inbox-total", number(SafeXml.childText(e, "I")));
            b.put("inbox-unread", number(SafeXml.childText(e, "IU")));
            b.put("other-total", number(SafeXml.childText(e, "O")));
            b.put("other-unread", number(SafeXml.childText(e, "OU")));
        }
        Element q = SafeXml.child(md, "Q");
        if (q != null) {
            b.put("quota-total", number(SafeXml.childText(q, "QTM")));
            b.put("quota-used", number(SafeXml.childText(q, "QNM")));
        }
        List<Map<String, Object>> messages = new ArrayList<>();
        int count = 0;
        for (Element m : SafeXml.children(md)) {
            if (!m.getTagName().equals("M")) {
                continue;
            }
            count++;
            if (messages.size() < MAX_MESSAGES) {
                Map<String, Object> msg = new LinkedHashMap<>();
                msg.put("from", SafeXml.childText(m, "E"));
                msg.put("name", SafeXml.childText(m, "N"));
                msg.put("id", SafeXml.childText(m, "I"));
                msg.put("size", number(SafeXml.childText(m, "SZ")));
                msg.put("received", SafeXml.childText(m, "RT"));
                messages.add(msg);
            }
        }
        b.put("offline-message-count", count);
        if (!messages.isEmpty()) {
            b.put("offline-messages", messages);
        }
        if (count > messages.size()) {
            b.problem("only the first " + MAX_MESSAGES + " of " + count + " offline messages are listed");
        }
        return b.build();
    }

    private static Object number(String s) {
        if (s == null) {
            return null;
        }
        Long n = Text.parseLong(s.strip());
        return n != null ? (Object) n : s;
    }
}

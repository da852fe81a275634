package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        MiniXml.Parsed parsed = MiniXml.parse(v);
        if (!parsed.ok()) {
            return b.problem("Mail-Data: " + parsed.error()).build();
        }
        return decode(parsed.root());
    }

    static Decoded decode(MiniXml.Element md) {
        Decoded.Builder b = Decoded.builder();
        if (!md.name().equals("MD")) {
            b.problem("Mail-Data root is <" + Text.clip(md.name()) + ">, not <MD>");
        }
        MiniXml.Element e = md.child("E");
        if (e != null) {
            b.put("inbox-total", number(e.childText("I")));
            b.put("inbox-unread", number(e.childText("IU")));
            b.put("other-total", number(e.childText("O")));
            b.put("other-unread", number(e.childText("OU")));
        }
        MiniXml.Element q = md.child("Q");
        if (q != null) {
            b.put("quota-total", number(q.childText("QTM")));
            b.put("quota-used", number(q.childText("QNM")));
        }
        List<Map<String, Object>> messages = new ArrayList<>();
        int count = 0;
        for (MiniXml.Element m : md.children()) {
            if (!m.name().equals("M")) {
                continue;
            }
            count++;
            if (messages.size() < MAX_MESSAGES) {
                Map<String, Object> msg = new LinkedHashMap<>();
                msg.put("from", m.childText("E"));
                msg.put("name", m.childText("N"));
                msg.put("id", m.childText("I"));
                msg.put("size", number(m.childText("SZ")));
                msg.put("received", m.childText("RT"));
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

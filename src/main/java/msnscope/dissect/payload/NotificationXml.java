package msnscope.dissect.payload;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The {@code <NOTIFICATION>} payload of {@code NOT} (MSN alerts, spaces updates).
 *
 * <p>Fields: {@code id}, {@code site-id}, {@code site-url} (root attributes {@code id}, {@code siteid},
 * {@code siteurl}), {@code text} (the first {@code TEXT} or {@code TEXTX} element), {@code action-url} and
 * {@code subscribe-url} (the {@code url} of {@code ACTION} and {@code SUBSCR}; these point at web servers,
 * §3.8).
 */
final class NotificationXml {

    private NotificationXml() {
    }

    static Decoded decode(Element root) {
        Decoded.Builder b = Decoded.builder();
        b.put("id", SafeXml.attr(root, "id"));
        b.put("site-id", SafeXml.attr(root, "siteid"));
        b.put("site-url", SafeXml.attr(root, "siteurl"));
        Element text = first(root, "TEXT");
        if (text == null) {
            text = first(root, "TEXTX");
        }
        if (text != null) {
            b.put("text", text.getTextContent());
        }
        Element action = first(root, "ACTION");
        b.put("action-url", action == null ? null : SafeXml.attr(action, "url"));
        Element subscr = first(root, "SUBSCR");
        b.put("subscribe-url", subscr == null ? null : SafeXml.attr(subscr, "url"));
        return b.build();
    }

    private static Element first(Element root, String name) {
        NodeList list = root.getElementsByTagName(name);
        return list.getLength() > 0 ? (Element) list.item(0) : null;
    }
}

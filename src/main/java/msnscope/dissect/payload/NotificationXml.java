package msnscope.dissect.payload;


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

    static Decoded decode(MiniXml.Element root) {
        Decoded.Builder b = Decoded.builder();
        b.put("id", root.attr("id"));
        b.put("site-id", root.attr("siteid"));
        b.put("site-url", root.attr("siteurl"));
        MiniXml.Element text = root.firstDescendant("TEXT");
        if (text == null) {
            text = root.firstDescendant("TEXTX");
        }
        if (text != null) {
            b.put("text", text.text());
        }
        MiniXml.Element action = root.firstDescendant("ACTION");
        b.put("action-url", action == null ? null : action.attr("url"));
        MiniXml.Element subscr = root.firstDescendant("SUBSCR");
        b.put("subscribe-url", subscr == null ? null : subscr.attr("url"));
        return b.build();
    }
}

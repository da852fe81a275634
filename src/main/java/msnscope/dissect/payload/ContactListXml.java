package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code <ml>} payload of {@code ADL}/{@code RML} (§2.3):
 * {@code <ml l="1"><d n="domain"><c n="local" l="3" t="1" f="nick"/></d><t><c n="tel:+…" l="1"/></t></ml>}.
 *
 * <p>Fields: {@code initial} (true when {@code l="1"} marks the initial list), {@code contacts} (each
 * {@code {handle, list-bits, network, nick}}: {@code handle} is {@code local@domain}, {@code list-bits}
 * the {@code l} bits FL=1 AL=2 BL=4 RL=8 PL=16, {@code network} the {@code t} value, {@code nick} the
 * {@code f} value as sent), {@code phones} (each {@code {number, list-bits}}), {@code contact-count}.
 * At most {@value #MAX_ENTRIES} entries are listed in all.
 */
final class ContactListXml {

    static final int MAX_ENTRIES = 5000;

    private ContactListXml() {
    }

    static Decoded decode(MiniXml.Element ml) {
        Decoded.Builder b = Decoded.builder();
        b.put("initial", "1".equals(ml.attr("l")));
        List<Map<String, Object>> contacts = new ArrayList<>();
        List<Map<String, Object>> phones = new ArrayList<>();
        int total = 0;
        for (MiniXml.Element group : ml.children()) {
            boolean isDomain = group.name().equals("d");
            if (!isDomain && !group.name().equals("t")) {
                b.problem("unexpected <" + Text.clip(group.name()) + "> in <ml>");
                continue;
            }
            String domain = group.attr("n");
            if (isDomain && (domain == null || domain.isEmpty())) {
                b.problem("<d> without a domain name (n attribute)");
            }
            for (MiniXml.Element c : group.children()) {
                if (!c.name().equals("c")) {
                    b.problem("unexpected <" + Text.clip(c.name()) + "> in <" + group.name() + ">");
                    continue;
                }
                total++;
                if (contacts.size() + phones.size() >= MAX_ENTRIES) {
                    continue;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                String n = c.attr("n");
                if (isDomain) {
                    entry.put("handle", (n == null ? "" : n) + "@" + (domain == null ? "" : domain));
                } else {
                    entry.put("number", n);
                }
                entry.put("list-bits", bits(c.attr("l"), b));
                if (isDomain) {
                    entry.put("network", bits(c.attr("t"), b));
                    entry.put("nick", c.attr("f"));
                    contacts.add(entry);
                } else {
                    phones.add(entry);
                }
                if (n == null) {
                    b.problem("<c> without a name (n attribute)");
                }
            }
        }
        b.put("contacts", contacts);
        if (!phones.isEmpty()) {
            b.put("phones", phones);
        }
        b.put("contact-count", total);
        if (total > contacts.size() + phones.size()) {
            b.problem("only the first " + MAX_ENTRIES + " of " + total + " list entries are listed");
        }
        return b.build();
    }

    private static Object bits(String value, Decoded.Builder b) {
        if (value == null) {
            return null;
        }
        Integer n = Text.parseInt(value);
        if (n == null) {
            b.problem("list attribute \"" + Text.clip(value) + "\" is not a number");
            return value;
        }
        return n;
    }
}

package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;

/**
 * The {@code GCF} payloads: the MSNP11–12 Shields file ({@code <config><shield><cli …/></shield>
 * <block/></config>}) and the later {@code <Policies><Policy type="SHIELDS">…</Policy>…</Policies>}.
 * Only summarised: their policy content is not interpreted.
 *
 * <p>Fields: {@code summary} (one line); for {@code config}: {@code sections} (child element names) and
 * {@code client-rules} (the attributes of each {@code shield/cli}, at most {@value #MAX_RULES}); for
 * {@code Policies}: {@code policies} (each {@code {type, checksum}}).
 */
final class ConfigXml {

    static final int MAX_RULES = 32;

    private ConfigXml() {
    }

    static Decoded decode(Element root) {
        return root.getTagName().equals("Policies") ? policies(root) : config(root);
    }

    private static Decoded config(Element config) {
        Decoded.Builder b = Decoded.builder();
        List<String> sections = XmlPayload.childNames(config);
        List<Map<String, Object>> rules = new ArrayList<>();
        StringBuilder summary = new StringBuilder("Shields config:");
        if (sections.isEmpty()) {
            summary.append(" empty");
        }
        for (Element section : SafeXml.children(config)) {
            int count = SafeXml.children(section).size();
            summary.append(' ').append(section.getTagName()).append(" (")
                    .append(count == 0 ? "empty" : count + " entr" + (count == 1 ? "y" : "ies")).append(')');
            if (section.getTagName().equals("shield")) {
                for (Element cli : SafeXml.children(section)) {
                    if (cli.getTagName().equals("cli") && rules.size() < MAX_RULES) {
                        rules.add(attributes(cli));
                    }
                }
            }
        }
        b.put("summary", summary.toString());
        b.put("sections", sections);
        if (!rules.isEmpty()) {
            b.put("client-rules", rules);
        }
        return b.build();
    }

    private static Decoded policies(Element root) {
        Decoded.Builder b = Decoded.builder();
        List<Map<String, Object>> policies = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (Element p : SafeXml.children(root)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", SafeXml.attr(p, "type"));
            entry.put("checksum", SafeXml.attr(p, "checksum"));
            policies.add(entry);
            types.add(SafeXml.attr(p, "type") == null ? p.getTagName() : SafeXml.attr(p, "type"));
        }
        b.put("summary", policies.size() + " polic" + (policies.size() == 1 ? "y" : "ies")
                + (types.isEmpty() ? "" : ": " + String.join(", ", types)));
        b.put("policies", policies);
        return b.build();
    }

    private static Map<String, Object> attributes(Element e) {
        Map<String, Object> out = new LinkedHashMap<>();
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Attr a = (Attr) attrs.item(i);
            out.put(a.getName(), a.getValue());
        }
        return out;
    }
}

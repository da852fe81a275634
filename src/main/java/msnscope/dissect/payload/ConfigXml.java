package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    static Decoded decode(MiniXml.Element root) {
        return root.name().equals("Policies") ? policies(root) : config(root);
    }

    private static Decoded config(MiniXml.Element config) {
        Decoded.Builder b = Decoded.builder();
        List<String> sections = XmlPayload.childNames(config);
        List<Map<String, Object>> rules = new ArrayList<>();
        StringBuilder summary = new StringBuilder("Shields config:");
        if (sections.isEmpty()) {
            summary.append(" empty");
        }
        for (MiniXml.Element section : config.children()) {
            int count = section.children().size();
            summary.append(' ').append(section.name()).append(" (")
                    .append(count == 0 ? "empty" : count + " entr" + (count == 1 ? "y" : "ies")).append(')');
            if (section.name().equals("shield")) {
                for (MiniXml.Element cli : section.children()) {
                    if (cli.name().equals("cli") && rules.size() < MAX_RULES) {
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

    private static Decoded policies(MiniXml.Element root) {
        Decoded.Builder b = Decoded.builder();
        List<Map<String, Object>> policies = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (MiniXml.Element p : root.children()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            String type = p.attr("type");
            entry.put("type", type);
            entry.put("checksum", p.attr("checksum"));
            policies.add(entry);
            types.add(type == null ? p.name() : type);
        }
        b.put("summary", policies.size() + " polic" + (policies.size() == 1 ? "y" : "ies")
                + (types.isEmpty() ? "" : ": " + String.join(", ", types)));
        b.put("policies", policies);
        return b.build();
    }

    /** The attributes sorted by name (the order the DOM used to list them in, kept for stable output). */
    private static Map<String, Object> attributes(MiniXml.Element e) {
        int count = e.attributeCount();
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> e.attributeName(x).compareTo(e.attributeName(y)));
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i : order) {
            out.put(e.attributeName(i), e.attributeValue(i));
        }
        return out;
    }
}

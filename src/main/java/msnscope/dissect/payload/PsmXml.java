package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code <Data>} payload of {@code UUX}/{@code UBX} (§6.6).
 *
 * <p>Fields: {@code psm} (the personal message, XML entities resolved), {@code current-media} (see
 * {@link CurrentMedia}; only when the element has text), {@code machine-guid} (MSNP13+),
 * {@code other-elements} (names of any further children, e.g. the MSNP16+ endpoint data).
 */
final class PsmXml {

    private PsmXml() {
    }

    static Decoded decode(MiniXml.Element data) {
        Decoded.Builder b = Decoded.builder();
        List<String> others = new ArrayList<>();
        for (MiniXml.Element child : data.children()) {
            String name = child.name();
            String key = switch (name) {
                case "PSM" -> "psm";
                case "CurrentMedia" -> "current-media";
                case "MachineGuid" -> "machine-guid";
                default -> null;
            };
            if (key == null) {
                others.add(name);
                continue;
            }
            if (b.has(key)) {
                b.problem("<Data> has more than one <" + name + ">; the first is used");
                continue;
            }
            String text = child.text();
            if (key.equals("current-media")) {
                if (!text.isEmpty()) {
                    b.nest(key, CurrentMedia.decode(text));
                }
            } else {
                b.put(key, text);
            }
        }
        if (!others.isEmpty()) {
            b.put("other-elements", others);
        }
        return b.build();
    }
}

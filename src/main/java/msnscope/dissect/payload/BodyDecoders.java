package msnscope.dissect.payload;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The body decoders by name, and the default choice of decoder by content type.
 *
 * <p>Names: {@code text}, {@code typing}, {@code datacast}, {@code emoticons}, {@code invite},
 * {@code fields} (headers-only and {@code Name: value} messages), {@code p2p}. Which content type uses
 * which decoder is declared once, in {@code dissectors/payloads.yaml} ({@code decode:}).
 */
public final class BodyDecoders {

    private static final Map<String, BodyDecoder> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("text", TextMessage::decode);
        BY_NAME.put("typing", TypingMessage::decode);
        BY_NAME.put("datacast", DatacastMessage::decode);
        BY_NAME.put("emoticons", EmoticonMessage::decode);
        BY_NAME.put("invite", InviteMessage::decode);
        BY_NAME.put("fields", HeaderFieldsMessage::decode);
        BY_NAME.put("p2p", P2pMessage::decode);
    }

    private BodyDecoders() {
    }

    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    public static Optional<BodyDecoder> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}

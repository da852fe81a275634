package msnscope.dissect.payload;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The body decoders by name, and the default choice of decoder by content type.
 *
 * <p>Names: {@code text}, {@code typing}, {@code datacast}, {@code emoticons}, {@code invite},
 * {@code fields} (headers-only and {@code Name: value} messages), {@code p2p}. The names are what the
 * {@code dissectors/payloads.yaml} declarations refer to; {@link #forContentType} is the built-in default
 * for when no declaration names one.
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

    /** NS message types whose content is {@code Name: value} fields (§6.8). */
    private static final Set<String> FIELD_TYPES = Set.of(
            "text/x-msmsgsprofile", "text/x-msmsgsinitialmdatanotification", "text/x-msmsgsinitialemailnotification",
            "text/x-msmsgsemailnotification", "text/x-msmsgsactivemailnotification", "text/x-msmsgsoimnotification",
            "application/x-msmsgssystemmessage");

    private BodyDecoders() {
    }

    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    public static Optional<BodyDecoder> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The decoder name for a lower-case media type (as {@link MimePayload#contentType()} gives it), if any. */
    public static Optional<String> forContentType(String contentType) {
        String name = switch (contentType) {
            case "text/plain" -> "text";
            case "text/x-msmsgscontrol" -> "typing";
            case "text/x-msnmsgr-datacast" -> "datacast";
            case "text/x-mms-emoticon", "text/x-mms-animemoticon" -> "emoticons";
            case "text/x-msmsgsinvite" -> "invite";
            case "application/x-msnmsgrp2p" -> "p2p";
            default -> FIELD_TYPES.contains(contentType) ? "fields" : null;
        };
        return Optional.ofNullable(name);
    }
}

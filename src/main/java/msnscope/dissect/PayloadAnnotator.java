package msnscope.dissect;

import msnscope.dissect.payload.Decoded;
import msnscope.dissect.payload.MimePayload;
import msnscope.dissect.payload.MsgPayload;
import msnscope.dissect.payload.XmlPayload;
import msnscope.dissect.spec.ContentTypeSpec;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.wire.Frame;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Decodes a frame's payload by the kind its form declares ({@code mime}, {@code xml}, {@code text}) and,
 * for MIME, by the body decoder {@code dissectors/payloads.yaml} names for its content type. The result
 * goes into the frame's fields under {@code payload}; what the decoders found wrong becomes
 * {@code payload-malformed} warnings.
 */
final class PayloadAnnotator {

    /** Longest chat text quoted in a summary. */
    private static final int QUOTE = 60;

    private final ProtocolSpec spec;

    PayloadAnnotator(ProtocolSpec spec) {
        this.spec = spec;
    }

    /** Adds the decoded payload to {@code fields}; returns a short description for the summary. */
    String annotate(Frame frame, FormSpec form, Map<String, Object> fields, List<Warning> warnings) {
        int length = frame.payloadLength();
        if (length == 0) {
            return null;
        }
        String kind = form == null || form.payload() == null ? "binary" : form.payload();
        byte[] payload = frame.payload();
        return switch (kind) {
            case "mime" -> mime(payload, fields, warnings);
            case "routing" -> routing(payload, fields, warnings);
            case "xml" -> {
                Decoded d = xml(payload, form.payloadRoot());
                put(d, fields, warnings);
                Object psm = d.get("psm");
                yield psm instanceof String s && !s.isEmpty() ? "\"" + quote(s) + "\"" : length + " bytes of XML <" + d.get("root") + ">";
            }
            case "text" -> {
                String text = new String(payload, StandardCharsets.UTF_8);
                fields.put("payload", Map.of("text", text));
                yield length + " bytes of text";
            }
            default -> length + " bytes";
        };
    }

    /** Decodes with the declared root; a payload with another of the declared roots is decoded as that one. */
    private static Decoded xml(byte[] payload, String roots) {
        if (roots == null || !roots.contains("|")) {
            return XmlPayload.decode(payload, roots);
        }
        Decoded plain = XmlPayload.decode(payload, null);
        for (String root : roots.split("\\|")) {
            if (root.equals(plain.get("root"))) {
                return plain;
            }
        }
        return XmlPayload.decode(payload, roots.substring(0, roots.indexOf('|')));
    }

    /**
     * MSNP18+ routed documents: a routing header block ({@code To}, {@code From}), a reliability block
     * ({@code Stream}, {@code Segment}), a messaging block ({@code Content-Type}, {@code Message-Type}), then
     * the body — each block ended by an empty line, so MIME parsing applies block by block.
     */
    private static String routing(byte[] payload, Map<String, Object> fields, List<Warning> warnings) {
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        byte[] rest = payload;
        String[] blocks = {"routing", "reliability", "messaging"};
        MimePayload last = null;
        for (String block : blocks) {
            if (rest.length == 0) {
                break;
            }
            MimePayload part = MimePayload.decode(rest);
            Map<String, Object> headers = new java.util.LinkedHashMap<>();
            part.headers().forEach(h -> headers.put(h.name(), h.value()));
            doc.put(block, headers);
            last = part;
            rest = part.body();
            if (!part.hasBlankLine()) {
                warnings.add(new Warning(Warning.PAYLOAD_MALFORMED, block + " header block is not ended by an empty line"));
                break;
            }
        }
        doc.put("body-length", rest.length);
        if (rest.length > 0 && Text.isUtf8(rest, 0, rest.length)) {
            doc.put("body", new String(rest, StandardCharsets.UTF_8));
        }
        fields.put("payload", doc);
        String type = last == null ? null : last.header("Content-Type");
        Object to = doc.get("routing") instanceof Map<?, ?> r ? r.get("To") : null;
        return "routed document" + (to != null ? " to " + to : "") + (type != null ? " (" + type + ")" : "");
    }

    private String mime(byte[] payload, Map<String, Object> fields, List<Warning> warnings) {
        MimePayload mime = MimePayload.decode(payload);
        String type = mime.contentType();
        ContentTypeSpec declared = type == null ? null : spec.contentType(type);
        Decoded d = MsgPayload.decode(mime, declared == null ? null : declared.decode());
        put(d, fields, warnings);
        if (declared == null) {
            return type == null ? payload.length + " bytes without Content-Type" : type + " (" + payload.length + " bytes, not in payloads.yaml)";
        }
        return describe(declared, d);
    }

    /** The gist of a message for its summary line: the chat text, who is typing, what was invited… */
    private static String describe(ContentTypeSpec type, Decoded d) {
        Object c = d.get("content");
        Map<?, ?> content = c instanceof Map<?, ?> m ? m : Map.of();
        return switch (type.decode()) {
            case "text" -> content.get("text") instanceof String s ? "\"" + quote(s) + "\"" : type.meaning();
            case "typing" -> content.get("typing-user") + " is typing";
            case "datacast" -> content.get("meaning") != null ? String.valueOf(content.get("meaning")) : type.meaning();
            case "invite" -> "invitation " + content.get("invitation-command")
                    + (content.get("application") != null ? " for " + content.get("application") : "");
            case "p2p" -> "P2P session " + content.get("session-id") + ", bytes " + content.get("offset") + "+"
                    + content.get("chunk-size") + " of " + content.get("total-size")
                    + (content.get("slp") instanceof Map<?, ?> slp && slp.get("start-line") != null ? " (" + slp.get("start-line") + ")" : "");
            default -> shortMeaning(type.meaning());
        };
    }

    private static String shortMeaning(String meaning) {
        int paren = meaning.indexOf(" (");
        return paren > 0 ? meaning.substring(0, paren) : meaning;
    }

    private static void put(Decoded d, Map<String, Object> fields, List<Warning> warnings) {
        fields.put("payload", d.fields());
        for (String p : d.problems()) {
            warnings.add(new Warning(Warning.PAYLOAD_MALFORMED, p));
        }
    }

    private static String quote(String s) {
        String one = s.replace("\r\n", " ").replace('\n', ' ');
        return one.length() <= QUOTE ? one : one.substring(0, QUOTE) + "…";
    }
}

package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code text/x-mms-emoticon} and {@code text/x-mms-animemoticon} messages (§7.4): the body is
 * {@code shortcut<TAB>msnobj<TAB>} repeated, announcing the custom emoticons of the next text message.
 *
 * <p>Fields: {@code emoticons}, a list of {@code {shortcut, msnobj, object}} where {@code msnobj} is the
 * object as sent and {@code object} its {@link MsnObject} fields; {@code count}. At most
 * {@value #MAX_EMOTICONS} entries are decoded.
 */
public final class EmoticonMessage {

    static final int MAX_EMOTICONS = 64;

    private EmoticonMessage() {
    }

    public static Decoded decode(MimePayload mime) {
        Decoded.Builder b = Decoded.builder();
        DecodedText text = Utf8.decode(mime.bodyBytes(), "emoticon list");
        b.problems(text.problems());
        String body = text.text();
        // Clients end the list with a TAB and sometimes a CRLF; neither starts another entry.
        while (body.endsWith("\r\n") || body.endsWith("\n")) {
            body = body.substring(0, body.length() - (body.endsWith("\r\n") ? 2 : 1));
        }
        if (body.endsWith("\t")) {
            body = body.substring(0, body.length() - 1);
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        if (!body.isEmpty()) {
            String[] parts = body.split("\t", -1);
            if (parts.length % 2 != 0) {
                b.problem("emoticon list ends with a shortcut that has no MSNObject");
            }
            for (int i = 0; i + 1 < parts.length; i += 2) {
                if (entries.size() >= MAX_EMOTICONS) {
                    b.problem("more than " + MAX_EMOTICONS + " emoticons; the rest are not decoded");
                    break;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("shortcut", parts[i]);
                entry.put("msnobj", parts[i + 1]);
                Decoded object = MsnObject.decode(parts[i + 1]);
                entry.put("object", object.fields());
                for (String p : object.problems()) {
                    b.problem("emoticon \"" + Text.clip(parts[i]) + "\": " + p);
                }
                entries.add(entry);
            }
        }
        return b.put("emoticons", entries).put("count", entries.size()).build();
    }
}

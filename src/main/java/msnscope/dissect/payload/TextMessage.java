package msnscope.dissect.payload;

/**
 * {@code text/plain} chat messages (§7.4).
 *
 * <p>Fields: {@code text} (the body read as UTF-8), {@code text-length} (characters, UTF-16 units as Java
 * counts them), {@code format} (the decoded {@code X-MMS-IM-Format}, see {@link ImFormat}), when present.
 * The body is always read as UTF-8 because that is what MSN clients send whatever the header says; a
 * different declared charset is reported, as is invalid UTF-8.
 */
public final class TextMessage {

    private TextMessage() {
    }

    public static Decoded decode(MimePayload mime) {
        Decoded.Builder b = Decoded.builder();
        byte[] body = mime.bodyBytes();
        DecodedText text = Utf8.decode(body, "message text");
        b.put("text", text.text()).put("text-length", text.text().length()).problems(text.problems());
        String charset = mime.charset();
        if (charset != null && !charset.equalsIgnoreCase("UTF-8")) {
            b.problem("declared charset " + Text.clip(charset) + " is not UTF-8; the text was read as UTF-8");
        }
        String format = mime.header("X-MMS-IM-Format");
        if (format != null) {
            b.nest("format", ImFormat.decode(format));
        }
        return b.build();
    }
}

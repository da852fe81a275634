package msnscope.dissect.payload;

/**
 * {@code text/x-msmsgscontrol} typing notifications (§7.4): the header {@code TypingUser: handle} and a body
 * that is just CRLF.
 *
 * <p>Fields: {@code typing-user}; {@code body-length} (bytes) only when the body is something other than
 * the usual CRLF or nothing.
 */
public final class TypingMessage {

    private TypingMessage() {
    }

    public static Decoded decode(MimePayload mime) {
        Decoded.Builder b = Decoded.builder();
        String user = mime.header("TypingUser");
        if (user == null) {
            b.problem("typing notification has no TypingUser header");
        }
        b.put("typing-user", user);
        byte[] body = mime.bodyBytes();
        boolean usual = body.length == 0 || body.length == 2 && body[0] == '\r' && body[1] == '\n';
        if (!usual) {
            b.put("body-length", body.length);
        }
        return b.build();
    }
}

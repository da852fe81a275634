package msnscope.dissect.payload;

/**
 * A whole {@code MSG} payload: the MIME block by {@link MimePayload}, then the body by the decoder its
 * content type selects (declared in {@code dissectors/payloads.yaml}, looked up by the caller).
 *
 * <p>Fields: those of {@link MimePayload#toDecoded()} ({@code content-type}, {@code charset},
 * {@code headers}, {@code body-length}, {@code line-endings}), then {@code decoder} (the body decoder's
 * name, absent for an unknown content type) and {@code content} (that decoder's fields).
 */
public final class MsgPayload {

    private MsgPayload() {
    }

    /** Decodes with the named body decoder ({@code null} or an unknown name: MIME fields only). */
    public static Decoded decode(MimePayload mime, String decoderName) {
        Decoded.Builder b = Decoded.builder();
        if (!mime.appendTo(b, true)) {
            b.merge(mime.toDecoded());
        }
        BodyDecoder decoder = decoderName == null ? null : BodyDecoders.byName(decoderName).orElse(null);
        if (decoder != null) {
            b.put("decoder", decoderName);
            Decoded content;
            try {
                content = decoder.decode(mime);
            } catch (RuntimeException e) {
                // A decoder bug must not take a capture down with it; say what happened instead.
                content = Decoded.builder().problem("decoder " + decoderName + " failed: " + e).build();
            }
            b.nest("content", content);
        }
        return b.build();
    }
}

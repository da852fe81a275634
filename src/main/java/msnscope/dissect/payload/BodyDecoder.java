package msnscope.dissect.payload;

/** Decodes the content of one kind of {@code MSG} payload once its MIME headers are split off. Never throws. */
@FunctionalInterface
public interface BodyDecoder {
    Decoded decode(MimePayload mime);
}

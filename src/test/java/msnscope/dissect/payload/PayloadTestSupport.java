package msnscope.dissect.payload;

import msnscope.dissect.spec.ContentTypeSpec;
import msnscope.dissect.spec.SpecLoader;

/** Decodes a whole MSG payload the way the dissector does: decoder chosen by dissectors/payloads.yaml. */
final class PayloadTestSupport {

    private PayloadTestSupport() {
    }

    static String declaredDecoder(String contentType) {
        ContentTypeSpec spec = SpecLoader.builtIn().contentType(contentType);
        return spec == null ? null : spec.decode();
    }

    static Decoded decodeByDeclaredType(byte[] payload) {
        MimePayload mime = MimePayload.decode(payload);
        return MsgPayload.decode(mime, declaredDecoder(mime.contentType()));
    }
}

package msnscope.dissect;

import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.wire.Frame;

import java.util.List;
import java.util.Map;

/** Decodes a frame's payload by its declared content kind and, for MIME, by its content type. */
final class PayloadAnnotator {

    private final ProtocolSpec spec;

    PayloadAnnotator(ProtocolSpec spec) {
        this.spec = spec;
    }

    /** Adds the decoded payload to {@code fields}; returns a short description for the summary, or null. */
    String annotate(Frame frame, FormSpec form, Map<String, Object> fields, List<Warning> warnings) {
        return frame.payloadLength() + " bytes";
    }
}

package msnscope.dissect;

import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ProtocolSpec;

import msnscope.dissect.challenge.ChallengeAnswer;
import msnscope.dissect.payload.MsnObject;

import java.util.Map;

/**
 * The dissector for one protocol spec: shared, immutable, and the factory of per-connection
 * {@link StreamDissector}s.
 */
public final class Dissector {

    private final ProtocolSpec spec;
    private final ParamDecoder params;
    private final PayloadAnnotator payloads;
    private final ChallengeVerifier challenges;
    private final FormCandidates.Cache candidates = new FormCandidates.Cache();

    public Dissector(ProtocolSpec spec) {
        this.spec = spec;
        this.params = new ParamDecoder(spec.tables(), xml -> MsnObject.decode(xml).fields());
        this.payloads = new PayloadAnnotator(spec);
        this.challenges = new ChallengeVerifier(spec.challenge(), Map.of(
                "md5", (challenge, id, key) -> ChallengeAnswer.md5(challenge, key),
                "msnp11", ChallengeAnswer::msnp11));
    }

    public StreamDissector stream(SessionContext session, String streamId, FormSpec.Role initialRole) {
        return new StreamDissector(this, session, streamId, initialRole);
    }

    public ProtocolSpec spec() {
        return spec;
    }

    ParamDecoder params() {
        return params;
    }

    PayloadAnnotator payloads() {
        return payloads;
    }

    FormCandidates.Cache candidates() {
        return candidates;
    }

    ChallengeVerifier challenges() {
        return challenges;
    }
}

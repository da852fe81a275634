package msnscope.dissect;

import msnscope.dissect.spec.ChallengeSpec;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Checks a client's {@code QRY} answer against the server's last {@code CHL}, with the product key and
 * the algorithm that {@code dissectors/challenge.yaml} declares for the negotiated version.
 */
final class ChallengeVerifier {

    /** One challenge algorithm: the 32 hex characters a correct client sends. */
    @FunctionalInterface
    interface Algorithm {
        String answer(String challenge, String productId, String productKey);
    }

    private final ChallengeSpec spec;
    private final Map<String, Algorithm> algorithms;

    ChallengeVerifier(ChallengeSpec spec, Map<String, Algorithm> algorithms) {
        this.spec = spec;
        this.algorithms = algorithms;
    }

    void verify(String challenge, String productId, byte[] payload, int version, Map<String, Object> fields, List<Warning> warnings) {
        String answer = new String(payload, StandardCharsets.US_ASCII).trim();
        fields.put("answer", answer);
        if (challenge == null) {
            warnings.add(new Warning(Warning.CHALLENGE_UNVERIFIED, "no CHL seen before this QRY"));
            return;
        }
        fields.put("challenge", challenge);
        ChallengeSpec.Product product = spec.product(productId);
        if (product == null) {
            warnings.add(new Warning(Warning.CHALLENGE_UNVERIFIED, "product id " + productId + " is not in dissectors/challenge.yaml"));
            return;
        }
        // With the version unknown (mid-session capture), an answer right under either algorithm is right.
        List<String> names = version > 0 && spec.algorithmFor(version) != null ? List.of(spec.algorithmFor(version))
                : spec.algorithms().stream().map(ChallengeSpec.Algorithm::name).distinct().toList();
        String expected = null;
        for (String name : names) {
            Algorithm a = algorithms.get(name);
            if (a == null) {
                continue;
            }
            String e = a.answer(challenge, product.id(), product.key());
            if (e.equalsIgnoreCase(answer)) {
                fields.put("answer-check", "correct (" + name + ")");
                if (version > product.upTo()) {
                    warnings.add(new Warning(Warning.CHALLENGE_UNVERIFIED, "product id " + productId + " is only accepted up to MSNP"
                            + product.upTo()));
                }
                return;
            }
            expected = expected == null ? e + " (" + name + ")" : expected;
        }
        if (expected == null) {
            warnings.add(new Warning(Warning.CHALLENGE_UNVERIFIED, "no challenge algorithm declared for MSNP" + version));
            return;
        }
        fields.put("answer-check", "wrong, expected " + expected);
        warnings.add(new Warning(Warning.CHALLENGE_WRONG, "answer " + answer + " to challenge " + challenge + " is wrong; expected "
                + expected + " with " + productId));
    }
}

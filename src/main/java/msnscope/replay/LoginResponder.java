package msnscope.replay;

import msnscope.dissect.challenge.ChallengeAnswer;
import msnscope.dissect.spec.ChallengeSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Computes what a replayed client must send in answer to the live server's login and challenge steps,
 * where the captured answer would be wrong (it answered another challenge): the MD5 response (MSNP2–7),
 * the Passport ticket (TWN, MSNP8–14) and the {@code QRY} answer with the product key of
 * {@code dissectors/challenge.yaml}. Null means "cannot compute": the captured answer is sent verbatim.
 */
public final class LoginResponder {

    private final ChallengeSpec challenges;
    private final LoginPasswords passwords;
    private final PassportLogin passport;

    public LoginResponder(ChallengeSpec challenges, LoginPasswords passwords, PassportLogin passport) {
        this.challenges = challenges;
        this.passwords = passwords;
        this.passport = passport;
    }

    /** {@code md5(salt ‖ password)} in lower-case hex (MSNP.md §5.2), or null without a password. */
    public String md5(String account, String salt) {
        String password = passwords.of(account);
        return password == null ? null : md5Hex(salt + password);
    }

    static String md5Hex(String text) {
        try {
            byte[] d = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(32);
            for (byte b : d) {
                sb.append(Character.forDigit(b >> 4 & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide MD5", e);
        }
    }

    /** A Passport ticket for the TWN challenge, or null without a password. */
    public String ticket(String account, String challenge) throws PassportException {
        String password = passwords.of(account);
        return password == null ? null : passport.ticket(account, password, challenge);
    }

    /**
     * The 32 hex characters answering {@code challenge} as the captured client's product would at
     * {@code version}, or null when challenge.yaml has no key for the product or no algorithm for the version.
     */
    public String qry(String challenge, String productId, int version) {
        ChallengeSpec.Product product = challenges.product(productId);
        String algorithm = challenges.algorithmFor(version);
        if (product == null || algorithm == null) {
            return null;
        }
        return ChallengeAnswer.answer(algorithm, challenge, product.id(), product.key());
    }
}

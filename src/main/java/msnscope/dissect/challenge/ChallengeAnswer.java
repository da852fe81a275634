package msnscope.dissect.challenge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The answer a client sends in {@code QRY} to a server's {@code CHL} challenge (MSNP.md §5.5): 32
 * lower-case hex characters.
 *
 * <p>Strings are taken as ASCII (a non-ASCII character counts as {@code ?}); real challenges are 20
 * decimal digits and ids and keys are printable ASCII.
 */
public final class ChallengeAnswer {

    /** 2^31 − 1: the modulus of the MSNP11 hash and the mask applied to the MD5 words. */
    private static final long MOD = 0x7FFFFFFFL;

    private static final long MULTIPLIER = 0x0E79A9C1L;

    private ChallengeAnswer() {
    }

    /**
     * The answer under the algorithm {@code dissectors/challenge.yaml} names for a version ({@code md5},
     * {@code msnp11}), or null for a name this class does not know.
     */
    public static String answer(String algorithm, String challenge, String productId, String productKey) {
        return switch (algorithm) {
            case "md5" -> md5(challenge, productKey);
            case "msnp11" -> msnp11(challenge, productId, productKey);
            default -> null;
        };
    }

    /** MSNP6–10: MD5 hex of {@code challenge + productKey}. */
    public static String md5(String challenge, String productKey) {
        return hex(md5Bytes(challenge + productKey));
    }

    /**
     * MSNP11+: the MD5 of {@code challenge + productKey} XORed with a 64-bit key hashed from
     * {@code challenge + productId}.
     *
     * <p>Follows §5.5 step by step. Two details matter: the output XORs the <em>unmasked</em> MD5 words
     * (Escargot's disabled verifier XORs the masked ones, which is wrong whenever a word's top bit is set),
     * and {@code challenge + productId} is padded with {@code '0'} only up to the next multiple of 8 — none
     * when already a multiple, as the reference's step 2 says (Escargot and msnp-sharp would add eight; the
     * case cannot arise with a 20-digit challenge and a 16-character id, §11 item 4). All arithmetic is
     * 64-bit: every intermediate product stays below 2^63.
     */
    public static String msnp11(String challenge, String productId, String productKey) {
        byte[] digest = md5Bytes(challenge + productKey);
        long[] h = new long[4];
        long[] m = new long[4];
        for (int i = 0; i < 4; i++) {
            h[i] = le32(digest, i * 4);
            m[i] = h[i] & MOD;
        }

        byte[] s = pad(ascii(challenge + productId));
        long high = 0;
        long low = 0;
        for (int i = 0; i + 8 <= s.length; i += 8) {
            long c0 = le32(s, i);
            long c1 = le32(s, i + 4);
            long t = (c0 * MULTIPLIER) % MOD + high;
            t = (t * m[0] + m[1]) % MOD;
            high = (c1 + t) % MOD;
            high = (high * m[2] + m[3]) % MOD;
            low = low + high + t;
        }
        high = (high + m[1]) % MOD;
        low = (low + m[3]) % MOD;

        byte[] out = new byte[16];
        putLe32(out, 0, h[0] ^ high);
        putLe32(out, 4, h[1] ^ low);
        putLe32(out, 8, h[2] ^ high);
        putLe32(out, 12, h[3] ^ low);
        return hex(out);
    }

    /** Right-pads with ASCII '0' to a multiple of 8 bytes (no padding when already a multiple). */
    private static byte[] pad(byte[] s) {
        int padded = (s.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(s, 0, out, 0, s.length);
        for (int i = s.length; i < padded; i++) {
            out[i] = '0';
        }
        return out;
    }

    private static byte[] md5Bytes(String s) {
        try {
            return MessageDigest.getInstance("MD5").digest(ascii(s));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide MD5", e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static long le32(byte[] b, int off) {
        return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
    }

    private static void putLe32(byte[] b, int off, long v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit(b >> 4 & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}

package msnscope.dissect.challenge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Vectors from MSNP.md §5.5 ("Verified vectors"). */
class ChallengeAnswerTest {

    private static final String MSNP11_ID = "PROD0090YUAUV{2B";
    private static final String MSNP11_KEY = "YMM8C_H7KCQ2S_KL";

    @Test
    void msnp11AnswerMatchesPublishedVector() {
        assertEquals("85ecb0db8f32113df79ce0892b9a102c",
                ChallengeAnswer.msnp11("22210219642164014968", MSNP11_ID, MSNP11_KEY));
    }

    @Test
    void msnp11AnswerMatchesPublishedMsnp15Vector() {
        assertEquals("f086d1ded067186deca8dba2231602cf",
                ChallengeAnswer.msnp11("11533365622852247127", "PROD0113H11T8$X_", "RG@XY*28Q5QHS%Q5"));
    }

    @Test
    void md5AnswerMatchesPublishedVectors() {
        assertEquals("20dba7e6e9817826b9cd5240cc8add99",
                ChallengeAnswer.md5("22299241447072743325", "Q1P7W2E4J9R8U3S5"));
        assertEquals("8ba1bb9d6dbf624fee31a2053af5fdd0",
                ChallengeAnswer.md5("12345678901234567890", "Q1P7W2E4J9R8U3S5"));
    }

    @Test
    void msnp11XorsUnmaskedMd5WordsUnlikeEscargotsMaskedVerifier() throws Exception {
        String challenge = "22210219642164014968";
        byte[] md5 = MessageDigest.getInstance("MD5").digest((challenge + MSNP11_KEY).getBytes(StandardCharsets.US_ASCII));
        assertTrue(anyTopBitSet(md5), "precondition: an MD5 word of this vector has its top bit set");

        String ours = ChallengeAnswer.msnp11(challenge, MSNP11_ID, MSNP11_KEY);
        assertEquals(reference(challenge, MSNP11_ID, MSNP11_KEY, false), ours);
        assertNotEquals(reference(challenge, MSNP11_ID, MSNP11_KEY, true), ours);
    }

    @Test
    void msnp11AgreesWithAnIndependentBigIntegerImplementation() {
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            StringBuilder challenge = new StringBuilder();
            for (int d = 0; d < 20; d++) {
                challenge.append(random.nextInt(10));
            }
            String c = challenge.toString();
            assertEquals(reference(c, MSNP11_ID, MSNP11_KEY, false), ChallengeAnswer.msnp11(c, MSNP11_ID, MSNP11_KEY), c);
        }
    }

    @Test
    void answersAreThirtyTwoLowerCaseHexCharacters() {
        assertTrue(ChallengeAnswer.msnp11("1", "x", "y").matches("[0-9a-f]{32}"));
        assertTrue(ChallengeAnswer.md5("", "").matches("[0-9a-f]{32}"));
    }

    private static boolean anyTopBitSet(byte[] md5) {
        for (int i = 0; i < 4; i++) {
            if ((md5[i * 4 + 3] & 0x80) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * §5.5 written again with BigInteger and no shortcuts; {@code maskedXor} reproduces Escargot's verifier,
     * which XORs the masked words.
     */
    private static String reference(String challenge, String id, String key, boolean maskedXor) {
        try {
            BigInteger mod = BigInteger.valueOf(0x7FFFFFFFL);
            byte[] md5 = MessageDigest.getInstance("MD5").digest((challenge + key).getBytes(StandardCharsets.US_ASCII));
            BigInteger[] h = new BigInteger[4];
            BigInteger[] m = new BigInteger[4];
            for (int i = 0; i < 4; i++) {
                h[i] = word(md5, i * 4);
                m[i] = h[i].and(mod);
            }
            StringBuilder s = new StringBuilder(challenge + id);
            while (s.length() % 8 != 0) {
                s.append('0');
            }
            byte[] sb = s.toString().getBytes(StandardCharsets.US_ASCII);
            BigInteger high = BigInteger.ZERO;
            BigInteger low = BigInteger.ZERO;
            for (int i = 0; i < sb.length; i += 8) {
                BigInteger t = word(sb, i).multiply(BigInteger.valueOf(0x0E79A9C1L)).mod(mod).add(high);
                t = t.multiply(m[0]).add(m[1]).mod(mod);
                high = word(sb, i + 4).add(t).mod(mod);
                high = high.multiply(m[2]).add(m[3]).mod(mod);
                low = low.add(high).add(t);
            }
            high = high.add(m[1]).mod(mod);
            low = low.add(m[3]).mod(mod);
            BigInteger[] x = maskedXor ? m : h;
            BigInteger[] words = {x[0].xor(high), x[1].xor(low), x[2].xor(high), x[3].xor(low)};
            byte[] out = new byte[16];
            for (int i = 0; i < 4; i++) {
                long w = words[i].longValue();
                for (int j = 0; j < 4; j++) {
                    out[i * 4 + j] = (byte) (w >>> (8 * j));
                }
            }
            return HexFormat.of().formatHex(out);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static BigInteger word(byte[] b, int off) {
        long v = 0;
        for (int j = 3; j >= 0; j--) {
            v = v << 8 | (b[off + j] & 0xFF);
        }
        return BigInteger.valueOf(v);
    }
}

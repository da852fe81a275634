package msnscope.dissect.payload;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import msnscope.dissect.challenge.ChallengeAnswer;
import org.junit.jupiter.api.Test;

/**
 * Random input through every decoder: none may throw, and every result must hold only JSON-safe values.
 * Pure noise rarely gets past the first check of a decoder, so most inputs are noise behind a plausible
 * prefix (MIME headers of each content type, a P2P header announcing SLP, an XML root, an MSNObject).
 */
class DecoderFuzzTest {

    private static final int RUNS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] CONTENT_TYPES = {"text/plain; charset=UTF-8", "text/x-msmsgscontrol",
        "text/x-msnmsgr-datacast", "text/x-mms-emoticon", "text/x-msmsgsinvite; charset=UTF-8",
        "application/x-msnmsgrp2p", "text/x-msmsgsprofile; charset=UTF-8", "text/x-msmsgsoimnotification"};

    private static final String[] TEXT_PREFIXES = {"", "<Data><PSM>", "<ml l=\"1\"><d n=\"", "<NOTIFICATION id=\"",
        "<config><shield>", "<Policies><Policy type=\"", "<MD><E><I>", "<msnobj Creator=\"", "FN=", "ID: ", "Mail-Data: <MD>",
        "\\0Music\\01\\0{0} - {", "INVITE MSNMSGR:a MSNSLP/1.0\r\n", "EUF-GUID: ", "%3Cmsnobj", ":)\t<msnobj "};

    private static final String[] HINTS = {null, "Data", "ml", "NOTIFICATION", "config", "bad hint<"};

    @Test
    void decodersNeverThrowOnRandomBytes() {
        Random random = new Random(0x5EED);
        for (int run = 0; run < RUNS; run++) {
            byte[] input = input(random, run);
            try {
                exercise(input, run);
            } catch (Throwable t) {
                fail("run " + run + " threw on input " + java.util.HexFormat.of().formatHex(input), t);
            }
        }
    }

    @Test
    void hugeInputsStayBoundedAndDoNotThrow() {
        byte[] big = new byte[MiniXml.MAX_BYTES + 100_000];
        new Random(1).nextBytes(big);
        assertDoesNotThrow(() -> exercise(big, 0));
        byte[] lines = "a\n".repeat(500_000).getBytes(StandardCharsets.US_ASCII);
        Decoded d = PayloadTestSupport.decodeByDeclaredType(lines);
        assertTrue(d.problems().size() <= Decoded.MAX_PROBLEMS + 1);
        assertTrue(d.toString().length() < 10_000, "garbage must not produce a huge result");
    }

    private static void exercise(byte[] input, int run) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        MimePayload mime = MimePayload.decode(input);
        check(mime.toDecoded());
        check(PayloadTestSupport.decodeByDeclaredType(input));
        for (String name : BodyDecoders.names()) {
            check(BodyDecoders.byName(name).orElseThrow().decode(mime));
        }
        check(P2pMessage.decodeBody(input));
        check(SlpMessage.decode(input, 0, input.length, run % 2 == 0));
        check(XmlPayload.decode(input, HINTS[run % HINTS.length]));
        check(MsnObject.decode(text));
        check(ImFormat.decode(text));
        check(CurrentMedia.decode(text));
        check(MailData.decode(text));
        UrlCodec.decode(text);
        MimePayload.replaceHeader(input, "Content-Type", "x");
        ChallengeAnswer.msnp11(text, "PROD0090YUAUV{2B", "YMM8C_H7KCQ2S_KL");
        if (run % 50 == 0) {
            JSON.writeValueAsString(PayloadTestSupport.decodeByDeclaredType(input).fields());
        }
    }

    private static byte[] input(Random random, int run) {
        byte[] noise = new byte[random.nextInt(run % 100 == 0 ? 4000 : 300)];
        random.nextBytes(noise);
        if (random.nextInt(4) == 0) {
            // Mostly printable noise with line breaks, tabs, colons and separators: closer to real text.
            String alphabet = "ab:; =\t\r\n\\0<>/\"'%&#{}1AZ.@é";
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (run % 4) {
            case 0 -> out.writeBytes(noise);
            case 1 -> {
                String type = CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)];
                out.writeBytes(("MIME-Version: 1.0\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                if (type.startsWith("application/x-msnmsgrp2p")) {
                    out.writeBytes(p2pPrefix(random, noise.length));
                    out.writeBytes("INVITE MSNMSGR:b MSNSLP/1.0\r\nContent-Length: 9\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                }
                out.writeBytes(noise);
            }
            case 2 -> {
                out.writeBytes(TEXT_PREFIXES[random.nextInt(TEXT_PREFIXES.length)].getBytes(StandardCharsets.UTF_8));
                out.writeBytes(noise);
            }
            default -> {
                out.writeBytes(p2pPrefix(random, noise.length));
                out.writeBytes("MSNSLP/1.0 200 OK\r\n".getBytes(StandardCharsets.UTF_8));
                out.writeBytes(noise);
            }
        }
        return out.toByteArray();
    }

    /** A P2P header in session 0 with plausible or random sizes, so the SLP path is taken. */
    private static byte[] p2pPrefix(Random random, int dataLength) {
        ByteBuffer h = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0).putInt(random.nextInt()).putLong(random.nextBoolean() ? 0 : random.nextLong())
                .putLong(random.nextBoolean() ? dataLength : random.nextLong()).putInt(random.nextBoolean() ? dataLength : random.nextInt())
                .putInt(random.nextInt()).putInt(random.nextInt()).putInt(random.nextInt()).putLong(random.nextLong());
        return h.array();
    }

    /** Every value must be one of the JSON-safe types {@link Decoded} promises, and nothing may be null. */
    private static void check(Decoded d) {
        checkValue(d.fields());
        for (String p : d.problems()) {
            if (p == null || p.isEmpty()) {
                fail("empty problem sentence in " + d);
            }
        }
    }

    private static void checkValue(Object v) {
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> {
                if (!(k instanceof String)) {
                    fail("non-string key " + k);
                }
                checkValue(x);
            });
        } else if (v instanceof List<?> l) {
            l.forEach(DecoderFuzzTest::checkValue);
        } else if (!(v instanceof String || v instanceof Integer || v instanceof Long || v instanceof Boolean)) {
            fail("value of unexpected type: " + (v == null ? "null" : v.getClass()));
        }
    }
}

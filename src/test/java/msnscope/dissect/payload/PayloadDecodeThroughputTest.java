package msnscope.dissect.payload;

import static msnscope.dissect.payload.Samples.utf8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntSupplier;
import msnscope.bench.Throughput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in micro-measure of the payload decoders alone (decodes per second, one thread): prints figures,
 * asserts nothing about time. Run with
 * {@code mvn -o test -Dtest=PayloadDecodeThroughputTest -Dpayload.bench=true [-Dpayload.bench.seconds=3]}.
 */
@EnabledIfSystemProperty(named = "payload.bench", matches = "true")
class PayloadDecodeThroughputTest {

    private static final byte[] PSM = utf8("<Data><PSM>busy &amp; happy</PSM><CurrentMedia>\\0Music\\01\\0{0} - {1}\\0Song Title"
            + "\\0Song Artist\\0Song Album\\0\\0</CurrentMedia><MachineGuid>{F26D1F07-95E2-403C-BC18-D4BFED493428}</MachineGuid></Data>");
    private static final byte[] ML = utf8("<ml l=\"1\"><d n=\"example.com\"><c n=\"bob\" l=\"3\" t=\"1\"/><c n=\"carol\" l=\"8\" t=\"1\" "
            + "f=\"Carol%20C\"/></d><d n=\"hotmail.com\"><c n=\"dave\" l=\"1\" t=\"32\"/></d><t><c n=\"tel:+15551234\" l=\"1\"/></t></ml>");
    private static final byte[] NOTIFICATION = utf8("<NOTIFICATION ver=\"2\" id=\"1342902633\" siteid=\"199999999\" "
            + "siteurl=\"http://spaces.live.com\"><TO pid=\"0x0006BFFD:0x3B0A6C1E\" name=\"bob@example.com\"><VIA agent=\"messenger\"/>"
            + "</TO><MSG id=\"0\"><SUBSCR url=\"s.htm\"/><ACTION url=\"a.htm\"/><BODY><TEXTX>Alice updated her space</TEXTX></BODY>"
            + "</MSG></NOTIFICATION>");
    private static final byte[] SHIELDS = utf8(Samples.SHIELDS);
    private static final byte[] TEXT = utf8(Samples.TEXT_BOB);
    private static final byte[] PROFILE = utf8(Samples.PROFILE_CRLF);

    @Test
    void printsDecodesPerSecond() {
        int seconds = Integer.getInteger("payload.bench.seconds", 3);
        long total = 0;
        total += measure("XML <Data> (PSM + CurrentMedia)", seconds, () -> XmlPayload.decode(PSM, "Data").fields().size());
        total += measure("XML <ml>", seconds, () -> XmlPayload.decode(ML, "ml").fields().size());
        total += measure("XML <NOTIFICATION>", seconds, () -> XmlPayload.decode(NOTIFICATION, "NOTIFICATION").fields().size());
        total += measure("XML Shields <config>", seconds, () -> XmlPayload.decode(SHIELDS, null).fields().size());
        total += measure("MSG text/plain", seconds, () -> PayloadTestSupport.decodeByDeclaredType(TEXT).fields().size());
        total += measure("MSG profile", seconds, () -> PayloadTestSupport.decodeByDeclaredType(PROFILE).fields().size());
        total += measure("MSNObject", seconds, () -> MsnObject.decode(Samples.MSNOBJ).fields().size());
        assertTrue(total > 0);
    }

    /** Prints and returns decodes per second after a warm-up of the same length. */
    private static long measure(String what, int seconds, IntSupplier decode) {
        long[] sink = {0};
        long perSecond = (long) Throughput.perSecond(seconds, seconds, () -> {
            for (int i = 0; i < 100; i++) {
                sink[0] += decode.getAsInt();
            }
            return 100;
        });
        System.out.printf("%-34s %,12d decodes/s%n", what, perSecond);
        return perSecond + (sink[0] == 42 ? 1 : 0);
    }
}

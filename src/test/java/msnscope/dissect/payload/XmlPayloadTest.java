package msnscope.dissect.payload;

import static msnscope.dissect.payload.Samples.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XmlPayloadTest {

    @Test
    void psmFromTheEscargotCaptureIsExtracted() {
        Decoded d = XmlPayload.decode(utf8(Samples.UUX_ALICE), "Data");
        assertEquals(Map.of("root", "Data", "psm", "hello from alice"), d.fields());
        assertFalse(d.hasProblems());
        assertEquals(Map.of("root", "Data", "psm", ""), XmlPayload.decode(utf8(Samples.UBX_EMPTY), "Data").fields());
    }

    @Test
    void seedFragmentWithoutDataRootIsDecodedAsIfWrappedAndReported() {
        Decoded d = XmlPayload.decode(utf8(Samples.UBX_FRAGMENT), "Data");
        assertEquals("Data", d.get("root"));
        assertEquals("new feature :P", d.get("psm"));
        assertEquals(List.of("payload has no <Data> root element; decoded as if wrapped in one"), d.problems());
        assertEquals("", XmlPayload.decode(utf8(Samples.UUX_EMPTY_FRAGMENT), "Data").get("psm"));
    }

    @Test
    void fragmentWithoutAHintIsMalformed() {
        Decoded d = XmlPayload.decode(utf8(Samples.UBX_FRAGMENT), null);
        assertNull(d.get("root"));
        assertTrue(d.problems().get(0).startsWith("malformed XML"), d.problems().toString());
    }

    @Test
    void currentMediaIsSplitOnBackslashZeroAndRendered() {
        String xml = "<Data><PSM>busy &amp; happy</PSM><CurrentMedia>\\0Music\\01\\0{0} - {1}\\0Song Title\\0Song Artist"
                + "\\0Song Album\\0\\0</CurrentMedia><MachineGuid>{F26D1F07-95E2-403C-BC18-D4BFED493428}</MachineGuid></Data>";
        assertEquals(202, utf8(xml).length - "busy &amp; happy".length() + "example status message".length(),
                "same length as the wiki's MSNP13 example with media and MachineGuid");
        Decoded d = XmlPayload.decode(utf8(xml), "Data");
        assertEquals("busy & happy", d.get("psm"));
        assertEquals("{F26D1F07-95E2-403C-BC18-D4BFED493428}", d.get("machine-guid"));
        Map<?, ?> media = (Map<?, ?>) d.get("current-media");
        assertEquals("", media.get("application"));
        assertEquals("Music", media.get("type"));
        assertEquals(true, media.get("enabled"));
        assertEquals("{0} - {1}", media.get("format"));
        assertEquals(List.of("Song Title", "Song Artist", "Song Album"), media.get("values"));
        assertEquals("Song Title - Song Artist", media.get("rendered"));
        assertFalse(d.hasProblems());
    }

    @Test
    void currentMediaPlaceholderWithoutValueIsAProblem() {
        Decoded d = CurrentMedia.decode("WMP\\0Games\\00\\0Playing {0} on {3}\\0Solitaire\\0");
        assertEquals("WMP", d.get("application"));
        assertEquals(false, d.get("enabled"));
        assertEquals("Playing Solitaire on {3}", d.get("rendered"));
        assertEquals(1, d.problems().size());
    }

    @Test
    void contactListGivesHandlesListBitsNetworkNickAndPhones() {
        String xml = "<ml l=\"1\"><d n=\"example.com\"><c n=\"bob\" l=\"3\" t=\"1\"/><c n=\"carol\" l=\"8\" t=\"1\" "
                + "f=\"Carol%20C\"/></d><d n=\"hotmail.com\"><c n=\"dave\" l=\"1\" t=\"32\"/></d>"
                + "<t><c n=\"tel:+15551234\" l=\"1\"/></t></ml>";
        Decoded d = XmlPayload.decode(utf8(xml), "ml");
        assertEquals(true, d.get("initial"));
        assertEquals(List.of(
                Map.of("handle", "bob@example.com", "list-bits", 3, "network", 1),
                Map.of("handle", "carol@example.com", "list-bits", 8, "network", 1, "nick", "Carol%20C"),
                Map.of("handle", "dave@hotmail.com", "list-bits", 1, "network", 32)), d.get("contacts"));
        assertEquals(List.of(Map.of("number", "tel:+15551234", "list-bits", 1)), d.get("phones"));
        assertEquals(4, d.get("contact-count"));
        assertFalse(d.hasProblems());
    }

    @Test
    void notificationGivesIdSiteAndText() {
        String xml = "<NOTIFICATION ver=\"2\" id=\"1342902633\" siteid=\"199999999\" siteurl=\"http://spaces.live.com\">"
                + "<TO pid=\"0x0006BFFD:0x3B0A6C1E\" name=\"bob@example.com\"><VIA agent=\"messenger\"/></TO>"
                + "<MSG id=\"0\"><SUBSCR url=\"s.htm\"/><ACTION url=\"a.htm\"/><BODY><TEXTX>Alice updated her space"
                + "</TEXTX></BODY></MSG></NOTIFICATION>";
        Decoded d = XmlPayload.decode(utf8(xml), "NOTIFICATION");
        assertEquals("1342902633", d.get("id"));
        assertEquals("199999999", d.get("site-id"));
        assertEquals("http://spaces.live.com", d.get("site-url"));
        assertEquals("Alice updated her space", d.get("text"));
        assertEquals("a.htm", d.get("action-url"));
        assertEquals("s.htm", d.get("subscribe-url"));
    }

    @Test
    void shieldsConfigFromTheSeedIsSummarised() {
        Decoded d = XmlPayload.decode(utf8(Samples.SHIELDS), null);
        assertEquals("config", d.get("root"));
        assertEquals("Shields config: shield (1 entry) block (empty)", d.get("summary"));
        assertEquals(List.of("shield", "block"), d.get("sections"));
        assertEquals(List.of(Map.of("maj", "7", "min", "0", "minbld", "0", "maxbld", "9999", "deny", "")),
                d.get("client-rules"));
        assertFalse(d.hasProblems());
    }

    @Test
    void policiesAreListedByType() {
        Decoded d = XmlPayload.decode(utf8("<Policies><Policy type=\"SHIELDS\" checksum=\"D9705A71BA841CB38955822E048970C3\">"
                + "<config/></Policy><Policy type=\"ABCH\"><policy/></Policy></Policies>"), null);
        assertEquals("2 policies: SHIELDS, ABCH", d.get("summary"));
        assertEquals(List.of(Map.of("type", "SHIELDS", "checksum", "D9705A71BA841CB38955822E048970C3"),
                Map.of("type", "ABCH")), d.get("policies"));
    }

    @Test
    void unknownRootGivesNameAndTextLength() {
        Decoded d = XmlPayload.decode(utf8("<Foo><Bar>abc</Bar>de</Foo>"), null);
        assertEquals(Map.of("root", "Foo", "text-length", 5), d.fields());
    }

    @Test
    void knownButUnexpectedRootIsReported() {
        Decoded d = XmlPayload.decode(utf8("<ml><d n=\"a.com\"><c n=\"b\" l=\"1\" t=\"1\"/></d></ml>"), "Data");
        assertEquals("ml", d.get("root"));
        assertEquals(List.of("expected a <Data> root element but found <ml>"), d.problems());
    }

    @Test
    void malformedXmlIsAProblemNotAnException() {
        Decoded d = XmlPayload.decode(utf8("<Data><PSM>unclosed</Data>"), "Data");
        assertNull(d.get("root"));
        assertEquals(26, d.get("length"));
        assertEquals(1, d.problems().size());
        assertTrue(d.problems().get(0).startsWith("malformed XML at line 1"), d.problems().get(0));
        assertTrue(XmlPayload.decode(new byte[0], "Data").problems().contains("XML payload is empty"));
        assertTrue(XmlPayload.decode(new byte[] {(byte) 0xFF, (byte) 0xFE, 0, '<'}, null).hasProblems());
    }

    @Test
    void doctypeAndExternalEntitiesAreRefused(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE Data [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>"
                + "<Data><PSM>&x;</PSM></Data>";
        Decoded d = XmlPayload.decode(utf8(xxe), "Data");
        assertFalse(d.toString().contains("TOP-SECRET"));
        assertTrue(d.problems().get(0).contains("DOCTYPE"), d.problems().toString());
    }

    @Test
    void entityExpansionBombIsRefusedQuickly() {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (int i = 1; i <= 9; i++) {
            xml.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i == 1 ? "" : i - 1) + ";").repeat(10))
                    .append("\">");
        }
        xml.append("]><Data><PSM>&lol9;</PSM></Data>");
        long start = System.nanoTime();
        Decoded d = XmlPayload.decode(utf8(xml.toString()), "Data");
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
        assertNull(d.get("psm"));
        assertTrue(d.hasProblems());
    }

    @Test
    void deepNestingAndOversizedPayloadsAreProblems() {
        String deep = "<a>".repeat(10_000) + "</a>".repeat(10_000);
        assertTrue(XmlPayload.decode(utf8(deep), null).hasProblems());
        byte[] huge = utf8("<Data><PSM>" + "x".repeat(MiniXml.MAX_BYTES) + "</PSM></Data>");
        Decoded d = XmlPayload.decode(huge, "Data");
        assertNull(d.get("psm"));
        assertTrue(d.problems().get(0).contains("exceeds the 262144-byte limit"), d.problems().toString());
    }

    @Test
    void mailDataRootIsDecodedToo() {
        Decoded d = XmlPayload.decode(utf8("<MD><E><I>1</I><IU>0</IU><O>0</O><OU>0</OU></E></MD>"), null);
        assertEquals(1L, d.get("inbox-total"));
        assertEquals(0, d.get("offline-message-count"));
    }
}

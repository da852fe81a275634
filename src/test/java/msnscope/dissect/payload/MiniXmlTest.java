package msnscope.dissect.payload;

import static msnscope.dissect.payload.Samples.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MiniXmlTest {

    private static MiniXml.Element root(String xml) {
        MiniXml.Parsed p = MiniXml.parse(xml);
        assertTrue(p.ok(), () -> "expected a tree for " + xml + " but got: " + p.error());
        assertNull(p.error());
        return p.root();
    }

    private static String error(String xml) {
        MiniXml.Parsed p = MiniXml.parse(xml);
        assertFalse(p.ok(), "expected an error for " + xml);
        assertNotNull(p.error());
        return p.error();
    }

    @Test
    void elementsAttributesChildrenAndTextContentFormATree() {
        MiniXml.Element ml = root("<ml l=\"1\"><d n=\"example.com\"><c n=\"bob\" l=\"3\" t=\"1\"/></d>tail</ml>");
        assertEquals("ml", ml.name());
        assertEquals("1", ml.attr("l"));
        assertNull(ml.attr("missing"));
        MiniXml.Element d = ml.child("d");
        assertEquals(List.of("c"), d.children().stream().map(MiniXml.Element::name).toList());
        MiniXml.Element c = d.children().get(0);
        assertEquals(3, c.attributeCount());
        assertEquals(List.of("n", "l", "t"), List.of(c.attributeName(0), c.attributeName(1), c.attributeName(2)));
        assertEquals("bob", c.attributeValue(0));
        assertEquals("tail", ml.text());
        assertEquals(4, ml.textLength());
        assertEquals(c, ml.firstDescendant("c"));
        assertNull(ml.firstDescendant("ml"), "the element itself is not its own descendant");
    }

    @Test
    void textContentIncludesDescendantsInDocumentOrder() {
        MiniXml.Element e = root("<a>1<b>2<c>3</c></b>4<d/>5</a>");
        assertEquals("12345", e.text());
        assertEquals("23", e.child("b").text());
        assertEquals("", e.child("d").text());
        assertEquals("23", e.childText("b"));
        assertNull(e.childText("zz"));
    }

    @Test
    void predefinedEntitiesAndNumericReferencesAreResolved() {
        assertEquals("<a&b> \"q\" 'x'", root("<t>&lt;a&amp;b&gt; &quot;q&quot; &apos;x&apos;</t>").text());
        assertEquals("AB€😀", root("<t>&#65;&#x42;&#x20AC;&#128512;</t>").text());
        assertEquals("a&b", root("<t v=\"a&amp;b\"/>").attr("v"));
    }

    @Test
    void undeclaredEntitiesAndBadReferencesAreMalformed() {
        assertTrue(error("<t>&nbsp;</t>").contains("&nbsp;"));
        assertTrue(error("<t>&#0;</t>").contains("not a valid XML character"));
        assertTrue(error("<t>&#xD800;</t>").contains("not a valid XML character"));
        assertTrue(error("<t>&#X41;</t>").startsWith("malformed XML"), "only a lower-case x marks hex");
        assertTrue(error("<t>a & b</t>").contains("'&'"));
    }

    @Test
    void cdataIsTextAndNotMarkup() {
        MiniXml.Element t = root("<t>a<![CDATA[<b>&amp;</b>]]>c</t>");
        assertEquals("a<b>&amp;</b>c", t.text());
        assertTrue(t.children().isEmpty());
        assertTrue(error("<t><![CDATA[open</t>").contains("CDATA"));
        assertTrue(error("<t>a]]>b</t>").contains("]]>"));
    }

    @Test
    void commentsAndProcessingInstructionsAreSkipped() {
        MiniXml.Element t = root("<?xml version=\"1.0\" encoding=\"utf-8\"?><!-- head --><?app data?>"
                + "<t>a<!-- inside <x> -->b<?pi x?>c</t><!-- tail -->\n");
        assertEquals("abc", t.text());
        assertTrue(error("<t><!-- a -- b --></t>").contains("--"));
        assertTrue(error("<t><!-- open</t>").contains("comment"));
        assertTrue(error(" <?xml version=\"1.0\"?><t/>").contains("XML declaration"));
    }

    @Test
    void xmlDeclarationIsCheckedLikeTheJdkParser() {
        root("<?xml version= \"1.0\" encoding=\"utf-8\" ?><config/>");
        root("<?xml version='1.1' standalone='yes'?><t/>");
        root("<?xml version=\"1.0\"encoding=\"utf-8\"?><t/>");
        assertTrue(error("<?xml version=\"2.0\"?><t/>").contains("version"));
        assertTrue(error("<?xml encoding=\"utf-8\"?><t/>").contains("version"));
    }

    @Test
    void attributesMayUseEitherQuoteAndAreWhitespaceNormalised() {
        MiniXml.Element c = root("<c a='it\"s' b=\"it's\" c = \"x\ty\r\nz&#10;\"/>");
        assertEquals("it\"s", c.attr("a"));
        assertEquals("it's", c.attr("b"));
        assertEquals("x y z\n", c.attr("c"), "literal tab/CRLF become spaces, a reference stays");
        assertTrue(error("<c a=\"1\" a=\"2\"/>").contains("twice"));
        assertTrue(error("<c a=1/>").contains("quotes"));
        assertTrue(error("<c a=\"1\"b=\"2\"/>").startsWith("malformed XML"));
        assertTrue(error("<c a=\"<\"/>").contains("'<'"));
        assertTrue(error("<c a=\"open/>").contains("closing quote"));
    }

    @Test
    void selfClosingTagsAndWhitespaceAroundMarkup() {
        MiniXml.Element r = root("\r\n  <r >\n <e/> <f x=\"1\" /></r >  \n");
        assertEquals(List.of("e", "f"), XmlPayload.childNames(r));
        assertEquals("\n  ", r.text());
        assertEquals("a\nb\nc", root("<t>a\r\nb\rc</t>").text(), "line ends are normalised to LF");
    }

    @Test
    void doctypeIsRefused() {
        String e = error("<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY x \"boom\">]><t>&x;</t>");
        assertTrue(e.endsWith("DOCTYPE not allowed"), e);
        assertTrue(e.startsWith("malformed XML at line 1, column 22:"), e);
        assertTrue(error("<t><!DOCTYPE t></t>").contains("DOCTYPE not allowed"));
    }

    @Test
    void unclosedTagIsReportedWithLineAndColumn() {
        assertEquals("malformed XML at line 2, column 8: element <b> is not closed", error("<a>\n<b>text"));
        assertTrue(error("<a").contains("start tag <a> is not closed"));
        assertTrue(error("<a><b></b>").contains("element <a> is not closed"));
    }

    @Test
    void mismatchedEndTagIsReported() {
        assertEquals("malformed XML at line 1, column 20: end tag </Data> does not match <PSM>",
                error("<Data><PSM>unclosed</Data>"));
    }

    @Test
    void textOrASecondRootOutsideTheRootIsMalformed() {
        assertTrue(error("<PSM>x</PSM><CurrentMedia/>").contains("second root"));
        assertTrue(error("hello<t/>").contains("before the root"));
        assertTrue(error("<t/>trailing").contains("after the root"));
        assertTrue(error("<!-- only a comment -->").contains("no root element"));
        assertTrue(error("").contains("no root element"));
    }

    @Test
    void charactersXmlForbidsAreRefused() {
        assertTrue(error("<t>a\u0001b</t>").contains("U+0001"));
        assertTrue(error("<t>\uFFFE</t>").contains("U+FFFE"));
        assertTrue(error("<t>\uD800</t>").contains("U+D800"), "lone surrogate");
        assertEquals("😀", root("<t>😀</t>").text());
    }

    @Test
    void depthBombIsStoppedAtTheLimitWithoutRecursion() {
        String ok = "<a>".repeat(MiniXml.MAX_DEPTH) + "</a>".repeat(MiniXml.MAX_DEPTH);
        root(ok);
        String deeper = "<a>".repeat(MiniXml.MAX_DEPTH + 1) + "</a>".repeat(MiniXml.MAX_DEPTH + 1);
        assertTrue(error(deeper).contains("deeper than the 64-level limit"));
        String bomb = "<a>".repeat(80_000);
        assertTrue(error(bomb).contains("64-level limit"));
    }

    @Test
    void sizeLimitIsEnforcedBeforeParsing() {
        byte[] big = utf8("<t>" + "x".repeat(MiniXml.MAX_BYTES) + "</t>");
        MiniXml.Parsed p = MiniXml.parse(big);
        assertFalse(p.ok());
        assertEquals("XML of " + big.length + " bytes exceeds the 262144-byte limit; not parsed", p.error());
        String text = "<t>" + "x".repeat(MiniXml.MAX_BYTES) + "</t>";
        assertTrue(MiniXml.parse(text).error().contains("characters exceeds the 262144 limit"));
        byte[] fits = utf8("<t>" + "x".repeat(MiniXml.MAX_BYTES - 7) + "</t>");
        assertEquals(MiniXml.MAX_BYTES, fits.length);
        assertTrue(MiniXml.parse(fits).ok());
    }

    @Test
    void invalidUtf8IsReplacedAndNoted() {
        byte[] xml = {'<', 't', '>', 'a', (byte) 0xC3, 'b', (byte) 0xFF, '<', '/', 't', '>'};
        MiniXml.Parsed p = MiniXml.parse(xml);
        assertTrue(p.ok(), String.valueOf(p.error()));
        assertEquals("a\uFFFDb\uFFFD", p.root().text());
        assertEquals(List.of("XML is not valid UTF-8 (2 invalid sequences replaced with U+FFFD)"), p.notes());
        Decoded d = XmlPayload.decode(xml, null);
        assertEquals("t", d.get("root"));
        assertEquals(p.notes(), d.problems());
    }

    @Test
    void byteOrderMarkAndDeclaredEncodingAreHonoured() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '<', 't', '>', 'x', '<', '/', 't', '>'};
        assertEquals("x", MiniXml.parse(bom).root().text());
        byte[] latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>caf\u00e9</t>".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("caf\u00e9", MiniXml.parse(latin1).root().text());
        assertTrue(MiniXml.parse(utf8("<?xml version=\"1.0\" encoding=\"no-such-charset\"?><t/>")).error().contains("encoding"));
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(0x3141);
        String alphabet = "<>/=\"' &;#x!-?[]CDATA\r\n\tabc:é\u0001";
        for (int run = 0; run < 20_000; run++) {
            byte[] input = new byte[random.nextInt(200)];
            random.nextBytes(input);
            if (run % 2 == 0) {
                byte[] ascii = new byte[input.length];
                for (int i = 0; i < ascii.length; i++) {
                    ascii[i] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
                }
                input = ascii;
            }
            try {
                MiniXml.Parsed p = MiniXml.parse(input);
                assertTrue(p.ok() != (p.error() != null));
                MiniXml.parse(new String(input, StandardCharsets.UTF_8));
            } catch (Throwable t) {
                fail("run " + run + " threw on " + java.util.HexFormat.of().formatHex(input), t);
            }
        }
    }

    @Test
    void treeIsImmutable() {
        MiniXml.Element r = root("<r><a/></r>");
        try {
            r.children().clear();
            fail("children must be read-only");
        } catch (UnsupportedOperationException expected) {
            assertEquals(1, r.children().size());
        }
    }
}

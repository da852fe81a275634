package msnscope.dissect.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UrlCodecTest {

    @Test
    void percentEscapesAreDecodedAsUtf8() {
        DecodedText t = UrlCodec.decode("another%20user%20%C3%A9%E2%98%BA");
        assertEquals("another user é☺", t.text());
        assertFalse(t.hasProblems());
    }

    @Test
    void badEscapesAreKeptLiterallyAndReported() {
        DecodedText t = UrlCodec.decode("100% sure %4 %G1 end%");
        assertEquals("100% sure %4 %G1 end%", t.text());
        assertTrue(t.problems().get(0).contains("bad percent escape"), t.problems().toString());
    }

    @Test
    void invalidUtf8IsReplacedAndNotedAsAProblem() {
        DecodedText t = UrlCodec.decode("a%FFb%C3");
        assertEquals("a\uFFFDb\uFFFD", t.text());
        assertTrue(t.problems().stream().anyMatch(p -> p.contains("not valid UTF-8")), t.problems().toString());
    }

    @Test
    void plusStaysAPlusBecauseMsnpEscapesSpacesAsPercent20() {
        assertEquals("a+b c", UrlCodec.decode("a+b%20c").text());
    }

    @Test
    void nonAsciiDigitsAreNotHexEscapes() {
        DecodedText t = UrlCodec.decode("%\u0663\u0663");
        assertEquals("%\u0663\u0663", t.text());
        assertTrue(t.hasProblems());
    }

    @Test
    void textWithoutEscapesIsReturnedAsIs() {
        assertEquals("alice@example.com", UrlCodec.decode("alice@example.com").text());
        assertEquals("", UrlCodec.decode(null).text());
    }

    @Test
    void manyBadEscapesAreSummarisedNotListedOneByOne() {
        DecodedText t = UrlCodec.decode("%".repeat(1000));
        assertEquals("%".repeat(1000), t.text());
        assertTrue(t.problems().size() <= 4, t.problems().toString());
    }
}

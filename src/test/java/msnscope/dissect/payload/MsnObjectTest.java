package msnscope.dissect.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MsnObjectTest {

    @Test
    void publishedExampleDecodesAndItsChecksumMatches() {
        Decoded d = MsnObject.decode(Samples.MSNOBJ);
        assertEquals("buddy1@hotmail.com", d.get("creator"));
        assertEquals(24539L, d.get("size"));
        assertEquals(3, d.get("type"));
        assertEquals("display picture", d.get("type-name"));
        assertEquals("TFR2C.tmp", d.get("location"));
        assertEquals("", d.get("friendly"), "AAA= is a lone UTF-16 NUL: no name");
        assertEquals("AAA=", d.get("friendly-base64"));
        assertEquals("trC8SlFx2sWQxZMIBAWSEnXc8oQ=", d.get("sha1d"));
        assertEquals("U32o6bosZzluJq82eAtMpx5dIEI=", d.get("sha1c"));
        assertEquals(true, d.get("sha1c-matches"));
        assertEquals(List.of(), d.problems());
    }

    @Test
    void checksumMismatchIsAProblem() {
        Decoded d = MsnObject.decode(Samples.MSNOBJ.replace("Size=\"24539\"", "Size=\"24540\""));
        assertEquals(false, d.get("sha1c-matches"));
        assertEquals(1, d.problems().size());
        assertTrue(d.problems().get(0).startsWith("SHA1C U32o6bosZzluJq82eAtMpx5dIEI= does not match"), d.problems().get(0));
    }

    @Test
    void friendlyNameIsDecodedFromBase64Utf16LittleEndian() {
        String friendly = Base64.getEncoder().encodeToString("Smile ☺\0".getBytes(StandardCharsets.UTF_16LE));
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("Creator", "alice@example.com");
        attrs.put("Size", "1234");
        attrs.put("Type", "2");
        attrs.put("Location", "0");
        attrs.put("Friendly", friendly);
        attrs.put("SHA1D", "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
        String sha1c = MsnObject.checksum(attrs);
        String xml = "<msnobj Creator=\"alice@example.com\" Type=\"2\" SHA1D=\"2jmj7l5rSw0yVb/vlWAYkK/YBwk=\" Size=\"1234\" "
                + "Location=\"0\" Friendly=\"" + friendly + "\" SHA1C=\"" + sha1c + "\" stamp=\"abc\"/>";
        Decoded d = MsnObject.decode(xml);
        assertEquals("Smile ☺", d.get("friendly"));
        assertEquals(true, d.get("sha1c-matches"), "the checksum order is fixed, not the attribute order");
        assertEquals(Map.of("stamp", "abc"), d.get("other-attributes"));
        assertFalse(d.hasProblems(), d.problems().toString());
    }

    @Test
    void emptyMsnObjectMeansNoDisplayPicture() {
        Decoded d = MsnObject.decode("<msnobj/>");
        assertEquals(Map.of("empty", true), d.fields());
        assertFalse(d.hasProblems());
    }

    @Test
    void stillUrlEncodedObjectIsDecodedWithANote() {
        Decoded d = MsnObject.decode("%3Cmsnobj%2F%3E");
        assertEquals(true, d.get("empty"));
        assertEquals(List.of("MSNObject was still URL-encoded; decoded it first"), d.problems());
    }

    @Test
    void brokenObjectsAreProblemsNotExceptions() {
        assertTrue(MsnObject.decode("hello").problems().contains("not an MSNObject: does not start with <msnobj"));
        Decoded unterminated = MsnObject.decode("<msnobj Creator=\"a");
        assertTrue(unterminated.problems().get(0).contains("no closing quote"), unterminated.problems().toString());
        Decoded badNumbers = MsnObject.decode("<msnobj Size=\"big\" Type=\"x\" Friendly=\"!!\"/>");
        assertEquals("big", badNumbers.get("size"));
        assertTrue(badNumbers.problems().contains("MSNObject Friendly is not valid base64"), badNumbers.problems().toString());
        assertTrue(badNumbers.problems().contains("MSNObject has no SHA1C attribute; the checksum cannot be checked"));
    }

    @Test
    void xmlEntitiesInValuesAreResolved() {
        assertEquals("a&b'c", MsnObject.decode("<msnobj Location=\"a&amp;b&#39;c\"/>").get("location"));
    }
}

package msnscope.dissect.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImFormatTest {

    @Test
    void decodesFontEffectsColourCharsetAndPitchFromTheEscargotCapture() {
        Decoded d = ImFormat.decode("FN=Arial; EF=B; CO=ff; CS=0; PF=22");
        assertEquals("Arial", d.get("font"));
        assertEquals(List.of("bold"), d.get("effects"));
        assertEquals("#FF0000", d.get("color"), "CO is BGR: ff is the red byte");
        assertEquals("ff", d.get("color-raw"));
        assertEquals("0", d.get("charset"));
        assertEquals("ANSI", d.get("charset-name"));
        assertEquals("22", d.get("pitch-family"));
        assertEquals("variable", d.get("pitch"));
        assertEquals("swiss", d.get("family"));
        assertFalse(d.hasProblems());
    }

    @Test
    void fontNameIsUrlDecodedAndEmptyEffectsAreAnEmptyList() {
        Decoded d = ImFormat.decode("FN=Segoe%20UI; EF=; CO=0; CS=1; PF=0");
        assertEquals("Segoe UI", d.get("font"));
        assertEquals(List.of(), d.get("effects"));
        assertEquals("#000000", d.get("color"));
        assertEquals("DEFAULT", d.get("charset-name"));
        assertFalse(d.hasProblems());
    }

    @Test
    void colourBytesAreReorderedFromBgrToRgb() {
        assertEquals("#0080FF", ImFormat.decode("CO=ff8000").get("color"));
        assertEquals("#563412", ImFormat.decode("CO=123456").get("color"));
    }

    @Test
    void allFourEffectLettersAreNamed() {
        assertEquals(List.of("bold", "italic", "underline", "strikethrough"), ImFormat.decode("EF=BIUS").get("effects"));
    }

    @Test
    void badValuesAreProblemsAndUnknownKeysAreKept() {
        Decoded d = ImFormat.decode("CO=zz; EF=Q; XX=1; junk");
        assertEquals(Map.of("XX", "1"), d.get("other"));
        assertEquals(3, d.problems().size(), d.problems().toString());
        assertTrue(d.problems().get(0).contains("CO=zz"));
    }
}

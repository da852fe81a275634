package msnscope.index;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FrameDocumentsTest {

    /** The definition stripTags must agree with. */
    private static final Pattern TAGS = Pattern.compile("<[^>]*>");

    @Test
    void stripTagsReplacesEachTagByASpaceAsTheRegexWould() {
        assertEquals(" Hello  world ", FrameDocuments.stripTags("<b>Hello</b><i>world</i>"));
        assertEquals("a < b", FrameDocuments.stripTags("a < b"));
        assertEquals("  psm", FrameDocuments.stripTags("<Data><PSM>psm"));
        Random r = new Random(3);
        String alphabet = "<>ab /";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(30); k > 0; k--) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            assertEquals(TAGS.matcher(s).replaceAll(" "), FrameDocuments.stripTags(s), () -> "input: [" + s + "]");
        }
    }
}

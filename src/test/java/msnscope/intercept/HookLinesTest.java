package msnscope.intercept;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hook's output cut into lines, none longer than the limit, whatever the hook writes. */
class HookLinesTest {

    /** Each line as read, a cut one marked with a trailing {@code |cut}. */
    private static List<String> lines(String text, int max) throws IOException {
        HookLines in = new HookLines(new StringReader(text), max);
        List<String> out = new ArrayList<>();
        for (String l; (l = in.next()) != null; ) {
            out.add(in.cut() ? l + "|cut" : l);
        }
        return out;
    }

    @Test
    void linesEndAtLfWithTheirCrDropped() throws IOException {
        assertEquals(List.of("a", "b", "", "c"), lines("a\r\nb\n\nc", 100));
    }

    @Test
    void aLongLineIsCutAndTheNextOneIsWhole() throws IOException {
        String longLine = "x".repeat(20_000);
        assertEquals(List.of("x".repeat(10) + "|cut", "next", "y".repeat(10) + "|cut"),
                lines(longLine + "\nnext\n" + "y".repeat(20_000), 10));
    }

    @Test
    void linesAcrossTheBufferBoundaryStayWhole() throws IOException {
        String a = "a".repeat(8190);
        String b = "b".repeat(9000);
        assertEquals(List.of(a, b, "c"), lines(a + "\r\n" + b + "\nc\n", 10_000));
    }

    @Test
    void anEmptyStreamHasNoLines() throws IOException {
        assertEquals(List.of(), lines("", 10));
    }
}

package msnscope.index;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HandlesTest {

    /** The definition the scanner must agree with. */
    private static final Pattern HANDLE = Pattern.compile("[^\\s@=;:,<>\"]+@[^\\s@;,<>\"]+\\.[A-Za-z0-9-]+");

    private static List<String> scanned(String s) {
        List<String> out = new ArrayList<>();
        Handles.find(s, out::add);
        return out;
    }

    private static List<String> regex(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = HANDLE.matcher(s);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void findsHandlesWhereProtocolLinesPutThem() {
        assertEquals(List.of("bob@example.com"), scanned("JOI bob@example.com Bob 1073741824"));
        assertEquals(List.of("alice@hotmail.com"), scanned("MSG alice@hotmail.com Alice%20W 133"));
        assertEquals(List.of("bob@example.com"), scanned("ADC 12 FL N=bob@example.com F=Bob"));
        assertEquals(List.of("a@b.co", "c@d.org"), scanned("<ml><d n=\"x\"><c n=\"a@b.co\"/></d></ml> c@d.org"));
        assertEquals(List.of("bob@example.com"), scanned("bob@example.com:1863"));
        assertEquals(List.of(), scanned("@example.com user@ nodomain@host ;@x.y"));
        assertEquals(List.of("a@b.c.d-e"), scanned("a@b.c.d-e."));
    }

    @Test
    void agreesWithTheRegexOnRandomText() {
        Random r = new Random(42);
        String alphabet = "ab.-@=:;,<>\" \t\r\n_%1Z";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(40);
            for (int k = 0; k < n; k++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            assertEquals(regex(s), scanned(s), () -> "input: [" + s + "]");
        }
    }
}

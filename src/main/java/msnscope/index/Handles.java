package msnscope.index;

import java.util.function.Consumer;

/**
 * Finds account handles ({@code bob@example.com}) in free text: the {@code peer} field's values. A
 * hand-written scan that gives exactly the matches of the regex
 * {@code [^\s@=;:,<>"]+@[^\s@;,<>"]+\.[A-Za-z0-9-]+} with {@code find()}, which was the single
 * largest cost of building a frame document; {@code HandlesTest} holds the two to the same answers.
 */
final class Handles {

    private Handles() {
    }

    /** Calls {@code found} with each handle in {@code s}, left to right, as written. */
    static void find(String s, Consumer<String> found) {
        int at = s.indexOf('@');
        int end = 0; // a match never starts before the previous one ended
        while (at >= 0) {
            int start = at;
            while (start > end && isLocal(s.charAt(start - 1))) {
                start--;
            }
            int runEnd = at + 1;
            while (runEnd < s.length() && isDomain(s.charAt(runEnd))) {
                runEnd++;
            }
            int matchEnd = start < at ? domainEnd(s, at + 1, runEnd) : -1;
            if (matchEnd > 0) {
                found.accept(s.substring(start, matchEnd));
                end = matchEnd;
                at = s.indexOf('@', matchEnd);
            } else {
                at = s.indexOf('@', at + 1);
            }
        }
    }

    /**
     * End of the longest {@code X.Y} prefix of {@code s[from, runEnd)} (X non-empty, Y letters, digits and
     * hyphens), or -1: the last dot that is followed by such a character gives it.
     */
    private static int domainEnd(String s, int from, int runEnd) {
        for (int dot = runEnd - 2; dot > from; dot--) {
            if (s.charAt(dot) == '.' && isLabel(s.charAt(dot + 1))) {
                int e = dot + 1;
                while (e < runEnd && isLabel(s.charAt(e))) {
                    e++;
                }
                return e;
            }
        }
        return -1;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static boolean isDomain(char c) {
        return !isSpace(c) && c != '@' && c != ';' && c != ',' && c != '<' && c != '>' && c != '"';
    }

    private static boolean isLocal(char c) {
        return isDomain(c) && c != '=' && c != ':';
    }

    private static boolean isLabel(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-';
    }
}

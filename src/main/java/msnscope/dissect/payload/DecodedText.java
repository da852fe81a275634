package msnscope.dissect.payload;

import java.util.List;

/**
 * A string decoded from bytes or escapes, with the problems met on the way (invalid UTF-8, bad escapes).
 * Used where the result is a single value rather than a set of fields.
 */
public record DecodedText(String text, List<String> problems) {

    public DecodedText {
        text = text == null ? "" : text;
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    public static DecodedText clean(String text) {
        return new DecodedText(text, List.of());
    }

    public boolean hasProblems() {
        return !problems.isEmpty();
    }
}

package msnscope.chaos;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a chaos run found wrong, collected rather than thrown at the first one, so a single failing run
 * tells everything that broke (a store that loses frames after a kill and also refuses a command after a
 * damaged file shows both). {@link #assertNone()} fails with the whole list, one numbered item each.
 */
final class Findings {

    private final List<String> problems = new ArrayList<>();

    void add(String problem) {
        problems.add(problem);
        System.out.println("chaos finding: " + problem);
    }

    void check(boolean ok, String problem) {
        if (!ok) {
            add(problem);
        }
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    void assertNone() {
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder(problems.size() + " problem(s):");
            for (int i = 0; i < problems.size(); i++) {
                sb.append("\n  ").append(i + 1).append(". ").append(problems.get(i));
            }
            fail(sb.toString());
        }
    }
}

package msnscope.dissect.spec;

import msnscope.dissect.Dissection;
import msnscope.dissect.SessionAssembler;
import msnscope.support.Captures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FormSpecTest {

    /**
     * The dissector picks a form with {@link FormSpec.Scorer} and binds only the winner: the fast scorer
     * must give every form the score its binding has, for real lines and for lines with tokens dropped,
     * added and shuffled (so arity and literal mismatches are exercised too).
     */
    @Test
    void theScorerGivesEachFormTheScoreOfItsBinding() {
        ProtocolSpec spec = SpecLoader.builtIn();
        List<String[]> lines = new ArrayList<>();
        for (Path t : Captures.transcripts()) {
            for (var c : Captures.dissect(t).connections()) {
                for (Dissection d : c.frames()) {
                    lines.add(d.frame().line().split(" ", -1));
                }
            }
        }
        Random r = new Random(5);
        int compared = 0;
        for (String[] real : lines) {
            List<String[]> variants = List.of(real, mutate(real, r), mutate(real, r));
            CommandSpec command = spec.command(real[0]);
            List<FormSpec> forms = command == null ? spec.errorForms() : command.forms();
            for (FormSpec form : forms) {
                FormSpec.Scorer scorer = new FormSpec.Scorer(form);
                for (String[] tokens : variants) {
                    int expected = form.bind(tokens, 1).score();
                    assertEquals(expected, scorer.score(tokens, 1), () -> form + " on " + String.join(" ", tokens));
                    assertEquals(expected, scorer.score(tokens, 1, expected - 1), "above toBeat: the exact score");
                    assertTrue(scorer.score(tokens, 1, expected) <= expected, "not above toBeat: no more than toBeat");
                    int bound = scorer.bound(tokens, 1);
                    assertTrue(bound >= expected, () -> "the bound is above the score: " + form + " on " + String.join(" ", tokens));
                    assertEquals(bound, expected + Math.min(form.bind(tokens, 1).misfits(), 99) * 100, "the bound is the score without misfits");
                    FormSpec.Binding want = form.bind(tokens, 1);
                    FormSpec.Binding got = scorer.bind(tokens, 1);
                    assertArrayEquals(want.start(), got.start(), "start");
                    assertArrayEquals(want.count(), got.count(), "count");
                    assertEquals(List.of(want.arityOk(), want.literalMismatches(), want.literalMatches(), want.misfits()),
                            List.of(got.arityOk(), got.literalMismatches(), got.literalMatches(), got.misfits()),
                            () -> "the scorer binds as the form does: " + form + " on " + String.join(" ", tokens));
                    compared++;
                }
            }
        }
        assertTrue(compared > 5_000, "compared " + compared);
    }

    private static String[] mutate(String[] tokens, Random r) {
        List<String> t = new ArrayList<>(List.of(tokens));
        switch (r.nextInt(3)) {
            case 0 -> {
                if (t.size() > 1) {
                    t.remove(1 + r.nextInt(t.size() - 1));
                }
            }
            case 1 -> t.add(1 + r.nextInt(t.size()), r.nextBoolean() ? "OK" : "12");
            default -> {
                if (t.size() > 2) {
                    java.util.Collections.swap(t, 1, 1 + r.nextInt(t.size() - 1));
                }
            }
        }
        return t.toArray(new String[0]);
    }
}

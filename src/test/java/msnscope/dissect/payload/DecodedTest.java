package msnscope.dissect.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecodedTest {

    @Test
    void fieldsKeepInsertionOrderAndSkipNulls() {
        Decoded d = Decoded.builder().put("b", 1).put("a", "x").put("gone", null).put("c", true).build();
        assertEquals(List.of("b", "a", "c"), new ArrayList<>(d.fields().keySet()));
        assertFalse(d.fields().containsKey("gone"));
    }

    @Test
    void resultIsDeeplyImmutableAndDetachedFromTheBuilderInput() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("k", "v");
        List<Object> list = new ArrayList<>(List.of("one"));
        Decoded d = Decoded.builder().put("m", nested).put("l", list).build();
        nested.put("k2", "v2");
        list.add("two");
        assertEquals(Map.of("k", "v"), d.get("m"));
        assertEquals(List.of("one"), d.get("l"));
        assertThrows(UnsupportedOperationException.class, () -> d.fields().put("x", 1));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) d.get("m");
        assertThrows(UnsupportedOperationException.class, () -> m.put("x", 1));
        assertThrows(UnsupportedOperationException.class, () -> d.problems().add("x"));
    }

    @Test
    void problemsAreCappedWithASummarySentence() {
        Decoded.Builder b = Decoded.builder();
        for (int i = 0; i < 100; i++) {
            b.problem("problem " + i);
        }
        List<String> problems = b.build().problems();
        assertEquals(Decoded.MAX_PROBLEMS + 1, problems.size());
        assertEquals("… and 80 more problems not listed", problems.get(Decoded.MAX_PROBLEMS));
    }

    @Test
    void nestingCarriesFieldsAndProblemsUp() {
        Decoded inner = Decoded.builder().put("x", 1L).problem("inner problem").build();
        Decoded outer = Decoded.builder().nest("inner", inner).build();
        assertEquals(Map.of("x", 1L), outer.get("inner"));
        assertEquals(List.of("inner problem"), outer.problems());
    }
}

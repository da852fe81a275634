package msnscope.dissect.payload;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;

/**
 * The result of one payload decoder: ordered fields plus the problems found while decoding.
 *
 * <p>Field names are lower-case with dashes ({@code content-type}, {@code session-id}). Values are only
 * {@link String}, {@link Integer}, {@link Long}, {@link Boolean}, {@link List} or nested {@link Map} (with
 * the same value rules), so the fields serialise to JSON as they are. A {@code null} value is never stored:
 * an absent field means "not present in the payload". Everything is deeply immutable.
 *
 * <p>Problems are human sentences ("MIME header block has no blank line"). Decoders never throw; whatever is
 * wrong with the input ends up here instead. The list is capped at {@value #MAX_PROBLEMS} entries plus one
 * summary sentence, because garbage input can produce one complaint per byte and the result must stay small.
 */
public final class Decoded {

    /** Most problems kept; the rest are counted in one final sentence. */
    public static final int MAX_PROBLEMS = 20;

    /** Declared before {@link #EMPTY}, which uses it. */
    private static final Map<String, Object> EMPTY_FIELDS = new FrozenMap(new LinkedHashMap<>());

    private static final Decoded EMPTY = new Builder().build();

    private final Map<String, Object> fields;
    private final List<String> problems;

    private Decoded(Map<String, Object> fields, List<String> problems) {
        this.fields = fields;
        this.problems = problems;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No fields, no problems. */
    public static Decoded empty() {
        return EMPTY;
    }

    /** The fields in decoding order; read-only. */
    public Map<String, Object> fields() {
        return fields;
    }

    /** Human sentences, in the order they were found; read-only, possibly empty. */
    public List<String> problems() {
        return problems;
    }

    /** One field's value, or {@code null} when the payload did not have it. */
    public Object get(String name) {
        return fields.get(name);
    }

    public boolean hasProblems() {
        return !problems.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Decoded d && fields.equals(d.fields) && problems.equals(d.problems);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fields, problems);
    }

    @Override
    public String toString() {
        return problems.isEmpty() ? fields.toString() : fields + " problems=" + problems;
    }

    /** Collects fields and problems; {@link #build()} freezes a deep copy, so a builder may be reused. */
    public static final class Builder {
        private LinkedHashMap<String, Object> fields = new LinkedHashMap<>();
        private final List<String> problems = new ArrayList<>();
        private int droppedProblems;
        /** {@link #build()} handed out {@link #fields} itself (frozen): the next change works on a copy. */
        private boolean shared;

        private Builder() {
        }

        private LinkedHashMap<String, Object> writable() {
            if (shared) {
                fields = new LinkedHashMap<>(fields);
                shared = false;
            }
            return fields;
        }

        /**
         * Stores a field; a {@code null} value is ignored so that absent stays absent. Values outside the
         * JSON-safe set are stored as their {@code toString()} rather than rejected: a decoder must not throw.
         */
        public Builder put(String name, Object value) {
            if (value != null) {
                writable().put(name, value);
            }
            return this;
        }

        /** Stores another result's fields under {@code name} and appends its problems. */
        public Builder nest(String name, Decoded nested) {
            if (nested != null) {
                if (!nested.fields.isEmpty()) {
                    writable().put(name, nested.fields);
                }
                problems(nested.problems);
            }
            return this;
        }

        /** Copies another result's fields to the top level (later wins) and appends its problems. */
        public Builder merge(Decoded other) {
            if (other != null) {
                if (!other.fields.isEmpty()) {
                    writable().putAll(other.fields);
                }
                problems(other.problems);
            }
            return this;
        }

        public Builder problem(String sentence) {
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(sentence);
            } else {
                droppedProblems++;
            }
            return this;
        }

        public Builder problems(Collection<String> sentences) {
            for (String s : sentences) {
                problem(s);
            }
            return this;
        }

        /** Whether a field has been stored already. */
        public boolean has(String name) {
            return fields.containsKey(name);
        }

        public Decoded build() {
            List<String> p;
            if (problems.isEmpty() && droppedProblems == 0) {
                p = List.of();
            } else {
                p = new ArrayList<>(problems.size() + 1);
                p.addAll(problems);
                if (droppedProblems > 0) {
                    p.add("… and " + droppedProblems + " more problem" + (droppedProblems == 1 ? "" : "s") + " not listed");
                }
                p = Collections.unmodifiableList(p);
            }
            Map<String, Object> frozen;
            if (fields.isEmpty()) {
                frozen = EMPTY_FIELDS;
            } else {
                // The builder's own map, its values frozen in place (keys are Strings and values never null:
                // put, nest and merge see to that), instead of a copy; later changes to the builder copy first.
                for (Map.Entry<String, Object> e : fields.entrySet()) {
                    Object v = e.getValue();
                    Object f = freeze(v);
                    if (f != v) {
                        e.setValue(f);
                    }
                }
                frozen = new FrozenMap(fields);
                shared = true;
            }
            return new Decoded(frozen, p);
        }

        /**
         * A map nobody else holds a reference to, frozen in place: its values are frozen (null ones dropped) and
         * the map itself is wrapped, not copied. The caller must not touch {@code map} afterwards.
         */
        static Map<String, Object> freezeOwned(LinkedHashMap<String, Object> map) {
            if (map.isEmpty()) {
                return EMPTY_FIELDS;
            }
            java.util.Iterator<Map.Entry<String, Object>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, Object> e = it.next();
                Object v = e.getValue();
                if (v == null) {
                    it.remove();
                    continue;
                }
                Object f = freeze(v);
                if (f != v) {
                    e.setValue(f);
                }
            }
            return new FrozenMap(map);
        }

        private static Object freeze(Object value) {
            if (value instanceof FrozenMap || value instanceof FrozenList) {
                // Built by this method before (a nested or merged result): deeply immutable already.
                return value;
            }
            if (value instanceof Map<?, ?> map) {
                return freezeMap(map);
            }
            if (value instanceof Collection<?> list) {
                List<Object> copy = new ArrayList<>(list.size());
                for (Object o : list) {
                    if (o != null) {
                        copy.add(freeze(o));
                    }
                }
                return new FrozenList(copy);
            }
            if (value instanceof Decoded d) {
                return d.fields;
            }
            if (value instanceof String || value instanceof Integer || value instanceof Long
                    || value instanceof Boolean) {
                return value;
            }
            if (value instanceof Short || value instanceof Byte) {
                return ((Number) value).intValue();
            }
            return String.valueOf(value);
        }

        private static Map<String, Object> freezeMap(Map<?, ?> map) {
            if (map.isEmpty()) {
                return EMPTY_FIELDS;
            }
            LinkedHashMap<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 4 / 3 + 1));
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getValue() != null) {
                    copy.put(String.valueOf(e.getKey()), freeze(e.getValue()));
                }
            }
            return new FrozenMap(copy);
        }
    }

    /**
     * A read-only ordered map whose values are frozen too. Its own type lets {@link Builder#freeze} reuse a
     * nested result instead of copying it again; equality, hashing and printing are those of any map.
     */
    private static final class FrozenMap extends AbstractMap<String, Object> {
        private final Map<String, Object> map;

        FrozenMap(LinkedHashMap<String, Object> map) {
            this.map = Collections.unmodifiableMap(map);
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return map.entrySet();
        }

        @Override
        public Object get(Object key) {
            return map.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public int size() {
            return map.size();
        }
    }

    /** A read-only list whose elements are frozen too; see {@link FrozenMap}. */
    private static final class FrozenList extends AbstractList<Object> implements RandomAccess {
        private final List<Object> list;

        FrozenList(List<Object> list) {
            this.list = list;
        }

        @Override
        public Object get(int index) {
            return list.get(index);
        }

        @Override
        public int size() {
            return list.size();
        }
    }
}

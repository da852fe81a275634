package msnscope.search;

import msnscope.index.IndexFields;
import msnscope.intercept.Interest;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The frames a query can match, known from their command and direction alone: what a query requires of the
 * {@code cmd} and {@code dir} fields. Never narrower than the query (the relay would forward a frame a rule
 * should have changed), so whatever is not understood here widens to any frame: a {@code NOT}, a wildcard on
 * {@code cmd}, a disjunction with a text clause.
 */
final class QueryInterest {

    private QueryInterest() {
    }

    static Interest of(Query q) {
        if (q instanceof BoostQuery b) {
            return of(b.getQuery());
        }
        if (q instanceof ConstantScoreQuery c) {
            return of(c.getQuery());
        }
        if (q instanceof TermQuery t) {
            return term(t.getTerm());
        }
        if (q instanceof BooleanQuery b) {
            return bool(b);
        }
        return Interest.ALL;
    }

    private static Interest term(Term t) {
        String value = t.text().toUpperCase(Locale.ROOT);
        if (t.field().equals(IndexFields.CMD)) {
            return new Interest(Set.of(value), Set.of(value));
        }
        if (t.field().equals(IndexFields.DIR)) {
            // The index writes Direction.name(); any other value would match nothing, but wide is never wrong.
            return switch (value) {
                case "C2S" -> new Interest(null, Set.of());
                case "S2C" -> new Interest(Set.of(), null);
                default -> Interest.ALL;
            };
        }
        return Interest.ALL;
    }

    /**
     * Required clauses (MUST, FILTER) narrow one another; optional ones (SHOULD) count only when the query needs
     * one of them (no required clause, or a minimum to match), and then as their union; MUST_NOT is ignored.
     */
    private static Interest bool(BooleanQuery b) {
        Interest required = Interest.ALL;
        Interest optional = null;
        boolean anyRequired = false;
        for (BooleanClause c : b.clauses()) {
            switch (c.getOccur()) {
                case MUST, FILTER -> {
                    required = and(required, of(c.getQuery()));
                    anyRequired = true;
                }
                case SHOULD -> optional = optional == null ? of(c.getQuery()) : optional.or(of(c.getQuery()));
                default -> {
                }
            }
        }
        if (optional != null && (!anyRequired || b.getMinimumNumberShouldMatch() > 0)) {
            required = and(required, optional);
        }
        return required;
    }

    private static Interest and(Interest a, Interest b) {
        return new Interest(meet(a.c2s(), b.c2s()), meet(a.s2c(), b.s2c()));
    }

    /** Intersection, null standing for every command. */
    private static Set<String> meet(Set<String> a, Set<String> b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        Set<String> s = new HashSet<>(a);
        s.retainAll(b);
        return s;
    }
}

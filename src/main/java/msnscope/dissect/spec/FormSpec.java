package msnscope.dissect.spec;

import msnscope.wire.Direction;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One way a command is written: its direction, servers, versions and parameters. A command has one
 * form per direction and generation, and literals tell forms apart ({@code XFR … NS} vs {@code XFR … SB}).
 *
 * @param replies commands answering this request with its TrID; empty = no reply expected; null = any
 * @param fifo    answered in order without a TrID ({@code PNG} → {@code QNG})
 * @param payload payload content kind when the form has a {@code length} parameter
 * @param payloadRoot the XML root element an {@code xml} payload should have, or null
 */
public record FormSpec(String command, Set<Direction> directions, Set<Role> servers, VersionRange versions,
                       List<ParamSpec> params, List<String> replies, boolean fifo, String payload, String payloadRoot,
                       ReferralSpec referral, SummaryTemplate summary, String meaning, String origin) {

    /** Server roles. DS = dispatch, NS = notification, SB = switchboard. */
    public enum Role { DS, NS, SB }

    public static final Set<Direction> BOTH = EnumSet.allOf(Direction.class);

    /** Index of the {@code length} parameter, or -1 for forms without payload. */
    public int lengthIndex() {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).type() == ParamType.LENGTH) {
                return i;
            }
        }
        return -1;
    }

    public boolean hasPayload() {
        return lengthIndex() >= 0;
    }

    public boolean expectsReply() {
        return replies == null || !replies.isEmpty();
    }

    /** Fewest tokens after the command. */
    public int minTokens() {
        int n = 0;
        for (ParamSpec p : params) {
            n += p.arity().minimum();
        }
        return n;
    }

    /** Most tokens after the command, or {@link Integer#MAX_VALUE}. */
    public int maxTokens() {
        int n = 0;
        for (ParamSpec p : params) {
            if (p.arity().repeats()) {
                return Integer.MAX_VALUE;
            }
            n++;
        }
        return n;
    }

    public ParamSpec param(String name) {
        for (ParamSpec p : params) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Assigns the tokens after the command to the parameters, in order; optional and repeated
     * parameters take what the required ones after them leave.
     */
    public Binding bind(String[] tokens, int from) {
        int n = params.size();
        int[] start = new int[n];
        int[] count = new int[n];
        int[] totals = new int[3];
        boolean arityOk = fit(tokens, from, start, count, totals);
        return new Binding(this, tokens, start, count, arityOk, totals[0], totals[1], totals[2]);
    }

    /**
     * {@link Binding#score()} of {@link #bind}, without building the binding, with what it reads of the
     * form flattened into arrays once: for callers that score the same forms line after line (the
     * dissector keeps one per candidate form and binds only the winner). {@code FormSpecTest} holds the
     * two to the same scores.
     */
    public static final class Scorer {
        private final FormSpec form;
        private final ParamSpec[] params;
        private final ParamSpec.Arity[] arity;
        private final int[] suffixMin;
        /** Accepted literals per parameter, or null when any token is accepted. */
        private final String[][] literals;
        /** Whether {@link ParamSpec#fits} can say no for the parameter's type. */
        private final boolean[] shaped;

        public Scorer(FormSpec form) {
            this.form = form;
            int n = form.params().size();
            params = form.params().toArray(new ParamSpec[0]);
            arity = new ParamSpec.Arity[n];
            suffixMin = new int[n + 1];
            literals = new String[n][];
            shaped = new boolean[n];
            for (int i = n - 1; i >= 0; i--) {
                suffixMin[i] = suffixMin[i + 1] + params[i].arity().minimum();
            }
            for (int i = 0; i < n; i++) {
                arity[i] = params[i].arity();
                literals[i] = params[i].literals().isEmpty() ? null : params[i].literals().toArray(new String[0]);
                shaped[i] = switch (params[i].type()) {
                    case TRID, INT, LENGTH, UNIXTIME, LISTBITS, CAPS, GUID, PREFIXED, HOSTPORT -> true;
                    default -> false;
                };
            }
        }

        public FormSpec form() {
            return form;
        }

        /** Highest score a form with a literal mismatch can have. */
        private static final int MAX_MISMATCHED = 10_000 + 99;

        /** Same as {@code form().bind(tokens, from).score()}. */
        public int score(String[] tokens, int from) {
            return score(tokens, from, Integer.MIN_VALUE);
        }

        /**
         * {@link #score(String[], int)} when it is above {@code toBeat}; otherwise any value not above it
         * (scoring stops at the first literal mismatch once that alone rules the form out).
         */
        public int score(String[] tokens, int from, int toBeat) {
            // Literals and arity first: they alone bound the score, and when that bound cannot beat
            // toBeat, the tokens' shapes (the costlier checks) need not be looked at.
            boolean giveUpOnMismatch = toBeat >= MAX_MISMATCHED;
            int n = params.length;
            int cursor = from;
            boolean arityOk = true;
            boolean anyShaped = false;
            int mismatches = 0;
            int matchedLiterals = 0;
            for (int i = 0; i < n; i++) {
                int take = take(i, tokens.length - cursor);
                if (take < arity[i].minimum()) {
                    arityOk = false;
                }
                String[] lits = literals[i];
                if (lits != null) {
                    for (int k = 0; k < take; k++) {
                        if (contains(lits, tokens[cursor + k])) {
                            matchedLiterals++;
                        } else {
                            if (giveUpOnMismatch) {
                                return Integer.MIN_VALUE;
                            }
                            mismatches++;
                        }
                    }
                }
                anyShaped |= shaped[i] && take > 0;
                cursor += take;
            }
            if (cursor < tokens.length) {
                arityOk = false;
            }
            int bound = Binding.score(arityOk, mismatches, matchedLiterals, 0);
            if (!anyShaped || bound <= toBeat) {
                return bound;
            }
            int misfits = 0;
            cursor = from;
            for (int i = 0; i < n; i++) {
                int take = take(i, tokens.length - cursor);
                if (shaped[i]) {
                    ParamSpec p = params[i];
                    for (int k = 0; k < take; k++) {
                        if (!p.fits(tokens[cursor + k])) {
                            misfits++;
                        }
                    }
                }
                cursor += take;
            }
            return Binding.score(arityOk, mismatches, matchedLiterals, misfits);
        }

        /**
         * An upper bound of {@link #score(String[], int)} from literals and arity alone (the score if every
         * token fitted its type): cheap, so a caller can skip scoring in full a form that cannot win.
         */
        public int bound(String[] tokens, int from) {
            int cursor = from;
            boolean arityOk = true;
            int mismatches = 0;
            int matchedLiterals = 0;
            for (int i = 0; i < params.length; i++) {
                int take = take(i, tokens.length - cursor);
                if (take < arity[i].minimum()) {
                    arityOk = false;
                }
                String[] lits = literals[i];
                if (lits != null) {
                    for (int k = 0; k < take; k++) {
                        if (contains(lits, tokens[cursor + k])) {
                            matchedLiterals++;
                        } else {
                            mismatches++;
                        }
                    }
                }
                cursor += take;
            }
            return Binding.score(arityOk && cursor >= tokens.length, mismatches, matchedLiterals, 0);
        }

        /** Same as {@code form().bind(tokens, from)}, from the flattened arrays. */
        public Binding bind(String[] tokens, int from) {
            int n = params.length;
            int[] start = new int[n];
            int[] count = new int[n];
            int cursor = from;
            boolean arityOk = true;
            int mismatches = 0;
            int matchedLiterals = 0;
            int misfits = 0;
            for (int i = 0; i < n; i++) {
                int take = take(i, tokens.length - cursor);
                if (take < arity[i].minimum()) {
                    arityOk = false;
                }
                start[i] = cursor;
                count[i] = take;
                String[] lits = literals[i];
                for (int k = 0; k < take; k++) {
                    String t = tokens[cursor + k];
                    if (shaped[i] && !params[i].fits(t)) {
                        misfits++;
                    }
                    if (lits != null) {
                        if (contains(lits, t)) {
                            matchedLiterals++;
                        } else {
                            mismatches++;
                        }
                    }
                }
                cursor += take;
            }
            if (cursor < tokens.length) {
                arityOk = false;
            }
            return new Binding(form, tokens, start, count, arityOk, mismatches, matchedLiterals, misfits);
        }

        /** How many of the {@code remaining} tokens parameter {@code i} takes (see {@link FormSpec#fit}). */
        private int take(int i, int remaining) {
            return switch (arity[i]) {
                case ONE -> Math.min(1, remaining);
                case OPTIONAL -> remaining > suffixMin[i + 1] ? 1 : 0;
                case ZERO_OR_MORE, ONE_OR_MORE -> Math.max(0, remaining - suffixMin[i + 1]);
            };
        }

        private static boolean contains(String[] lits, String t) {
            for (String l : lits) {
                if (l.equals(t)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The assignment of {@link #bind}: fills {@code start} and {@code count}, and {@code totals} with the
     * literal mismatches, literal matches and misfits. Returns whether the arity fits.
     */
    private boolean fit(String[] tokens, int from, int[] start, int[] count, int[] totals) {
        List<ParamSpec> params = this.params;
        int n = params.size();
        int suffix = 0;
        for (int i = 0; i < n; i++) {
            suffix += params.get(i).arity().minimum();
        }
        int cursor = from;
        boolean arityOk = true;
        int mismatches = 0;
        int matchedLiterals = 0;
        int misfits = 0;
        for (int i = 0; i < n; i++) {
            ParamSpec p = params.get(i);
            ParamSpec.Arity arity = p.arity();
            int min = arity.minimum();
            suffix -= min;
            int remaining = tokens.length - cursor;
            int take = switch (arity) {
                case ONE -> Math.min(1, remaining);
                case OPTIONAL -> remaining > suffix ? 1 : 0;
                case ZERO_OR_MORE, ONE_OR_MORE -> Math.max(0, remaining - suffix);
            };
            if (take < min) {
                arityOk = false;
            }
            start[i] = cursor;
            count[i] = take;
            for (int k = 0; k < take; k++) {
                if (!p.fits(tokens[cursor + k])) {
                    misfits++;
                }
                if (!p.literals().isEmpty()) {
                    if (p.accepts(tokens[cursor + k])) {
                        matchedLiterals++;
                    } else {
                        mismatches++;
                    }
                }
            }
            cursor += take;
        }
        if (cursor < tokens.length) {
            arityOk = false;
        }
        totals[0] = mismatches;
        totals[1] = matchedLiterals;
        totals[2] = misfits;
        return arityOk;
    }

    /** The result of {@link #bind}: which tokens each parameter took, and how well the form fits. */
    public record Binding(FormSpec form, String[] tokens, int[] start, int[] count, boolean arityOk,
                          int literalMismatches, int literalMatches, int misfits) {

        /** Position in the token array (command = 0) of the single-token parameter {@code name}, or -1. */
        public int tokenIndex(String name) {
            List<ParamSpec> ps = form.params();
            for (int i = 0; i < ps.size(); i++) {
                if (ps.get(i).name().equals(name)) {
                    return count[i] == 1 ? start[i] : -1;
                }
            }
            return -1;
        }

        /**
         * Higher is better: literals decide first, then arity, then tokens that fit their types, then how
         * specific the form is.
         */
        public int score() {
            return score(arityOk, literalMismatches, literalMatches, misfits);
        }

        static int score(boolean arityOk, int literalMismatches, int literalMatches, int misfits) {
            return (literalMismatches == 0 ? 100_000 : 0) + (arityOk ? 10_000 : 0) - Math.min(misfits, 99) * 100
                    + Math.min(literalMatches, 99);
        }

        /** Literals and arity fit; a token of the wrong shape is reported as a bad parameter, not a mismatch. */
        public boolean exact() {
            return literalMismatches == 0 && arityOk;
        }

        /** The single token of parameter {@code name}, or null. */
        public String token(String name) {
            List<ParamSpec> ps = form.params();
            for (int i = 0; i < ps.size(); i++) {
                if (ps.get(i).name().equals(name)) {
                    return count[i] > 0 ? tokens[start[i]] : null;
                }
            }
            return null;
        }
    }
}

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
        int[] suffixMin = new int[n + 1];
        for (int i = n - 1; i >= 0; i--) {
            suffixMin[i] = suffixMin[i + 1] + params.get(i).arity().minimum();
        }
        int[] start = new int[n];
        int[] count = new int[n];
        int cursor = from;
        boolean arityOk = true;
        int mismatches = 0;
        int matchedLiterals = 0;
        int misfits = 0;
        for (int i = 0; i < n; i++) {
            ParamSpec p = params.get(i);
            int remaining = tokens.length - cursor;
            int take = switch (p.arity()) {
                case ONE -> Math.min(1, remaining);
                case OPTIONAL -> remaining > suffixMin[i + 1] ? 1 : 0;
                case ZERO_OR_MORE, ONE_OR_MORE -> Math.max(0, remaining - suffixMin[i + 1]);
            };
            if (take < p.arity().minimum()) {
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
        return new Binding(this, tokens, start, count, arityOk, mismatches, matchedLiterals, misfits);
    }

    /** The result of {@link #bind}: which tokens each parameter took, and how well the form fits. */
    public record Binding(FormSpec form, String[] tokens, int[] start, int[] count, boolean arityOk,
                          int literalMismatches, int literalMatches, int misfits) {

        /**
         * Higher is better: literals decide first, then arity, then tokens that fit their types, then how
         * specific the form is.
         */
        public int score() {
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

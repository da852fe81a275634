package msnscope.dissect;

import msnscope.dissect.spec.FormSpec;
import msnscope.wire.CommandKeys;
import msnscope.wire.Direction;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The forms a line may match, narrowed by direction, server role and version — computed once per
 * (command, direction, role, version) and shared, since the spec never changes while running.
 *
 * @param byDirection    forms sent in this direction (all forms when none is: {@code wrongDirection})
 * @param byRole         of those, forms on this server role (all of {@code byDirection} when none: {@code wrongServer})
 * @param byVersion      of those, forms in the negotiated version (empty when the version is unknown)
 * @param wrongDirection the {@code wrong-direction} warning when no form is sent in this direction, else null
 * @param wrongServer    the {@code wrong-server} warning when no form is on this role, else null (warnings are
 *                       immutable, so every frame that needs one shares it)
 */
record FormCandidates(List<FormSpec> byDirection, List<FormSpec> byRole, List<FormSpec> byVersion,
                      Warning wrongDirection, Warning wrongServer,
                      FormSpec.Scorer[] directionScorers, FormSpec.Scorer[] roleScorers, FormSpec.Scorer[] versionScorers) {

    FormCandidates(List<FormSpec> byDirection, List<FormSpec> byRole, List<FormSpec> byVersion,
                   Warning wrongDirection, Warning wrongServer) {
        this(byDirection, byRole, byVersion, wrongDirection, wrongServer,
                scorers(byDirection), scorers(byRole), scorers(byVersion));
    }

    private static FormSpec.Scorer[] scorers(List<FormSpec> forms) {
        FormSpec.Scorer[] out = new FormSpec.Scorer[forms.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new FormSpec.Scorer(forms.get(i));
        }
        return out;
    }

    /**
     * Thread-safe memo of candidates; bounded by the number of declared commands × 2 × 4 × versions. An
     * array per command key, indexed by direction, role and version: a lookup is two array reads. Races
     * are benign: entries are immutable, and one lost to a concurrent write is just computed again.
     */
    static final class Cache {
        private static final int SLOTS = 2 * 4 * 128;
        private final FormCandidates[][] memo = new FormCandidates[CommandKeys.SIZE][];

        FormCandidates of(String cmd, List<FormSpec> forms, Direction dir, FormSpec.Role role, int version) {
            int key = CommandKeys.of(cmd);
            if (key < 0 || version < 0 || version > 127 || dir.ordinal() > 1) {
                return compute(cmd, forms, dir, role, version);
            }
            FormCandidates[] slots = memo[key];
            if (slots == null) {
                slots = new FormCandidates[SLOTS];
                memo[key] = slots;
            }
            int slot = (dir.ordinal() << 9) | ((role == null ? 0 : role.ordinal() + 1) << 7) | version;
            FormCandidates c = slots[slot];
            if (c == null) {
                c = compute(cmd, forms, dir, role, version);
                slots[slot] = c;
            }
            return c;
        }
    }

    static FormCandidates compute(String cmd, List<FormSpec> forms, Direction dir, FormSpec.Role role, int version) {
        List<FormSpec> byDir = filter(forms, f -> f.directions().contains(dir));
        boolean wrongDirection = byDir.isEmpty();
        if (wrongDirection) {
            byDir = forms;
        }
        List<FormSpec> byRole = role == null ? byDir : filter(byDir, f -> f.servers().contains(role));
        boolean wrongServer = byRole.isEmpty();
        if (wrongServer) {
            byRole = byDir;
        }
        List<FormSpec> byVersion = version > 0 ? filter(byRole, f -> f.versions().contains(version)) : List.of();
        return new FormCandidates(List.copyOf(byDir), List.copyOf(byRole), byVersion,
                wrongDirection ? newWrongDirection(cmd, dir) : null, wrongServer ? newWrongServer(cmd, role) : null);
    }

    /**
     * The {@code wrong-direction} warning for {@code cmd}, or null: shared when it was made for this command
     * (all error codes share one entry, and the warning names the code).
     */
    Warning wrongDirection(String cmd, Direction dir) {
        Warning w = wrongDirection;
        return w == null || w.message().startsWith(cmd) ? w : newWrongDirection(cmd, dir);
    }

    /** As {@link #wrongDirection(String, Direction)}, for {@code wrong-server}. */
    Warning wrongServer(String cmd, FormSpec.Role role) {
        Warning w = wrongServer;
        return w == null || w.message().startsWith(cmd) ? w : newWrongServer(cmd, role);
    }

    private static Warning newWrongDirection(String cmd, Direction dir) {
        return new Warning(Warning.WRONG_DIRECTION, cmd + " is never sent " + (dir == Direction.C2S ? "by the client" : "by the server"));
    }

    private static Warning newWrongServer(String cmd, FormSpec.Role role) {
        return new Warning(Warning.WRONG_SERVER, cmd + " is not expected on a " + roleName(role) + " connection");
    }

    private static String roleName(FormSpec.Role r) {
        return switch (r) {
            case DS -> "dispatch server";
            case NS -> "notification server";
            case SB -> "switchboard";
        };
    }

    private static List<FormSpec> filter(List<FormSpec> forms, Predicate<FormSpec> keep) {
        List<FormSpec> out = new ArrayList<>(forms.size());
        for (FormSpec f : forms) {
            if (keep.test(f)) {
                out.add(f);
            }
        }
        return List.copyOf(out);
    }
}

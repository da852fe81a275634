package msnscope.dissect;

import msnscope.dissect.spec.FormSpec;
import msnscope.wire.CommandKeys;
import msnscope.wire.Direction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The forms a line may match, narrowed by direction, server role and version — computed once per
 * (command, direction, role, version) and shared, since the spec never changes while running.
 *
 * @param byDirection    forms sent in this direction (all forms when none is: {@code wrongDirection})
 * @param byRole         of those, forms on this server role (all of {@code byDirection} when none: {@code wrongServer})
 * @param byVersion      of those, forms in the negotiated version (empty when the version is unknown)
 */
record FormCandidates(List<FormSpec> byDirection, List<FormSpec> byRole, List<FormSpec> byVersion,
                      boolean wrongDirection, boolean wrongServer) {

    /** Thread-safe memo of candidates; bounded by the number of declared commands × 2 × 4 × versions. */
    static final class Cache {
        private final ConcurrentHashMap<Long, FormCandidates> memo = new ConcurrentHashMap<>();

        FormCandidates of(String cmd, List<FormSpec> forms, Direction dir, FormSpec.Role role, int version) {
            int key = CommandKeys.of(cmd);
            if (key < 0 || version > 127) {
                return compute(forms, dir, role, version);
            }
            long k = ((long) key << 16) | ((long) dir.ordinal() << 10) | ((long) (role == null ? 0 : role.ordinal() + 1) << 7) | version;
            return memo.computeIfAbsent(k, x -> compute(forms, dir, role, version));
        }
    }

    static FormCandidates compute(List<FormSpec> forms, Direction dir, FormSpec.Role role, int version) {
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
        return new FormCandidates(List.copyOf(byDir), List.copyOf(byRole), byVersion, wrongDirection, wrongServer);
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

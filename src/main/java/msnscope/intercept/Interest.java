package msnscope.intercept;

import msnscope.wire.Direction;

import java.util.Locale;
import java.util.Set;

/**
 * The frames an interceptor may change, by direction and command, decided without dissecting: the relay
 * holds only these for a verdict and forwards every other frame untouched and unwaited. A rule whose match
 * names its command ({@code cmd:QNG AND dir:S2C}) costs nothing for the other commands.
 *
 * @param c2s commands (upper case, error codes as digits) whose client-to-server frames may change; null: any frame
 * @param s2c the same for server-to-client frames
 */
public record Interest(Set<String> c2s, Set<String> s2c) {

    public static final Interest NONE = new Interest(Set.of(), Set.of());
    public static final Interest ALL = new Interest(null, null);

    public Interest {
        c2s = upper(c2s);
        s2c = upper(s2c);
    }

    private static Set<String> upper(Set<String> commands) {
        if (commands == null) {
            return null;
        }
        java.util.HashSet<String> u = new java.util.HashSet<>();
        for (String c : commands) {
            u.add(c.toUpperCase(Locale.ROOT));
        }
        return Set.copyOf(u);
    }

    /** The commands of {@code dir}, or null when any frame of that direction may change. */
    public Set<String> commands(Direction dir) {
        return dir == Direction.C2S ? c2s : s2c;
    }

    /**
     * True when a frame with this command ({@link msnscope.wire.Frame#command}: as it is on the wire; null: not
     * a command line) going {@code dir} may be changed. Called per frame on the relay: no allocation.
     */
    public boolean covers(String command, Direction dir) {
        Set<String> set = commands(dir);
        return set == null || (command != null && set.contains(command));
    }

    /** True when nothing going {@code dir} is ever changed. */
    public boolean none(Direction dir) {
        Set<String> set = commands(dir);
        return set != null && set.isEmpty();
    }

    /** Both interests: a frame either may change is held. */
    public Interest or(Interest other) {
        return new Interest(union(c2s, other.c2s), union(s2c, other.s2c));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        if (a == null || b == null) {
            return null;
        }
        java.util.HashSet<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }
}

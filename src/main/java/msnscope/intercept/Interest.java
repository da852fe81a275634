package msnscope.intercept;

import msnscope.wire.CommandKeys;
import msnscope.wire.Direction;

import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The frames an interceptor may change, by direction and command, decided without dissecting: the relay
 * holds only these for a verdict and forwards every other frame untouched and unwaited. A rule whose match
 * names its command ({@code cmd:QNG AND dir:S2C}) costs nothing for the other commands.
 *
 * <p>Immutable. {@link #covers} runs for every frame on the relay: a letter command is an index into a table
 * ({@link CommandKeys}), not a hash lookup (measured: the set lookup was a third of the framer's time).
 */
public final class Interest {

    public static final Interest NONE = new Interest(Set.of(), Set.of());
    public static final Interest ALL = new Interest(null, null);

    private final Set<String> c2s;
    private final Set<String> s2c;
    /** By command key: may a frame with that letter command change? Null for a direction where any frame may. */
    private final boolean[] c2sKeys;
    private final boolean[] s2cKeys;

    /**
     * @param c2s commands (upper case, error codes as digits) whose client-to-server frames may change; null: any frame
     * @param s2c the same for server-to-client frames
     */
    public Interest(Set<String> c2s, Set<String> s2c) {
        this.c2s = upper(c2s);
        this.s2c = upper(s2c);
        this.c2sKeys = keys(this.c2s);
        this.s2cKeys = keys(this.s2c);
    }

    private static Set<String> upper(Set<String> commands) {
        if (commands == null) {
            return null;
        }
        HashSet<String> u = new HashSet<>();
        for (String c : commands) {
            u.add(c.toUpperCase(Locale.ROOT));
        }
        return Set.copyOf(u);
    }

    private static boolean[] keys(Set<String> commands) {
        if (commands == null) {
            return null;
        }
        boolean[] k = new boolean[CommandKeys.SIZE];
        for (String c : commands) {
            int key = CommandKeys.of(c);
            if (key >= 0 && key != CommandKeys.ERROR) {
                k[key] = true;
            }
        }
        return k;
    }

    public Set<String> c2s() {
        return c2s;
    }

    public Set<String> s2c() {
        return s2c;
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
        boolean[] keys = dir == Direction.C2S ? c2sKeys : s2cKeys;
        if (keys == null) {
            return true;
        }
        if (command == null) {
            return false;
        }
        int key = CommandKeys.of(command);
        if (key >= 0 && key != CommandKeys.ERROR) {
            return keys[key];
        }
        // An error code (one key stands for all of them), or a command name the table has no key for.
        return commands(dir).contains(command);
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
        HashSet<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Interest i && Objects.equals(c2s, i.c2s) && Objects.equals(s2c, i.s2c);
    }

    @Override
    public int hashCode() {
        return Objects.hash(c2s, s2c);
    }

    @Override
    public String toString() {
        return "Interest[c2s=" + c2s + ", s2c=" + s2c + "]";
    }
}

package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import msnscope.intercept.Interceptor;
import msnscope.intercept.Interest;
import msnscope.wire.CommandKeys;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Which frames of one direction wait for a decision before they are forwarded: the proxy's own (referrals,
 * {@code --fix-client-ip}'s profile {@code MSG}, server to client only) and those an {@link Interceptor} may
 * change ({@link Interest}, read afresh for each frame, so a reloaded rules file takes effect at once). Every
 * other frame moves on without waiting. Called on the relay's event loop for every frame: no allocation.
 */
final class HoldPolicy {

    private final Direction dir;
    private final Set<String> own;
    /** {@link #own} by command key ({@link CommandKeys}): a table index per frame, not a hash lookup. */
    private final boolean[] ownKeys = new boolean[CommandKeys.SIZE];
    private final byte[][] ownPrefixes;
    private final Interceptor interceptor;
    /** The interest {@link #prefixes} was made from, and the command prefixes of its commands for this direction. */
    private Interest seen;
    private byte[][] prefixes;

    HoldPolicy(Direction dir, List<String> ownCommands, Interceptor interceptor) {
        this.dir = dir;
        this.own = Set.copyOf(ownCommands);
        this.ownPrefixes = prefixes(own);
        for (String c : own) {
            int key = CommandKeys.of(c);
            if (key >= 0 && key != CommandKeys.ERROR) {
                ownKeys[key] = true;
            }
        }
        this.interceptor = interceptor;
    }

    /** A complete frame that is a command line (not a payload piece): does it wait for a decision? */
    boolean holds(Frame f) {
        String cmd = f.command();
        int key = CommandKeys.of(cmd);
        if (key >= 0 && key != CommandKeys.ERROR ? ownKeys[key] : cmd != null && own.contains(cmd)) {
            return true;
        }
        return interceptor != null && interceptor.interest().covers(cmd, dir);
    }

    /**
     * The first {@code n} bytes (n ≥ 1) of an incomplete frame at {@code index} of {@code buf}: could it still
     * become a frame that waits? Then none of it may be forwarded yet.
     */
    boolean mayHold(ByteBuf buf, int index, int n) {
        if (startsLike(buf, index, n, ownPrefixes)) {
            return true;
        }
        if (interceptor == null) {
            return false;
        }
        Interest interest = interceptor.interest();
        if (interest.commands(dir) == null) {
            return true;
        }
        if (interest != seen) {
            prefixes = prefixes(interest.commands(dir));
            seen = interest;
        }
        return startsLike(buf, index, n, prefixes);
    }

    /** True when nothing of this direction can ever wait. */
    boolean never() {
        return own.isEmpty() && (interceptor == null || interceptor.interest().none(dir));
    }

    private static byte[][] prefixes(Set<String> commands) {
        byte[][] p = new byte[commands.size()][];
        int i = 0;
        for (String c : commands) {
            p[i++] = c.getBytes(StandardCharsets.US_ASCII);
        }
        return p;
    }

    /**
     * The bytes so far are a prefix of {@code COMMAND} followed by a separator (space, CR or LF: {@code OUT}
     * alone is a whole line).
     */
    private static boolean startsLike(ByteBuf buf, int index, int n, byte[][] prefixes) {
        for (byte[] p : prefixes) {
            int m = Math.min(n, p.length + 1);
            boolean match = true;
            for (int i = 0; i < m && match; i++) {
                byte b = buf.getByte(index + i);
                match = i < p.length ? b == p[i] : b == ' ' || b == '\r' || b == '\n';
            }
            if (match) {
                return true;
            }
        }
        return false;
    }
}

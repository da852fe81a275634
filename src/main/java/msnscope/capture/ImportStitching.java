package msnscope.capture;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.spec.FormSpec;
import msnscope.wire.Direction;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups an import's connections into sessions with the {@link Stitcher}, fed every frame in the order
 * it happened. A connection is placed at its first frame, except a notification-server connection that
 * a dispatch referral could explain: it is held, its frames kept back from the stitcher, until a frame
 * says which account logged in on it ({@code CVR} or {@code USR}), and is then placed by that evidence.
 * That tells apart two logins from one host sent to the same server, and keeps a login whose dispatch
 * connection the capture missed out of another's session even when that one's referral is the only
 * candidate. The stitcher learns the
 * held frames when the connection is placed, before any later frame, so a switchboard cookie handed out
 * on it is known in time.
 *
 * <p>{@code ConnectionLog} has identity equality, so the maps here are keyed by the connection object.
 */
final class ImportStitching {

    private final Stitcher stitcher = new Stitcher();
    private final Map<ConnectionLog, String> group = new LinkedHashMap<>();
    private final Map<ConnectionLog, Held> held = new LinkedHashMap<>();
    private int next;

    private record Held(List<Dissection> frames, Long openedMicros) {
    }

    /** The next frame of the import, on connection {@code l} that opened at {@code openedMicros} (null: unknown). */
    void frame(ConnectionLog l, Dissection d, Long openedMicros) {
        if (group.containsKey(l)) {
            stitcher.frame(group.get(l), host(l), d);
            return;
        }
        Held h = held.get(l);
        if (h != null) {
            h.frames().add(d);
            if (d.account() != null) {
                place(l, stitcher.notificationServer(host(l), l.server(), d.account(), opened(h.openedMicros(), h.frames().get(0))));
            }
            return;
        }
        String first = firstClientLine(l);
        if (Stitcher.opensSwitchboard(first) || l.role() == FormSpec.Role.SB) {
            group(l, stitcher.switchboard(first));
        } else if (d.account() == null && stitcher.nsCandidates(host(l), l.server()) > 0) {
            List<Dissection> frames = new ArrayList<>();
            frames.add(d);
            held.put(l, new Held(frames, openedMicros));
            return;
        } else {
            group(l, stitcher.notificationServer(host(l), l.server(), d.account(), opened(openedMicros, d)));
        }
        stitcher.frame(group.get(l), host(l), d);
    }

    /** Places the connections still held at the end (no frame ever named their account) by what evidence there is. */
    void finish() {
        for (Map.Entry<ConnectionLog, Held> e : new ArrayList<>(held.entrySet())) {
            Held h = e.getValue();
            place(e.getKey(), stitcher.notificationServer(host(e.getKey()), e.getKey().server(), null,
                    opened(h.openedMicros(), h.frames().get(0))));
        }
    }

    /** Every connection that carried a frame, with its group, in the order the groups were made. */
    Map<ConnectionLog, String> groups() {
        return group;
    }

    private void place(ConnectionLog l, String session) {
        Held h = held.remove(l);
        group(l, session);
        for (Dissection d : h.frames()) {
            stitcher.frame(group.get(l), host(l), d);
        }
    }

    private void group(ConnectionLog l, String session) {
        group.put(l, session != null ? session : "g" + (next++));
    }

    /** When the connection opened: its SYN when the capture has it, else its first frame, else "any time". */
    private static long opened(Long openedMicros, Dissection first) {
        return openedMicros != null ? openedMicros : first.timeMicros() != null ? first.timeMicros() : Long.MAX_VALUE;
    }

    private static String host(ConnectionLog l) {
        return Stitcher.host(l.client());
    }

    private static String firstClientLine(ConnectionLog l) {
        for (Dissection d : l.frames()) {
            if (d.direction() == Direction.C2S) {
                return d.frame().line();
            }
        }
        return null;
    }
}

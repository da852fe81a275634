package msnscope.capture;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes every frame and close of a session name an opened connection. A process killed between creating
 * a connection and writing its record, or damage that took a connection record, leaves frames naming a
 * connection never opened; they are still the session's frames, so they get a connection with unknown
 * endpoints instead of being dropped (or breaking whoever looks them up). One per session, fed its
 * records in file order, shared by loading ({@link CaptureStore#load}) and indexing so both see the same
 * connections.
 */
public final class ConnectionRepair {

    /** The endpoints of a connection whose record is missing: all unknown. */
    public static final ConnectionInfo UNKNOWN = new ConnectionInfo(null, null, null, null, null, null, null, null);

    private final Set<String> opened = new HashSet<>();
    private final List<String> synthesized = new ArrayList<>();

    /** The records to apply for {@code r}: {@code r}, after an opening for a connection never opened. */
    public List<CaptureRecord> apply(CaptureRecord r) {
        String named = null;
        if (r instanceof CaptureRecord.ConnectionOpened o) {
            opened.add(o.connection());
        } else if (r instanceof CaptureRecord.FrameRecord f) {
            named = f.connection();
        } else if (r instanceof CaptureRecord.ConnectionClosed c) {
            named = c.connection();
        }
        if (named == null || opened.contains(named)) {
            return List.of(r);
        }
        opened.add(named);
        synthesized.add(named);
        return List.of(new CaptureRecord.ConnectionOpened(named, UNKNOWN), r);
    }

    /** Connections given an opening so far, in the order they were met. */
    public List<String> synthesized() {
        return List.copyOf(synthesized);
    }

    /** The note for {@code session}, or null when every connection had its record. */
    public String describe(String session) {
        if (synthesized.isEmpty()) {
            return null;
        }
        String which = synthesized.size() <= 5 ? String.join(", ", synthesized)
                : String.join(", ", synthesized.subList(0, 5)) + " and " + (synthesized.size() - 5) + " more";
        return session + ": no connection record for " + which + " (recording cut short?); "
                + (synthesized.size() == 1 ? "its frames are" : "their frames are") + " shown with unknown endpoints";
    }
}

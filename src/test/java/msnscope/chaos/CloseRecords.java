package msnscope.chaos;

import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which recorded connections have no close record: after a clean shutdown, none may. */
final class CloseRecords {

    private CloseRecords() {
    }

    /**
     * Connections opened at or after {@code sinceMicros} (a kill -9 before that cannot have closed the
     * earlier ones) with no close record, as {@code s3/c2 ROLE}, read from the capture files; sessions in
     * {@code skip} (deliberately damaged) are not read.
     */
    static List<String> unclosed(CaptureStore store, long sinceMicros, Set<String> skip) throws IOException {
        List<String> out = new ArrayList<>();
        for (String s : store.sessions()) {
            if (skip.contains(s)) {
                continue;
            }
            Map<String, String> open = new LinkedHashMap<>();
            for (CaptureRecord r : store.records(s)) {
                if (r instanceof CaptureRecord.ConnectionOpened o && o.info().openedMicros() != null
                        && o.info().openedMicros() >= sinceMicros) {
                    open.put(o.connection(), o.info().role());
                } else if (r instanceof CaptureRecord.ConnectionClosed c) {
                    open.remove(c.connection());
                }
            }
            open.forEach((c, role) -> out.add(s + "/" + c + " " + role));
        }
        return out;
    }
}

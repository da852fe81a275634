package msnscope.chaos;

import msnscope.capture.CaptureReader;
import msnscope.capture.CaptureRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The frame records of one capture file, read directly (not through a command), as {@link FrameLedger} keys. */
final class RecordedFrames {

    private RecordedFrames() {
    }

    /**
     * A frame record's place in its file, and the frame as the {@link FrameLedger#key} it is counted under
     * (its connection's role and account, as read from the records).
     */
    record Hit(long start, long end, String key, String line) {
    }

    /** The frame records of a capture file with their byte ranges, read before the damage. */
    static List<Hit> read(Path file) throws IOException {
        Map<String, String> roles = new HashMap<>();
        Map<String, List<String>> c2s = new HashMap<>();
        List<long[]> ranges = new ArrayList<>();
        List<CaptureRecord.FrameRecord> frames = new ArrayList<>();
        try (CaptureReader r = CaptureReader.open(file, 0)) {
            long start = r.offset();
            for (CaptureRecord rec; (rec = r.next()) != null; start = r.offset()) {
                if (rec instanceof CaptureRecord.ConnectionOpened o) {
                    roles.put(o.connection(), String.valueOf(o.info().role()));
                } else if (rec instanceof CaptureRecord.FrameRecord f) {
                    frames.add(f);
                    ranges.add(new long[] {start, r.offset()});
                    if (f.direction().name().equals("C2S")) {
                        c2s.computeIfAbsent(f.connection(), k -> new ArrayList<>()).add(WireFrames.one(f.frame().copyBytes()).line());
                    }
                }
            }
        }
        List<Hit> out = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            CaptureRecord.FrameRecord f = frames.get(i);
            String role = roles.getOrDefault(f.connection(), "?");
            WireFrames.Frame w = WireFrames.one(f.frame().copyBytes());
            String key = FrameLedger.key(role, FrameLedger.account(role, c2s.getOrDefault(f.connection(), List.of())),
                    f.direction().name(), w.line(), w.payload());
            out.add(new Hit(ranges.get(i)[0], ranges.get(i)[1], key, w.line()));
        }
        return out;
    }
}

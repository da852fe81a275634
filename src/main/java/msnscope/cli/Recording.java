package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.capture.Recorder;

import java.nio.file.Path;
import java.util.List;

/**
 * Whether and where {@code msnscope proxy} records, in the words of its banner and its exit line: the store
 * it writes into and the session ids this run takes (new sessions continue after the highest id there).
 */
final class Recording {

    private final Path dir;
    private final Recorder recorder;
    /** The number of the first session this run may create. */
    private final long first;

    private Recording(Path dir, Recorder recorder, long first) {
        this.dir = dir;
        this.recorder = recorder;
        this.first = first;
    }

    /** Reads where session ids stand in the store at {@code dir}, which {@code recorder} records into. */
    static Recording into(Path dir, Recorder recorder) {
        List<String> ids = new CaptureStore(dir).sessions();
        return new Recording(dir, recorder, ids.isEmpty() ? 1 : number(ids.get(ids.size() - 1)) + 1);
    }

    /** The banner's line when nothing is recorded. */
    static String notRecording() {
        return "not recording (add --data DIR to keep the traffic for show, search and export)";
    }

    /** {@code recording to DIR (session ids continue from s4)}. */
    String banner() {
        return "recording to " + dir + " (session ids continue from s" + first + ")";
    }

    /** {@code recorded 57 frames to DIR as s4-s5}, then what was lost and why, if anything. */
    String summary() {
        List<String> mine = new CaptureStore(dir).sessions().stream().filter(id -> number(id) >= first).toList();
        String sessions = mine.isEmpty() ? " (no new session)"
                : " as " + (mine.size() == 1 ? mine.get(0) : mine.get(0) + "-" + mine.get(mine.size() - 1));
        StringBuilder sb = new StringBuilder("recorded " + ProxyTally.plural(recorder.acknowledged(), "frame") + " to " + dir + sessions);
        if (recorder.lost() > 0) {
            sb.append(", ").append(recorder.lost()).append(" lost");
        }
        if (recorder.failure() != null) {
            sb.append(" (capture writes failing: ").append(recorder.failure()).append(')');
        }
        return sb.toString();
    }

    private static long number(String id) {
        return Long.parseLong(id.substring(1));
    }
}

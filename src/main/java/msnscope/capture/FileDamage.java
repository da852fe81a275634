package msnscope.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * What reading one capture file had to step over: damaged bytes skipped to reach the next valid record
 * ({@code ranges} keeps the first {@link #MAX_RANGES} of them, {@code rangeCount} counts all), and whether
 * nothing in it could be read at all (not a capture file). A torn tail is not damage: it is a record still
 * being written, or cut short by a crash, and the writer removes it.
 *
 * @param skippedBytes bytes skipped in total
 * @param rangeCount   how many separate runs of damaged bytes
 * @param ranges       the first runs, as byte offsets {@code [from, to)}
 * @param notCapture   the file has no valid magic and no valid record: nothing was read
 */
public record FileDamage(long skippedBytes, int rangeCount, List<Range> ranges, boolean notCapture) {

    /** Ranges kept for the report; the count and the byte total stay exact past it. */
    public static final int MAX_RANGES = 16;
    public static final FileDamage NONE = new FileDamage(0, 0, List.of(), false);
    public static final FileDamage NOT_CAPTURE = new FileDamage(0, 0, List.of(), true);

    /** Bytes {@code [from, to)} of the file were skipped. */
    public record Range(long from, long to) {
        public long length() {
            return to - from;
        }
    }

    public FileDamage {
        ranges = List.copyOf(ranges);
    }

    public boolean any() {
        return skippedBytes > 0 || notCapture;
    }

    /** This damage followed by {@code later} (read further on in the same file). */
    public FileDamage plus(FileDamage later) {
        if (!later.any()) {
            return this;
        }
        if (!any()) {
            return later;
        }
        List<Range> all = new ArrayList<>(ranges);
        for (Range r : later.ranges) {
            if (all.size() < MAX_RANGES) {
                all.add(r);
            }
        }
        return new FileDamage(skippedBytes + later.skippedBytes, rangeCount + later.rangeCount, all, notCapture || later.notCapture);
    }

    /**
     * The one line a command prints about this file, e.g. {@code s3: skipped 37 damaged bytes at offset
     * 1024 (1 range); the records after it were read}.
     */
    public String describe(String session) {
        if (notCapture) {
            return session + ": not a capture file (its header is damaged and no valid record follows); ignored";
        }
        StringBuilder sb = new StringBuilder(session).append(": skipped ").append(skippedBytes).append(" damaged byte")
                .append(skippedBytes == 1 ? "" : "s").append(rangeCount == 1 ? " at offset " : " at offsets ");
        for (int i = 0; i < ranges.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(ranges.get(i).from());
        }
        if (rangeCount > ranges.size()) {
            sb.append(", …");
        }
        sb.append(" (").append(rangeCount).append(rangeCount == 1 ? " range" : " ranges").append("); the records after ")
                .append(rangeCount == 1 ? "it" : "them").append(" were read");
        return sb.toString();
    }
}

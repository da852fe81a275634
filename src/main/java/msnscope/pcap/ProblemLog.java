package msnscope.pcap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * File-level problems. A damaged capture can repeat the same problem on millions of packets, so
 * repeats are counted per kind ("3 IPv4 fragments skipped (first: packet 17)") rather than listed,
 * and distinct messages stop at {@link #MAX_MESSAGES}.
 */
final class ProblemLog {
    static final int MAX_MESSAGES = 100;

    private final List<String> messages = new ArrayList<>();
    private final Map<String, long[]> counted = new LinkedHashMap<>();
    private int dropped;

    /** A one-off problem, listed as given (duplicates collapse). */
    void add(String message) {
        if (messages.contains(message)) {
            return;
        }
        if (messages.size() >= MAX_MESSAGES) {
            dropped++;
            return;
        }
        messages.add(message);
    }

    /**
     * One more packet with a problem of this kind; {@code kind} is a noun phrase whose noun ends in
     * {@code {s}}, so a count of one reads "1 packet", not "1 packets".
     */
    void count(String kind, long packetNumber) {
        long[] c = counted.computeIfAbsent(kind, k -> new long[] {0, packetNumber});
        c[0]++;
    }

    List<String> toList() {
        List<String> out = new ArrayList<>(messages);
        counted.forEach((kind, c) -> out.add(c[0] + " " + kind.replace("{s}", c[0] == 1 ? "" : "s") + " (first: packet " + c[1] + ")"));
        if (dropped > 0) {
            out.add(dropped + " more problems not listed");
        }
        return out;
    }
}

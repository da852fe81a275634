package msnscope.pcap;

import java.util.ArrayList;
import java.util.List;

/**
 * The MSNP connections of a capture ({@link MsnpDetector}) and what the user must be told about reading
 * it, one line each: the file's problems (cut short, damaged), each MSNP connection's (missing bytes),
 * and, when there is nothing to dissect, why (no packets at all, no TCP, no MSNP). {@code import} and
 * {@code dissect} print the same lines, so neither loses data without a word.
 */
public record MsnpCapture(List<TcpConnection> connections, List<String> problems) {

    public MsnpCapture {
        connections = List.copyOf(connections);
        problems = List.copyOf(problems);
    }

    public static MsnpCapture of(PcapResult result) {
        List<TcpConnection> msnp = new ArrayList<>();
        List<String> problems = new ArrayList<>(result.problems());
        for (TcpConnection c : result.connections()) {
            if (!MsnpDetector.looksLikeMsnp(c)) {
                continue;
            }
            msnp.add(c);
            for (String p : c.problems()) {
                problems.add(c.id() + ": " + p);
            }
        }
        if (msnp.isEmpty()) {
            problems.add(result.packets() == 0 ? "the capture holds no packets (only its header)"
                    : result.connections().isEmpty() ? "no TCP connection in " + count(result.packets(), "packet")
                    : "no MSNP connection in " + count(result.connections().size(), "TCP connection"));
        }
        return new MsnpCapture(msnp, problems);
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}

package msnscope.capture;

import msnscope.proxy.HostPortText;
import msnscope.pcap.MsnpCapture;
import msnscope.pcap.MsnpDetector;
import msnscope.pcap.PcapFormatException;
import msnscope.pcap.PcapReader;
import msnscope.pcap.PcapResult;
import msnscope.pcap.ProgressListener;
import msnscope.pcap.TcpChunk;
import msnscope.pcap.TcpConnection;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Imports a pcap/pcapng capture: {@link PcapReader} reassembles every TCP connection (out-of-order,
 * retransmitted and missing segments are handled and reported), {@link MsnpDetector} keeps the MSNP ones
 * by content (switchboards run on any port), and the {@link Importer} dissects them in capture-time order
 * and stitches them into sessions as the recorder does. A capture that starts mid-session still imports:
 * the dissector guesses roles and versions and says so in warnings.
 */
public final class PcapImport {

    /** What an import did: the sessions created, the problems to tell the user, and how much was read. */
    public record Report(List<String> sessions, List<String> problems, long bytes, int connections) {
    }

    private PcapImport() {
    }

    public static Report run(Importer importer, Path file, ProgressListener progress) throws PcapFormatException, IOException {
        return write(importer, PcapReader.read(file, progress), file.toString());
    }

    /** Imports a capture already read (from a file or a pipe); {@code source} names it in the store. */
    public static Report write(Importer importer, PcapResult result, String source) throws IOException {
        MsnpCapture msnp = MsnpCapture.of(result);
        List<Importer.RawConnection> raw = new ArrayList<>();
        for (TcpConnection c : msnp.connections()) {
            List<Importer.Chunk> chunks = new ArrayList<>(c.chunks().size());
            for (TcpChunk ch : c.chunks()) {
                chunks.add(new Importer.Chunk(ch.dir(), ch.timeMicros(), ch.data()));
            }
            raw.add(new Importer.RawConnection(c.id(), HostPortText.of(c.client()), HostPortText.of(c.server()), c.firstMicros(), chunks));
        }
        List<String> sessions = raw.isEmpty() ? List.of() : importer.connections(raw, source, true);
        return new Report(sessions, msnp.problems(), result.bytes(), raw.size());
    }

}

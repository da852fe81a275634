package msnscope.pcap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a capture file (classic pcap or pcapng, told apart by the magic number, not the file name) and
 * reassembles every TCP connection in it. See {@link PacketDecoder} for the link types and IP handling,
 * {@link TcpReassembler} for reassembly and {@link ClientServerResolver} (via
 * {@link TcpConnection#clientKnownFromSyn()}) for how the client is found.
 *
 * <p>The file is streamed through a 1 MiB window; memory grows with the TCP payload kept (which the
 * result holds) and the out-of-order buffers, not with the file. A damaged or truncated file is read up
 * to the damage: the problem is reported in {@link PcapResult#problems()} and nothing is thrown.
 */
public final class PcapReader {
    /** How often the progress listener is told, in bytes of file. */
    private static final long PROGRESS_STEP = 1 << 20;

    private PcapReader() {
    }

    /** Reads the whole file. */
    public static PcapResult read(Path file) throws PcapFormatException {
        return read(file, ProgressListener.NONE);
    }

    /**
     * Reads the whole file, telling {@code progress} how far it got about once per mebibyte and once at
     * the end.
     *
     * @throws PcapFormatException when the file cannot be opened or read, or is not a capture at all
     *                             (one-line message, file name included)
     */
    public static PcapResult read(Path file, ProgressListener progress) throws PcapFormatException {
        try (CaptureInput in = new CaptureInput(file)) {
            return read(in, progress);
        } catch (NoSuchFileException e) {
            throw new PcapFormatException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new PcapFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a capture from a stream that cannot seek (standard input), to its end; the stream is left open.
     * {@code name} names it in messages; {@code size} is its length when known, else -1 (what the progress
     * listener is given as the total).
     */
    public static PcapResult read(InputStream stream, String name, long size, ProgressListener progress) throws PcapFormatException {
        try {
            return read(new CaptureInput(Channels.newChannel(stream), size), progress);
        } catch (IOException e) {
            throw new PcapFormatException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    private static PcapResult read(CaptureInput in, ProgressListener progress) throws IOException, PcapFormatException {
        ProblemLog problems = new ProblemLog();
        PacketSource source = open(in, problems);
        PacketDecoder decoder = new PacketDecoder(problems);
        TcpReassembler reassembler = new TcpReassembler();
        RawPacket packet = new RawPacket();
        TcpSegment segment = new TcpSegment();
        long packets = 0;
        long nextReport = PROGRESS_STEP;
        while (source.next(packet)) {
            packets++;
            if (decoder.decode(packet, segment)) {
                reassembler.accept(segment);
            }
            if (in.offset() >= nextReport) {
                progress.progress(in.offset(), in.size());
                nextReport = in.offset() + PROGRESS_STEP;
            }
        }
        List<TcpConnection> connections = reassembler.finish();
        long bytes = in.offset();
        progress.progress(bytes, in.size());
        return new PcapResult(connections, problems.toList(), packets, bytes);
    }

    private static PacketSource open(CaptureInput in, ProblemLog problems) throws IOException, PcapFormatException {
        if (!in.ensure(4)) {
            throw new PcapFormatException(in.available() == 0
                    ? "not a pcap or pcapng file: it is empty"
                    : "not a pcap or pcapng file: only " + in.available() + " bytes");
        }
        int magic = Bytes.i32(in.array(), in.pos());
        if (magic == PcapNgSource.SHB_TYPE) {
            return new PcapNgSource(in, problems);
        }
        if (isClassicMagic(magic)) {
            return new ClassicPcapSource(in, problems, magic);
        }
        throw new PcapFormatException(String.format("not a pcap or pcapng file: bad magic 0x%08x", magic));
    }

    /**
     * True when {@code head} starts with the magic number of a pcapng or a classic pcap file (either byte
     * order, microsecond or nanosecond): how {@code import} and {@code dissect} tell captures from transcripts.
     */
    public static boolean isCapture(byte[] head) {
        if (head.length < 4) {
            return false;
        }
        int magic = Bytes.i32(head, 0);
        return magic == PcapNgSource.SHB_TYPE || isClassicMagic(magic);
    }

    private static boolean isClassicMagic(int magic) {
        for (int m : new int[] {ClassicPcapSource.MAGIC_MICROS, ClassicPcapSource.MAGIC_NANOS}) {
            if (magic == m || magic == Integer.reverseBytes(m)) {
                return true;
            }
        }
        return false;
    }
}

package msnscope.cli;

import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.pcap.MsnpCapture;
import msnscope.pcap.PcapFormatException;
import msnscope.pcap.PcapReader;
import msnscope.pcap.ProgressListener;
import msnscope.transcript.TranscriptException;
import msnscope.transcript.TranscriptReader;
import msnscope.wire.FramerLimits;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Options and file reading shared by the commands that read sessions. */
final class Inputs {

    private Inputs() {
    }

    static void addSpecOptions(Options o) {
        o.addOption(Option.builder().longOpt("dissectors").hasArg().argName("DIR")
                .desc("read protocol knowledge from DIR (default: ./dissectors, else the clone's dissectors/ beside the jar's target/, else the copy in the jar)").build());
        o.addOption(Option.builder().longOpt("max-line").hasArg().argName("BYTES")
                .desc("longest command line before it is split and flagged (default " + FramerLimits.DEFAULT.maxLineLength() + ")").build());
        o.addOption(Option.builder().longOpt("max-payload").hasArg().argName("BYTES")
                .desc("largest payload buffered and dissected; a larger one is still read as the payload it declares "
                        + "(relayed unchanged, streamed through undissected, flagged) (default " + FramerLimits.DEFAULT.maxPayloadLength() + ")").build());
    }

    static ProtocolSpec spec(CommandLine line) {
        return SpecLoader.load(line.hasOption("dissectors") ? Path.of(line.getOptionValue("dissectors")) : null);
    }

    static FramerLimits limits(CommandLine line) throws UsageException {
        int maxLine = intOption(line, "max-line", FramerLimits.DEFAULT.maxLineLength());
        int maxPayload = intOption(line, "max-payload", FramerLimits.DEFAULT.maxPayloadLength());
        try {
            return new FramerLimits(maxLine, maxPayload);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static int intOption(CommandLine line, String name, int fallback) throws UsageException {
        String v = line.getOptionValue(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " takes a whole number, not '" + v + "'");
        }
    }

    /** A byte count: digits, optionally followed by K, M or G (powers of 1024). */
    static long bytesOption(CommandLine line, String name, long fallback) throws UsageException {
        String v = line.getOptionValue(name);
        if (v == null) {
            return fallback;
        }
        String t = v.trim().toUpperCase(java.util.Locale.ROOT);
        int shift = t.endsWith("K") ? 10 : t.endsWith("M") ? 20 : t.endsWith("G") ? 30 : 0;
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " takes a number of bytes (with an optional K, M or G), not '" + v + "'");
        }
    }

    /** A byte count for help texts: 67108864 -> "64M". */
    static String bytesText(long n) {
        for (String unit : new String[]{"G", "M", "K"}) {
            int shift = unit.equals("G") ? 30 : unit.equals("M") ? 20 : 10;
            if (n > 0 && n % (1L << shift) == 0) {
                return (n >> shift) + unit;
            }
        }
        return Long.toString(n);
    }

    /** The name that stands for standard input (or output), as in tshark and most Unix tools. */
    static final String STANDARD = "-";

    /** Standard input of the running command: {@link Main} sets it, so a test can give its own bytes. */
    private static final ThreadLocal<InputStream> STDIN = ThreadLocal.withInitial(() -> System.in);

    static void stdin(InputStream in) {
        STDIN.set(in);
    }

    static void resetStdin() {
        STDIN.remove();
    }

    static boolean isStandard(String name) {
        return STANDARD.equals(name);
    }

    /** How messages name a FILE argument. */
    static String display(String name) {
        return isStandard(name) ? "standard input" : name;
    }

    /**
     * Checks every FILE argument before any work is done (one line for the first that cannot be read);
     * standard input may be named once, since it can be read only once.
     */
    static void checkReadable(List<String> names) throws UsageException {
        if (names.stream().filter(Inputs::isStandard).count() > 1) {
            throw new UsageException("'-' (standard input) is given more than once; it can be read only once");
        }
        for (String name : names) {
            if (!isStandard(name)) {
                regularFile(name);
            }
        }
    }

    private static Path regularFile(String name) throws UsageException {
        Path p = Path.of(name);
        if (!Files.exists(p)) {
            throw new UsageException("cannot read " + name + ": no such file");
        }
        if (Files.isDirectory(p)) {
            throw new UsageException("cannot read " + name + ": it is a directory");
        }
        return p;
    }

    /** A FILE argument opened for reading: a file, or standard input for {@code -}. */
    static InputStream open(String name) throws UsageException {
        if (isStandard(name)) {
            return STDIN.get();
        }
        try {
            return Files.newInputStream(regularFile(name));
        } catch (IOException e) {
            throw new UsageException("cannot read " + name + ": " + Outputs.reason(e));
        }
    }

    /** Size of a FILE argument in bytes, or -1 when not known (standard input). */
    static long size(String name) {
        try {
            return isStandard(name) ? -1 : Files.size(Path.of(name));
        } catch (IOException e) {
            return -1;
        }
    }

    static byte[] readFile(String name) throws UsageException {
        InputStream in = open(name);
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UsageException("cannot read " + display(name) + ": " + Outputs.reason(e));
        } finally {
            if (!isStandard(name)) {
                closeQuietly(in);
            }
        }
    }

    static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // read-only: nothing was lost
        }
    }

    /** Session id of a file: its name without the extension ({@code stdin} for standard input). */
    static String sessionId(String name) {
        if (isStandard(name)) {
            return "stdin";
        }
        String base = Path.of(name).getFileName().toString();
        int dot = base.lastIndexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }

    /** As below, for a benchmark: what the capture could not give is not its business. */
    static SessionAssembler dissectFile(String name, Dissector dissector, FramerLimits limits) throws UsageException {
        return dissectFile(name, dissector, limits, new PrintStream(OutputStream.nullOutputStream()));
    }

    /**
     * Reads and dissects one session file: a transcript, or a pcap/pcapng capture (told apart by its
     * bytes, also on standard input). What a capture could not give (cut short, bytes missing, no MSNP
     * at all) is said on {@code err}, one line each, naming the file: the frames that could be read are
     * still dissected.
     */
    static SessionAssembler dissectFile(String name, Dissector dissector, FramerLimits limits, PrintStream err) throws UsageException {
        byte[] data = readFile(name);
        SessionAssembler session = new SessionAssembler(dissector, sessionId(name), limits);
        if (PcapReader.isCapture(data)) {
            MsnpCapture capture;
            try {
                capture = MsnpCapture.of(PcapReader.read(new ByteArrayInputStream(data), display(name), data.length, ProgressListener.NONE));
            } catch (PcapFormatException e) {
                throw new UsageException(display(name) + ": " + e.getMessage());
            }
            for (String problem : capture.problems()) {
                err.println("msnscope dissect: " + display(name) + ": " + problem);
            }
            PcapSessions.dissect(capture.connections(), session);
            return session;
        }
        String text = new String(data, StandardCharsets.UTF_8);
        if (!TranscriptReader.looksLikeTranscript(text)) {
            throw new UsageException(display(name) + " is not a transcript (no 'C: ' or 'S: ' lines) or a pcap/pcapng capture");
        }
        try {
            new TranscriptReader(limits).read(text, session);
        } catch (TranscriptException e) {
            throw new UsageException(display(name) + " " + e.getMessage());
        }
        return session;
    }
}

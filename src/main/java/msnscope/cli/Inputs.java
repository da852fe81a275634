package msnscope.cli;

import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.pcap.PcapFormatException;
import msnscope.pcap.PcapReader;
import msnscope.transcript.TranscriptReader;
import msnscope.wire.FramerLimits;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Options and file reading shared by the commands that read sessions. */
final class Inputs {

    private Inputs() {
    }

    static void addSpecOptions(Options o) {
        o.addOption(Option.builder().longOpt("dissectors").hasArg().argName("DIR")
                .desc("read protocol knowledge from DIR (default: ./dissectors, else the copy in the jar)").build());
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

    static byte[] readFile(String name) throws UsageException {
        Path p = Path.of(name);
        if (!Files.exists(p)) {
            throw new UsageException("cannot read " + name + ": no such file");
        }
        if (Files.isDirectory(p)) {
            throw new UsageException("cannot read " + name + ": it is a directory");
        }
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UsageException("cannot read " + name + ": " + e.getMessage());
        }
    }

    /** Session id of a file: its name without the extension. */
    static String sessionId(String name) {
        String base = Path.of(name).getFileName().toString();
        int dot = base.lastIndexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }

    /** Reads and dissects one session file: a transcript, or a pcap/pcapng capture. */
    static SessionAssembler dissectFile(String name, Dissector dissector, FramerLimits limits) throws UsageException {
        byte[] data = readFile(name);
        SessionAssembler session = new SessionAssembler(dissector, sessionId(name), limits);
        if (PcapReader.isCapture(data)) {
            try {
                PcapSessions.dissect(PcapReader.read(Path.of(name)), session);
            } catch (PcapFormatException e) {
                throw new UsageException(name + ": " + e.getMessage());
            }
            return session;
        }
        String text = new String(data, StandardCharsets.UTF_8);
        if (!TranscriptReader.looksLikeTranscript(text)) {
            throw new UsageException(name + " is not a transcript (no 'C: ' or 'S: ' lines)");
        }
        new TranscriptReader(limits).read(text, session);
        return session;
    }

    /** Imports a pcap/pcapng capture (see {@link msnscope.capture.PcapImport}). */
    static java.util.List<String> importPcap(msnscope.capture.Importer importer, String file, java.io.PrintStream progress,
                                             java.io.PrintStream err) throws UsageException, IOException {
        try {
            msnscope.pcap.ProgressListener bar = progress == null ? msnscope.pcap.ProgressListener.NONE : new ProgressBar(progress, file);
            msnscope.capture.PcapImport.Report r = msnscope.capture.PcapImport.run(importer, Path.of(file), bar);
            if (progress != null) {
                progress.print("\r\033[K");
            }
            for (String problem : r.problems()) {
                err.println(file + ": " + problem);
            }
            return r.sessions();
        } catch (msnscope.pcap.PcapFormatException e) {
            throw new UsageException(e.getMessage());
        }
    }
}

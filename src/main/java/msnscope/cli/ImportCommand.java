package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.capture.ImportLedger;
import msnscope.capture.Importer;
import msnscope.capture.PcapImport;
import msnscope.dissect.Dissector;
import msnscope.index.CaptureIndex;
import msnscope.pcap.PcapFormatException;
import msnscope.pcap.PcapReader;
import msnscope.pcap.PcapResult;
import msnscope.pcap.ProgressListener;
import msnscope.transcript.TranscriptException;
import msnscope.transcript.TranscriptReader;
import msnscope.wire.FramerLimits;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.List;

/** {@code msnscope import FILE...}: transcripts, msnscope JSON Lines exports and pcap/pcapng captures into the store. */
final class ImportCommand implements Command {

    @Override
    public String name() {
        return "import";
    }

    @Override
    public String usage() {
        return "FILE... [--data DIR] [--allow-duplicate]";
    }

    @Override
    public String description() {
        return "Import sessions into the capture store and index them: wiki transcripts, msnscope exports (transcript or\n"
                + "jsonl) and pcap/pcapng captures (TCP reassembled, MSNP connections picked by content, logins stitched).";
    }

    @Override
    public Options options() {
        Options o = new Options();
        DataOptions.add(o);
        o.addOption(Option.builder().longOpt("no-progress").desc("no progress bar, even on a terminal").build());
        o.addOption(Option.builder().longOpt("allow-duplicate")
                .desc("import a file even if the store already has sessions imported from the same content").build());
        return o;
    }

    /** What one FILE gave: the new sessions, or the sessions that already hold its content (then nothing was imported). */
    private record Outcome(List<String> sessions, List<String> alreadyAs) {
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (line.getArgList().isEmpty()) {
            throw new UsageException("no FILE given (see msnscope import --help)");
        }
        Inputs.checkReadable(line.getArgList());
        FramerLimits limits = Inputs.limits(line);
        Dissector dissector = new Dissector(Inputs.spec(line));
        CaptureStore store = DataOptions.create(line);
        Importer importer = new Importer(store, dissector, limits);
        ImportLedger ledger = new ImportLedger(store);
        boolean allowDuplicate = line.hasOption("allow-duplicate");
        boolean progress = !line.hasOption("no-progress") && System.console() != null;
        // One unreadable file (a .txt that is not a transcript, in `import captures/*`) does not cost the
        // others: each is reported on its own line and the exit code says something was skipped.
        int skipped = 0;
        for (String file : line.getArgList()) {
            String name = Inputs.display(file);
            try {
                Outcome o = importFile(importer, ledger, file, allowDuplicate, progress ? err : null, err);
                if (!o.alreadyAs().isEmpty()) {
                    // Not a mistake (`import captures/*` run twice): said, skipped, and the exit code stays 0.
                    out.println(name + ": already imported as " + String.join(", ", o.alreadyAs())
                            + " (same content); skipped (--allow-duplicate imports it again)");
                    continue;
                }
                List<String> sessions = o.sessions();
                out.println(name + ": " + sessions.size() + (sessions.size() == 1 ? " session" : " sessions")
                        + (sessions.isEmpty() ? "" : " (" + String.join(", ", sessions) + ")"));
            } catch (UsageException e) {
                err.println("msnscope import: skipped " + e.getMessage());
                skipped++;
            }
        }
        try (CaptureIndex index = DataOptions.index(store, dissector)) {
            if (index.readOnly()) {
                err.println("msnscope import: another msnscope holds the index: a recording proxy indexes these sessions within "
                        + "seconds; otherwise they are indexed when the index is next opened");
            }
        } finally {
            DataOptions.printNotes(store, err);
        }
        return skipped == 0 ? Main.OK : Main.USAGE;
    }

    /**
     * Imports one FILE (or standard input) by its content: pcap/pcapng magic, JSON Lines, else a
     * transcript. Every byte read goes through a SHA-256 digest, which the {@link ImportLedger} compares
     * with earlier imports before anything is written.
     */
    private static Outcome importFile(Importer importer, ImportLedger ledger, String file, boolean allowDuplicate,
                                      PrintStream progress, PrintStream err) throws UsageException, IOException {
        MessageDigest digest = ImportLedger.digest();
        InputStream source = Inputs.open(file);
        try {
            BufferedInputStream in = new BufferedInputStream(new DigestInputStream(source, digest), 1 << 16);
            in.mark(4);
            byte[] head = in.readNBytes(4);
            in.reset();
            String name = Inputs.display(file);
            String sourceName = Inputs.isStandard(file) ? "stdin" : file;
            if (PcapReader.isCapture(head)) {
                PcapResult capture = readCapture(in, file, progress);
                String hash = ImportLedger.hex(digest);
                List<String> already = allowDuplicate ? List.of() : ledger.importedAs(hash);
                if (!already.isEmpty()) {
                    return new Outcome(List.of(), already);
                }
                PcapImport.Report r = PcapImport.write(importer, capture, sourceName);
                for (String problem : r.problems()) {
                    err.println("msnscope import: " + name + ": " + problem);
                }
                ledger.record(hash, r.sessions(), sourceName);
                return new Outcome(r.sessions(), List.of());
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String hash = ImportLedger.hex(digest);
            List<String> already = allowDuplicate ? List.of() : ledger.importedAs(hash);
            if (!already.isEmpty()) {
                return new Outcome(List.of(), already);
            }
            List<String> sessions = importText(importer, text, name, sourceName);
            ledger.record(hash, sessions, sourceName);
            return new Outcome(sessions, List.of());
        } finally {
            if (!Inputs.isStandard(file)) {
                Inputs.closeQuietly(source);
            }
        }
    }

    private static PcapResult readCapture(InputStream in, String file, PrintStream progress) throws UsageException, IOException {
        String name = Inputs.display(file);
        ProgressListener bar = progress == null ? ProgressListener.NONE : new ProgressBar(progress, name);
        try {
            PcapResult capture = PcapReader.read(in, name, Inputs.size(file), bar);
            // A reader that stopped at damage left the rest unread: it is still part of the content compared.
            in.transferTo(OutputStream.nullOutputStream());
            return capture;
        } catch (PcapFormatException e) {
            throw new UsageException(name + ": " + e.getMessage());
        } finally {
            if (progress != null) {
                progress.print("\r\033[K");
            }
        }
    }

    private static List<String> importText(Importer importer, String text, String name, String sourceName)
            throws UsageException, IOException {
        try {
            if (text.stripLeading().startsWith("{")) {
                return importer.jsonl(text, sourceName);
            }
        } catch (IOException e) {
            throw new UsageException(e.getMessage());
        } catch (RuntimeException e) {
            // A line with a value the contract does not allow (a "dir" of "sideways", bad base64): skip the file.
            throw new UsageException(name + " is not a valid msnscope jsonl export (" + Main.describe(e) + ")");
        }
        if (!TranscriptReader.looksLikeTranscript(text)) {
            throw new UsageException(name + " is not a transcript, an msnscope jsonl export or a pcap/pcapng capture");
        }
        try {
            return importer.transcript(text, sourceName);
        } catch (TranscriptException e) {
            throw new UsageException(name + " " + e.getMessage());
        }
    }
}

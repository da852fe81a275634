package msnscope.cli;

import msnscope.pcap.PcapReader;
import msnscope.capture.CaptureStore;
import msnscope.capture.Importer;
import msnscope.dissect.Dissector;
import msnscope.index.CaptureIndex;
import msnscope.wire.FramerLimits;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code msnscope import FILE...}: transcripts, msnscope JSON Lines exports and pcap/pcapng captures into the store. */
final class ImportCommand implements Command {

    @Override
    public String name() {
        return "import";
    }

    @Override
    public String usage() {
        return "FILE... [--data DIR]";
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
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (line.getArgList().isEmpty()) {
            throw new UsageException("no FILE given (see msnscope import --help)");
        }
        for (String file : line.getArgList()) {
            Inputs.readFile(file);
        }
        FramerLimits limits = Inputs.limits(line);
        Dissector dissector = new Dissector(Inputs.spec(line));
        CaptureStore store = DataOptions.create(line);
        Importer importer = new Importer(store, dissector, limits);
        boolean progress = !line.hasOption("no-progress") && System.console() != null;
        // One unreadable file (a .txt that is not a transcript, in `import captures/*`) does not cost the
        // others: each is reported on its own line and the exit code says something was skipped.
        int skipped = 0;
        for (String file : line.getArgList()) {
            try {
                List<String> sessions = importFile(importer, file, progress ? err : null, err);
                out.println(file + ": " + sessions.size() + (sessions.size() == 1 ? " session" : " sessions")
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

    /** Imports one file by its content: pcap/pcapng magic, JSON Lines, else a transcript. */
    static List<String> importFile(Importer importer, String file, PrintStream progress, PrintStream err) throws UsageException, IOException {
        byte[] data = Inputs.readFile(file);
        if (PcapReader.isCapture(data)) {
            return Inputs.importPcap(importer, file, progress, err);
        }
        String text = new String(data, StandardCharsets.UTF_8);
        String trimmed = text.stripLeading();
        try {
            if (trimmed.startsWith("{")) {
                return importer.jsonl(text, file);
            }
        } catch (IOException e) {
            throw new UsageException(e.getMessage());
        } catch (RuntimeException e) {
            // A line with a value the contract does not allow (a "dir" of "sideways", bad base64): skip the file.
            throw new UsageException(file + " is not a valid msnscope jsonl export (" + Main.describe(e) + ")");
        }
        if (!msnscope.transcript.TranscriptReader.looksLikeTranscript(text)) {
            throw new UsageException(file + " is not a transcript, an msnscope jsonl export or a pcap/pcapng capture");
        }
        return importer.transcript(text, file);
    }
}

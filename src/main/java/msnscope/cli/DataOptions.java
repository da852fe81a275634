package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.dissect.Dissector;
import msnscope.index.CaptureIndex;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --data DIR} and opening the store and its index, shared by the commands that use the store. */
final class DataOptions {

    static final String DEFAULT_DIR = "msnscope-data";

    private DataOptions() {
    }

    static void add(Options o) {
        o.addOption(Option.builder().longOpt("data").hasArg().argName("DIR")
                .desc("the capture store (default ./" + DEFAULT_DIR + ")").build());
        Inputs.addSpecOptions(o);
    }

    static Path dir(CommandLine line) {
        return Path.of(line.getOptionValue("data", DEFAULT_DIR));
    }

    /** The store of an existing data directory (commands that only read must not create one). */
    static CaptureStore existing(CommandLine line) throws UsageException {
        Path dir = dir(line);
        if (!Files.isDirectory(dir.resolve("capture"))) {
            throw new UsageException("no capture store in " + dir + " (record with the proxy's --data, or msnscope import FILE)");
        }
        return new CaptureStore(dir);
    }

    static CaptureStore create(CommandLine line) throws UsageException {
        try {
            return new CaptureStore(dir(line));
        } catch (RuntimeException e) {
            throw new UsageException("cannot use " + dir(line) + ": " + e.getMessage());
        }
    }

    static CaptureIndex index(CaptureStore store, Dissector dissector) throws IOException {
        return CaptureIndex.open(store, dissector);
    }

    /** Opens the index, loading the protocol spec only if the index must catch up with the capture. */
    static CaptureIndex index(CaptureStore store, java.util.function.Supplier<Dissector> dissector) throws IOException {
        return CaptureIndex.open(store, dissector);
    }

    /**
     * Prints what the store and its index stepped over (damaged files, stray names, a rebuilt index), one
     * line each, on standard error: standard output stays the command's contract (jsonl, tables).
     */
    static void printNotes(CaptureStore store, PrintStream err) {
        if (store != null) {
            for (String note : store.notes().drain()) {
                err.println("msnscope: " + note);
            }
        }
    }

    /** {@code s3}, {@code s3/c2} or {@code s3.c2}: session and optional connection. */
    static String[] id(String text, CaptureStore store) throws UsageException {
        String[] parts = text.trim().split("[/.]", 2);
        if (!parts[0].matches("s\\d+") || (parts.length == 2 && !parts[1].matches("c\\d+"))) {
            throw new UsageException("'" + text + "' is not a session or connection id (like s3 or s3/c2; see msnscope sessions)");
        }
        if (!store.exists(parts[0])) {
            throw new UsageException("no session " + parts[0] + " in " + store.root() + " (see msnscope sessions)");
        }
        return parts;
    }
}

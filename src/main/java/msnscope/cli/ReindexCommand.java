package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.dissect.Dissector;
import msnscope.index.CaptureIndex;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;

/** {@code msnscope reindex}: rebuilds the index from the capture files. */
final class ReindexCommand implements Command {

    @Override
    public String name() {
        return "reindex";
    }

    @Override
    public String usage() {
        return "[--threads N] [--data DIR]";
    }

    @Override
    public String description() {
        return "Rebuild the search index from the capture files (after a crash, a new dissectors/ version, or a lost index).";
    }

    @Override
    public Options options() {
        Options o = new Options();
        DataOptions.add(o);
        o.addOption(org.apache.commons.cli.Option.builder().longOpt("threads").hasArg().argName("N")
                .desc("sessions replayed in parallel (default: one per core)").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        CaptureStore store = DataOptions.existing(line);
        int threads = Inputs.intOption(line, "threads", Runtime.getRuntime().availableProcessors());
        if (threads < 1) {
            throw new UsageException("--threads must be at least 1");
        }
        Dissector dissector = new Dissector(Inputs.spec(line));
        long t0 = System.nanoTime();
        // From scratch whatever the index folder holds: nothing of the old index is read, so no damage in it
        // can stop the rebuild.
        try (CaptureIndex index = CaptureIndex.empty(store, () -> dissector)) {
            int n = index.reindex(threads);
            out.printf("reindexed %d sessions in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        } catch (CaptureIndex.Busy e) {
            err.println("msnscope reindex: " + e.getMessage());
            return Main.FAILED;
        } finally {
            DataOptions.printNotes(store, err);
        }
        return Main.OK;
    }
}

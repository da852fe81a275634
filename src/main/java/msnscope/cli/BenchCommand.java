package msnscope.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;

/** {@code msnscope bench}: framing and dissection throughput against a baseline measured in the same run. */
final class BenchCommand implements Command {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String usage() {
        return "[--seconds N]";
    }

    @Override
    public String description() {
        return "Measure frames/s for framing alone and for full dissection on one core, with ratios to a baseline.";
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        throw new UsageException("not built yet");
    }
}

package msnscope.cli;

import msnscope.dissect.Dissector;
import msnscope.index.IndexBenchmark;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** {@code msnscope bench-index}: the capture store's figures (indexing, search latency, pcap import, index size). */
final class BenchIndexCommand implements Command {

    @Override
    public String name() {
        return "bench-index";
    }

    @Override
    public String usage() {
        return "[FILE...] [--frames N] [--max-seconds S] [--work DIR]";
    }

    @Override
    public String description() {
        return "Measure the capture store: indexing frames/s on one thread, search latency p50/p99 on a generated\n"
                + "store of N frames (default 1,000,000: the sample sessions repeated with other accounts and times),\n"
                + "pcap import MB/s, index bytes per frame. Samples: FILE... (transcripts, pcaps) or ./captures.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("frames").hasArg().argName("N").desc("frames in the generated store (default 1000000)").build());
        o.addOption(Option.builder().longOpt("max-seconds").hasArg().argName("S")
                .desc("stop generating the store after S seconds (default 300); the figures say how many frames it got").build());
        o.addOption(Option.builder().longOpt("work").hasArg().argName("DIR").desc("where to build the store (default: a temporary directory, removed)").build());
        Inputs.addSpecOptions(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        List<Path> samples = new ArrayList<>();
        for (String f : line.getArgList()) {
            Inputs.readFile(f);
            samples.add(Path.of(f));
        }
        if (samples.isEmpty()) {
            Path dir = Path.of("captures");
            if (!Files.isDirectory(dir)) {
                throw new UsageException("no FILE given and no ./captures directory");
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> (p.toString().endsWith(".txt") && !p.toString().endsWith(".timeline.txt")) || p.toString().endsWith(".pcap"))
                        .sorted().forEach(samples::add);
            }
        }
        long frames = Inputs.intOption(line, "frames", 1_000_000);
        long seconds = Inputs.intOption(line, "max-seconds", 300);
        if (frames < 1 || seconds < 1) {
            throw new UsageException("--frames and --max-seconds must be positive");
        }
        boolean temporary = !line.hasOption("work");
        Path work = temporary ? Files.createTempDirectory("msnscope-bench") : Path.of(line.getOptionValue("work"));
        if (!temporary && Files.exists(work) && Files.list(work).findAny().isPresent()) {
            throw new UsageException("--work " + work + " must be empty or missing");
        }
        out.printf("msnscope bench-index: %d samples, %,d frames, one thread, %d cores%n", samples.size(), frames,
                Runtime.getRuntime().availableProcessors());
        try {
            new IndexBenchmark(new Dissector(Inputs.spec(line)), out).run(samples, work, frames, seconds);
        } finally {
            if (temporary) {
                delete(work);
            }
        }
        return Main.OK;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

package msnscope.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import msnscope.bench.Throughput;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.search.FrameFilter;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import msnscope.wire.PayloadOracle;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code msnscope bench}: frames per second on one thread for framing alone and for framing plus full
 * dissection, over the sessions in {@code captures/}, each against a baseline measured in the same run
 * (a plain LF line splitter that copies each line, the cheapest thing that could be called framing); then
 * {@code --filter} ({@link FrameFilter}) on the dissected frames, against full dissection.
 */
final class BenchCommand implements Command {

    /** One direction of one connection, with the payload rule of its negotiated version. */
    private record Workload(byte[] bytes, Direction dir, int version, int frames) {
    }

    /** One connection's frames in wire order, both directions, as the dissector sees them live. */
    private record Conversation(List<Direction> dirs, List<byte[]> frames) {
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String usage() {
        return "[FILE...] [--seconds N]";
    }

    @Override
    public String description() {
        return "Measure framing, dissection and --filter throughput (frames/s, one thread) over sample sessions\n"
                + "(default: the transcripts in ./captures), with ratios to a line-splitting baseline run alongside.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("seconds").hasArg().argName("N").desc("measuring time per figure (default 3)").build());
        o.addOption(Option.builder().longOpt("warmup").hasArg().argName("N")
                .desc("seconds of warm-up before each figure, so the JIT has compiled the hot paths (default 6)").build());
        o.addOption(Option.builder().longOpt("only").hasArg().argName("FIGURE")
                .desc("measure one figure: baseline, framing, full, filter, mix or mix-read (for profiling)").build());
        Inputs.addSpecOptions(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        int seconds = Inputs.intOption(line, "seconds", 3);
        int warmup = Inputs.intOption(line, "warmup", 6);
        if (seconds < 1 || warmup < 0) {
            throw new UsageException("--seconds must be at least 1 and --warmup at least 0");
        }
        String only = line.getOptionValue("only");
        if (only != null && !List.of("baseline", "framing", "full", "filter", "mix", "mix-read").contains(only)) {
            throw new UsageException("--only takes baseline, framing, full, filter, mix or mix-read");
        }
        List<String> files = line.getArgList().isEmpty() ? defaultFiles() : line.getArgList();
        ProtocolSpec spec = Inputs.spec(line);
        Dissector dissector = new Dissector(spec);
        FramerLimits limits = Inputs.limits(line);
        List<Workload> work = new ArrayList<>();
        List<Conversation> conversations = new ArrayList<>();
        List<FilterCase> filtered = new ArrayList<>();
        long bytes = 0;
        for (String f : files) {
            SessionAssembler s = Inputs.dissectFile(f, dissector, limits);
            for (ConnectionLog c : s.connections()) {
                List<Direction> dirs = new ArrayList<>();
                List<byte[]> frames = new ArrayList<>();
                for (Dissection x : c.frames()) {
                    dirs.add(x.direction());
                    frames.add(x.frame().copyBytes());
                    filtered.add(new FilterCase(x, c.accountOf(x)));
                }
                conversations.add(new Conversation(dirs, frames));
                for (Direction d : Direction.values()) {
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    int n = 0;
                    for (Dissection x : c.frames()) {
                        if (x.direction() == d) {
                            buf.writeBytes(x.frame().copyBytes());
                            n++;
                        }
                    }
                    if (n > 0) {
                        work.add(new Workload(buf.toByteArray(), d, c.version(), n));
                        bytes += buf.size();
                    }
                }
            }
        }
        int framesPerPass = work.stream().mapToInt(Workload::frames).sum();
        out.printf("workload: %d files, %d frames, %d bytes per pass (avg %d bytes/frame), %d s warm-up + %d s per figure, 1 thread%n",
                files.size(), framesPerPass, bytes, bytes / Math.max(1, framesPerPass), warmup, seconds);

        double baseline = figure(only, "baseline", warmup, seconds, () -> baselinePass(work));
        double framing = figure(only, "framing", warmup, seconds, () -> framingPass(work, spec, limits));
        double full = figure(only, "full", warmup, seconds, () -> dissectionPass(conversations, dissector, limits, true));
        print(out, "baseline (LF line split + copy)", baseline, "");
        print(out, "framing (msnscope Framer)", framing, ratio(framing, baseline) + "   target >= 1,000,000");
        print(out, "framing + full dissection", full, ratio(full, baseline) + "   target >=   300,000");
        for (String q : FILTER_QUERIES) {
            FrameFilter filter = FrameFilter.parse(q);
            double filtering = figure(only, "filter", warmup, seconds, () -> filterPass(filtered, filter));
            print(out, "filter '" + q + "'", filtering, ratio(filtering, full, "full dissection")
                    + "   (MemoryIndex, on each dissected frame)");
        }
        List<Conversation> mix = List.of(mixConversation(10_000));
        double mixed = figure(only, "mix", warmup, seconds, () -> dissectionPass(mix, dissector, limits, false));
        print(out, "relay mix: framing + dissection", mixed,
                "   (bench-proxy's mix: PNG/QNG, MSG t A 120/ACK)   target >= 1,000,000");
        double read = figure(only, "mix-read", warmup, seconds, () -> dissectionPass(mix, dissector, limits, true));
        print(out, "relay mix, read as console/index", read, "   (the same, each frame's summary, fields and warnings read)");
        return Main.OK;
    }

    /**
     * The connection of {@code bench-proxy --workload mix} as a dissector sees it: VER, then {@code commands}
     * client commands alternating PNG and MSG with a 120-byte payload, each followed by its reply.
     */
    static Conversation mixConversation(int commands) {
        List<Direction> dirs = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        byte[] payload = "x".repeat(msnscope.bench.MixWorkload.PAYLOAD).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        dirs.add(Direction.C2S);
        frames.add(ascii("VER 1 MSNP11 CVR0\r\n"));
        dirs.add(Direction.S2C);
        frames.add(ascii("VER 1 MSNP11\r\n"));
        for (int i = 0; i < commands; i++) {
            int trid = i + 2;
            dirs.add(Direction.C2S);
            if (i % 2 == 0) {
                frames.add(ascii("PNG\r\n"));
                dirs.add(Direction.S2C);
                frames.add(ascii("QNG 60\r\n"));
            } else {
                ByteArrayOutputStream msg = new ByteArrayOutputStream();
                msg.writeBytes(ascii("MSG " + trid + " A " + payload.length + "\r\n"));
                msg.writeBytes(payload);
                frames.add(msg.toByteArray());
                dirs.add(Direction.S2C);
                frames.add(ascii("ACK " + trid + "\r\n"));
            }
        }
        return new Conversation(dirs, frames);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static List<String> defaultFiles() throws UsageException {
        Path dir = Path.of("captures");
        if (!Files.isDirectory(dir)) {
            throw new UsageException("no FILE given and no ./captures folder (run from the repository, or name transcripts)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(Path::toString).filter(n -> n.endsWith(".txt") && !n.endsWith(".timeline.txt")).sorted().toList();
        } catch (IOException e) {
            throw new UsageException("cannot list captures/: " + e.getMessage());
        }
    }

    private static int baselinePass(List<Workload> work) {
        int n = 0;
        for (Workload w : work) {
            byte[] b = w.bytes();
            int from = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '\n') {
                    byte[] line = new byte[i + 1 - from];
                    System.arraycopy(b, from, line, 0, line.length);
                    from = i + 1;
                    n += line.length > 0 ? 1 : 0;
                }
            }
        }
        return n;
    }

    private static int framingPass(List<Workload> work, ProtocolSpec spec, FramerLimits limits) {
        int n = 0;
        for (Workload w : work) {
            int version = w.version();
            PayloadOracle oracle = (key, dir, tokens) -> spec.expectsPayload(key, dir, tokens, version);
            Framer framer = new Framer(w.dir(), oracle, limits);
            ByteBuf in = Unpooled.wrappedBuffer(w.bytes());
            while (framer.decode(in) != null) {
                n++;
            }
        }
        return n;
    }

    /** NaN when {@code --only} names another figure. */
    private static double figure(String only, String name, int warmup, int seconds, java.util.function.IntSupplier pass) {
        return only == null || only.equals(name) ? Throughput.perSecond(warmup, seconds, pass) : Double.NaN;
    }

    private static void print(PrintStream out, String name, double perSecond, String note) {
        if (!Double.isNaN(perSecond)) {
            out.printf("%-34s %,14.0f frames/s%s%n", name, perSecond, note);
        }
    }

    /** The figure as a multiple of the baseline, when the baseline was measured. */
    private static String ratio(double figure, double baseline) {
        return ratio(figure, baseline, "baseline");
    }

    private static String ratio(double figure, double base, String name) {
        return Double.isNaN(base) ? "" : String.format("   %.2fx %s", figure / base, name);
    }

    /**
     * The queries of the filter figures: keywords only (issue 12's first rule example, a typical {@code --filter}),
     * and words, which put the line, the summary and the decoded text of every frame into the MemoryIndex.
     */
    static final List<String> FILTER_QUERIES = List.of("cmd:MSG AND dir:S2C", "hello OR \"see you\"");

    /** A dissected frame and the account it belongs to, as {@code dissect --filter} judges it. */
    private record FilterCase(Dissection frame, String account) {
    }

    /**
     * {@link FrameFilter#matches} on each frame of the captures, already dissected (their summaries and decoded
     * payloads are made in the warm-up and kept): the filter's own cost, which the console pays per frame on
     * top of the dissection.
     */
    private static int filterPass(List<FilterCase> frames, FrameFilter filter) {
        int n = 0;
        for (FilterCase c : frames) {
            n += filter.matches(c.frame(), c.account()) ? 1 : 0;
        }
        // Every frame counts; the matches only keep the JIT from treating the results as unused.
        return frames.size() + (n < 0 ? 1 : 0);
    }

    /**
     * Each connection replayed in wire order through its two framers and one dissector, as the proxy does;
     * {@code read}: then reading each frame's summary, fields and warnings, as the console and the index do
     * (the dissector makes the summary and decodes the payload only when they are read).
     */
    private static int dissectionPass(List<Conversation> conversations, Dissector dissector, FramerLimits limits, boolean read) {
        int n = 0;
        for (Conversation c : conversations) {
            StreamDissector stream = dissector.stream(new SessionContext("bench"), "c1", null);
            Framer[] framers = {new Framer(Direction.C2S, stream.oracle(), limits), new Framer(Direction.S2C, stream.oracle(), limits)};
            for (int i = 0; i < c.frames().size(); i++) {
                Direction dir = c.dirs().get(i);
                ByteBuf in = Unpooled.wrappedBuffer(c.frames().get(i));
                for (Frame f; (f = framers[dir.ordinal()].decode(in)) != null; ) {
                    Dissection d = stream.dissect(f, dir, null);
                    if (read) {
                        n += d.summary().length() + d.fields().size() + d.warnings().size() == -1 ? 1 : 0;
                    }
                    n++;
                }
            }
            stream.close();
        }
        return n;
    }
}

package msnscope.cli;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import msnscope.capture.CaptureStore;
import msnscope.capture.Recorder;
import msnscope.intercept.Interceptor;
import msnscope.bench.ExternalRelay;
import msnscope.bench.MixServer;
import msnscope.bench.MixWorkload;
import msnscope.bench.RoundTrips;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.index.LiveCapture;
import msnscope.proxy.HostPort;
import msnscope.proxy.ProxyConfig;
import msnscope.proxy.ProxyServer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code msnscope bench-proxy}: in one run on loopback, the same MSNP echo server reached three ways —
 * directly, through a plain relay (msnscope's relay with dissection and rewriting off) and through
 * msnscope with dissection on — measuring pipelined commands/s and ping-pong round-trip latency
 * (p50/p99), with ratios to direct. A benchmark, not a test: the figures depend on the machine, and
 * the clients, the servers and the proxy share its cores.
 */
final class ProxyBenchCommand implements Command {

    @Override
    public String name() {
        return "bench-proxy";
    }

    @Override
    public String usage() {
        return "[--seconds N] [--workload ping|mix|both] [--connections N] [--window N] [--commands N] [--warmup N]";
    }

    @Override
    public String description() {
        return "Measure commands/s and round-trip latency p50/p99 over loopback: direct, plain relay, msnscope with dissection.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("seconds").hasArg().argName("N").desc("seconds per measurement (default 5)").build());
        o.addOption(Option.builder().longOpt("connections").hasArg().argName("N")
                .desc("pipelining client connections for the throughput run (default 4)").build());
        o.addOption(Option.builder().longOpt("window").hasArg().argName("N")
                .desc("commands in flight per connection (default 256)").build());
        o.addOption(Option.builder().longOpt("workload").hasArg().argName("ping|mix|both")
                .desc("ping (many connections, CHG echoed), mix (one connection, PNG and MSG with payload pipelined, "
                        + "with socat and mitmproxy baselines when installed) or both (default)").build());
        o.addOption(Option.builder().longOpt("only").hasArg().argName("NAME")
                .desc("measure only the scenario NAME (and direct), e.g. msnscope, to profile it").build());
        Interception.addOptions(o);
        o.addOption(Option.builder().longOpt("commands").hasArg().argName("N")
                .desc("commands per pipelined run of the mix workload (default 100000)").build());
        o.addOption(Option.builder().longOpt("warmup").hasArg().argName("N")
                .desc("seconds of unmeasured pipelined runs through each relay of the mix workload before it is measured "
                        + "(default 3)").build());
        return o;
    }

    /** A scenario's figures. */
    record Result(String name, double commandsPerSecond, double p50Micros, double p99Micros) {
    }

    /**
     * msnscope's relays in front of one server, each on its own port: the plain relay (no framing), msnscope
     * (framing, rewriting, dissection), msnscope recording alone (write-before-forward, no index) and
     * msnscope with {@code --data} (recording and the live index).
     */
    private static final class Relays implements AutoCloseable {
        static final String CHANGING = "msnscope changing";
        final List<String> names = new ArrayList<>(List.of("plain relay", "msnscope", "msnscope capture", "msnscope --data"));
        final List<ProxyServer> servers = new ArrayList<>();
        final List<Integer> ports = new ArrayList<>();
        final Recorder recorder;
        final LiveCapture live;

        /** With {@code --rules}/{@code --hook}: a fifth relay, msnscope changing traffic (no recording), named {@link #CHANGING}. */
        Relays(int upstream, ProtocolSpec spec, Path data, Interceptor interceptor) throws Exception {
            HostPort target = new HostPort("127.0.0.1", upstream);
            HostPort listen = new HostPort("127.0.0.1", 0);
            servers.add(new ProxyServer(ProxyConfig.of(listen, target).withDissect(false), spec));
            servers.add(new ProxyServer(ProxyConfig.of(listen, target), spec));
            ProxyServer capturing = new ProxyServer(ProxyConfig.of(listen, target), spec);
            recorder = new Recorder(new CaptureStore(data.resolve("capture-only")), false, null);
            capturing.addWireListener(recorder);
            servers.add(capturing);
            ProxyServer recording = new ProxyServer(ProxyConfig.of(listen, target), spec);
            live = LiveCapture.open(data.resolve("data"), new Dissector(spec));
            recording.addWireListener(live);
            servers.add(recording);
            if (interceptor != null) {
                servers.add(new ProxyServer(ProxyConfig.of(listen, target), spec).intercept(interceptor));
                names.add(CHANGING);
            }
            for (ProxyServer s : servers) {
                ports.add(s.start().getPort());
            }
        }

        String recordingStatus() {
            return String.format("msnscope capture (recorder, no index): %s%nmsnscope --data (recorder and live index): %s%n"
                    + "both write each read's frames to the capture file before forwarding them (one write per read)", recorder.status(),
                    live.status());
        }

        @Override
        public void close() throws Exception {
            for (ProxyServer s : servers) {
                s.close();
            }
            recorder.close();
            // The store is deleted next: indexing the gigabytes the load left behind would only make the run longer.
            live.closeLeavingBacklog();
        }
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        // The relays' per-connection log lines would interleave with the figures; only problems are shown.
        System.setProperty("org.slf4j.simpleLogger.log.msnscope.proxy", "warn");
        int seconds = Inputs.intOption(line, "seconds", 5);
        int connections = Inputs.intOption(line, "connections", 4);
        int window = Inputs.intOption(line, "window", 256);
        int commands = Inputs.intOption(line, "commands", 100_000);
        int warmup = Inputs.intOption(line, "warmup", 3);
        String workload = line.getOptionValue("workload", "both");
        if (seconds < 1 || connections < 1 || window < 1 || commands < 2 || warmup < 0) {
            throw new UsageException("--seconds, --connections and --window must be at least 1, --commands at least 2, --warmup at least 0");
        }
        if (!List.of("ping", "mix", "both").contains(workload)) {
            throw new UsageException("--workload must be ping, mix or both, not '" + workload + "'");
        }
        ProtocolSpec spec = Inputs.spec(line);
        Interceptor interceptor = Interception.from(line, notice -> err.println("bench-proxy: " + notice));
        Path data = Files.createTempDirectory("msnscope-bench-proxy");
        try {
            if (interceptor != null) {
                out.printf("bench-proxy: \"%s\" is msnscope changing traffic by %s%n", Relays.CHANGING, interceptor.describe());
            }
            out.printf("bench-proxy: %d s per measurement; %d cores%n", seconds, Runtime.getRuntime().availableProcessors());
            if (!workload.equals("mix")) {
                pingWorkload(spec, data.resolve("ping"), seconds, connections, window, interceptor, out);
                // Gigabytes of recording: gone before the next workload, whose recorders would otherwise wait for
                // the kernel writing them back to disk.
                deleteTree(data.resolve("ping"));
            }
            if (!workload.equals("ping")) {
                mixWorkload(spec, data.resolve("mix"), seconds, warmup, commands, line.getOptionValue("only", ""), interceptor, out);
            }
        } finally {
            deleteTree(data);
            if (interceptor != null) {
                interceptor.close();
                for (String l : interceptor.summary()) {
                    out.println("bench-proxy: " + l);
                }
            }
        }
        return Main.OK;
    }

    /** Many connections, many CHG in flight on each, against an echo server: the proxy's breadth. */
    private static void pingWorkload(ProtocolSpec spec, Path data, int seconds, int connections, int window, Interceptor interceptor,
                                     PrintStream out) throws Exception {
        EventLoopGroup echoGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel echo = new ServerBootstrap().group(echoGroup).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true).childHandler(new Echo())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            int echoPort = ((InetSocketAddress) echo.localAddress()).getPort();
            out.printf("%n== ping: %d connections x %d CHG in flight, echoed ==%n", connections, window);
            try (Relays relays = new Relays(echoPort, spec, data, interceptor)) {
                List<Result> results = new ArrayList<>();
                results.add(measure("direct", echoPort, seconds, connections, window, out));
                for (int i = 0; i < relays.names.size(); i++) {
                    results.add(measure(relays.names.get(i), relays.ports.get(i), seconds, connections, window, out));
                }
                report(results, out);
                out.printf("%n%s%n", relays.recordingStatus());
            }
            echo.close();
        } finally {
            echoGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * One connection, {@code commands} pipelined, PNG and MSG with a 120-byte payload alternating, answered
     * QNG / ACK: the proxy's depth, next to socat and mitmproxy (raw TCP mode) when they are installed.
     */
    private static void mixWorkload(ProtocolSpec spec, Path data, int seconds, int warmup, int commands, String only,
                                    Interceptor interceptor, PrintStream out) throws Exception {
        out.printf("%n== mix: one connection, %,d commands pipelined (PNG, MSG t A %d + payload), answered QNG / ACK ==%n", commands,
                MixWorkload.PAYLOAD);
        try (MixServer server = new MixServer(); Relays relays = new Relays(server.port(), spec, data, interceptor)) {
            List<String> names = new ArrayList<>(List.of("direct"));
            List<Integer> ports = new ArrayList<>(List.of(server.port()));
            List<ExternalRelay> external = new ArrayList<>();
            for (String name : List.of("socat", "mitmproxy")) {
                if (!only.isEmpty() && !only.equals(name)) {
                    continue;
                }
                try {
                    ExternalRelay r = ExternalRelay.start(name, server.port());
                    external.add(r);
                    names.add(name);
                    ports.add(r.port());
                } catch (IOException e) {
                    out.println("  baseline " + name + " left out: " + e.getMessage());
                }
            }
            names.addAll(relays.names);
            ports.addAll(relays.ports);
            try {
                List<Result> results = new ArrayList<>();
                for (int i = 0; i < names.size(); i++) {
                    if (!only.isEmpty() && !names.get(i).equals(only) && i > 0) {
                        continue;
                    }
                    // One pipelined run is a few hundredths of a second: unmeasured runs for --warmup seconds bring this
                    // relay to its steady state first (the JIT compiles its path, and with --data the indexer's, which
                    // otherwise takes a core from the measured runs; a relay measured after another that shares its code
                    // would be favoured), then the best of five (a 2-core machine's other threads can take any one).
                    long warmEnd = System.nanoTime() + warmup * 1_000_000_000L;
                    for (int run = 0; run < 2 || System.nanoTime() - warmEnd < 0; run++) {
                        MixWorkload.pipelined(ports.get(i), commands);
                    }
                    double rate = 0;
                    for (int run = 0; run < 5; run++) {
                        rate = Math.max(rate, MixWorkload.pipelined(ports.get(i), commands));
                    }
                    double[] lat = MixWorkload.pingPong(ports.get(i), seconds);
                    out.printf("  %-16s %,.0f commands/s, round trip p50 %.1f us, p99 %.1f us%n", names.get(i), rate, lat[0], lat[1]);
                    results.add(new Result(names.get(i), rate, lat[0], lat[1]));
                }
                report(results, out);
                mixRatios(results, out);
                out.printf("%n%s%n", relays.recordingStatus());
            } finally {
                for (ExternalRelay r : external) {
                    r.close();
                }
            }
        }
    }

    /** msnscope against the baselines measured in the same run, and the goals of the relay-speed issue. */
    private static void mixRatios(List<Result> results, PrintStream out) {
        Result direct = results.get(0);
        Result socat = find(results, "socat");
        Result mitm = find(results, "mitmproxy");
        out.println();
        for (Result r : results) {
            if (!r.name().startsWith("msnscope")) {
                continue;
            }
            out.printf("%-16s %s%s; added p50 %.1f us (goal <= 100), p99 %.1f us (goal <= 1000)%n", r.name(),
                    socat == null ? "socat n/a" : String.format("%.2fx socat (goal >= 0.3)", r.commandsPerSecond() / socat.commandsPerSecond()),
                    mitm == null ? ", mitmproxy n/a" : String.format(", %.2fx mitmproxy (goal >= 1)", r.commandsPerSecond() / mitm.commandsPerSecond()),
                    r.p50Micros() - direct.p50Micros(), r.p99Micros() - direct.p99Micros());
        }
        Result scope = find(results, "msnscope");
        Result changing = find(results, Relays.CHANGING);
        if (scope != null && changing != null) {
            out.printf("%s: %.2fx msnscope without rules or hook (goal for rules that match nothing >= 0.8)%n", Relays.CHANGING,
                    changing.commandsPerSecond() / scope.commandsPerSecond());
        }
    }

    private static Result find(List<Result> results, String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void report(List<Result> results, PrintStream out) {
        Result direct = results.get(0);
        out.println();
        out.printf("%-16s %14s %9s %10s %10s %12s %12s%n", "scenario", "commands/s", "vs direct", "p50 us", "p99 us", "added p50", "added p99");
        for (Result r : results) {
            out.printf("%-16s %,14.0f %8.2fx %10.1f %10.1f %10.1f us %10.1f us%n", r.name(), r.commandsPerSecond(),
                    r.commandsPerSecond() / direct.commandsPerSecond(), r.p50Micros(), r.p99Micros(),
                    r.p50Micros() - direct.p50Micros(), r.p99Micros() - direct.p99Micros());
        }
        Result scope = find(results, "msnscope");
        if (scope == null) {
            return; // --only measured another relay
        }
        out.printf("%ntargets: msnscope >= 100,000 commands/s: %s; added p50 <= 100 us: %s; added p99 <= 1 ms: %s%n",
                scope.commandsPerSecond() >= 100_000 ? "met" : "NOT met",
                scope.p50Micros() - direct.p50Micros() <= 100 ? "met" : "NOT met",
                scope.p99Micros() - direct.p99Micros() <= 1000 ? "met" : "NOT met");
    }

    private static Result measure(String name, int port, int seconds, int connections, int window, PrintStream out) throws Exception {
        double rate = throughput(port, seconds, connections, window);
        double[] lat = latency(port, seconds);
        out.printf("  %-16s %,.0f commands/s, round trip p50 %.1f us, p99 %.1f us%n", name, rate, lat[0], lat[1]);
        return new Result(name, rate, lat[0], lat[1]);
    }

    private static double throughput(int port, int seconds, int connections, int window) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong replies = new AtomicLong();
        AtomicLong counting = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Socket s = RoundTrips.open(port);
            sockets.add(s);
            InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
            RoundTrips.hello(s.getOutputStream(), in);
            Semaphore credit = new Semaphore(window);
            OutputStream os = s.getOutputStream();
            Thread writer = new Thread(() -> {
                byte[] buf = new byte[window * 24];
                long trid = 2;
                try {
                    while (!stop.get()) {
                        credit.acquire();
                        int n = 1 + credit.drainPermits();
                        int len = 0;
                        for (int i = 0; i < n; i++) {
                            byte[] cmd = ("CHG " + (trid++ % 1_000_000_000L) + " NLN 0\r\n").getBytes(StandardCharsets.US_ASCII);
                            System.arraycopy(cmd, 0, buf, len, cmd.length);
                            len += cmd.length;
                        }
                        os.write(buf, 0, len);
                        os.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // stopped
                }
            }, "bench-writer");
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[65536];
                try {
                    for (int n; !stop.get() && (n = in.read(buf)) > 0; ) {
                        int lines = 0;
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n') {
                                lines++;
                            }
                        }
                        replies.addAndGet(lines);
                        counting.addAndGet(lines);
                        credit.release(lines);
                    }
                } catch (IOException e) {
                    // stopped
                }
            }, "bench-reader");
            threads.add(writer);
            threads.add(reader);
        }
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(500);
        counting.set(0);
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long counted = counting.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        for (Socket s : sockets) {
            s.close();
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join(2000);
        }
        return counted / elapsed;
    }

    private static double[] latency(int port, int seconds) throws Exception {
        return RoundTrips.pingPong(port, seconds, trid -> ("CHG " + trid + " NLN 0\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Echoes every byte back: each command line comes back as its own reply (VER included). */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

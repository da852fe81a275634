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
        return "[--seconds N] [--connections N] [--window N]";
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
        return o;
    }

    /** A scenario's figures. */
    record Result(String name, double commandsPerSecond, double p50Micros, double p99Micros) {
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        // The relays' per-connection log lines would interleave with the figures; only problems are shown.
        System.setProperty("org.slf4j.simpleLogger.log.msnscope.proxy", "warn");
        int seconds = Inputs.intOption(line, "seconds", 5);
        int connections = Inputs.intOption(line, "connections", 4);
        int window = Inputs.intOption(line, "window", 256);
        if (seconds < 1 || connections < 1 || window < 1) {
            throw new UsageException("--seconds, --connections and --window must be at least 1");
        }
        ProtocolSpec spec = Inputs.spec(line);
        EventLoopGroup echoGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ProxyServer relay = null;
        ProxyServer scope = null;
        ProxyServer recording = null;
        ProxyServer capturing = null;
        Recorder recorder = null;
        LiveCapture live = null;
        Path data = Files.createTempDirectory("msnscope-bench-proxy");
        try {
            Channel echo = new ServerBootstrap().group(echoGroup).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true).childHandler(new Echo())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            HostPort echoAddr = new HostPort("127.0.0.1", ((InetSocketAddress) echo.localAddress()).getPort());
            HostPort listen = new HostPort("127.0.0.1", 0);
            relay = new ProxyServer(ProxyConfig.of(listen, echoAddr).withDissect(false), spec);
            scope = new ProxyServer(ProxyConfig.of(listen, echoAddr), spec);
            // The same with --data: every frame written to the capture before it is forwarded, and indexed live.
            // Recording alone (no live index competing for the cores): the cost of write-before-forward itself.
            capturing = new ProxyServer(ProxyConfig.of(listen, echoAddr), spec);
            recorder = new Recorder(new CaptureStore(data.resolve("capture-only")), false, null);
            capturing.addListener(recorder);
            recording = new ProxyServer(ProxyConfig.of(listen, echoAddr), spec);
            live = LiveCapture.open(data.resolve("data"), new Dissector(spec));
            recording.addListener(live);
            int relayPort = relay.start().getPort();
            int scopePort = scope.start().getPort();
            int capturingPort = capturing.start().getPort();
            int recordingPort = recording.start().getPort();
            out.printf("bench-proxy: %d s per measurement, %d connections x %d commands in flight; %d cores%n", seconds, connections,
                    window, Runtime.getRuntime().availableProcessors());
            List<Result> results = new ArrayList<>();
            results.add(measure("direct", echoAddr.port(), seconds, connections, window, out));
            results.add(measure("plain relay", relayPort, seconds, connections, window, out));
            results.add(measure("msnscope", scopePort, seconds, connections, window, out));
            results.add(measure("msnscope capture", capturingPort, seconds, connections, window, out));
            results.add(measure("msnscope --data", recordingPort, seconds, connections, window, out));
            report(results, out);
            out.printf("%nmsnscope capture (recorder, no index): %s%nmsnscope --data (recorder and live index): %s%n"
                    + "both write each read's frames to the capture file before forwarding them (one write per read)%n",
                    recorder.status(), live.status());
            echo.close();
        } finally {
            if (relay != null) {
                relay.close();
            }
            if (scope != null) {
                scope.close();
            }
            if (capturing != null) {
                capturing.close();
            }
            if (recorder != null) {
                recorder.close();
            }
            if (recording != null) {
                recording.close();
            }
            if (live != null) {
                live.close();
            }
            deleteTree(data);
            echoGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        return Main.OK;
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
        Result scope = results.get(2);
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

    private static Socket open(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Login-like start so the dissector knows the version: VER, echoed back. */
    private static void hello(Socket s, InputStream in) throws IOException {
        s.getOutputStream().write("VER 1 MSNP11 CVR0\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        readLine(in);
    }

    private static double throughput(int port, int seconds, int connections, int window) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong replies = new AtomicLong();
        AtomicLong counting = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Socket s = open(port);
            sockets.add(s);
            InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
            hello(s, in);
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
        try (Socket s = open(port)) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream os = s.getOutputStream();
            hello(s, in);
            long[] samples = new long[1 << 20];
            int n = 0;
            long trid = 2;
            long warmEnd = System.nanoTime() + 500_000_000L;
            long end = warmEnd + seconds * 1_000_000_000L;
            for (long now = System.nanoTime(); now < end && n < samples.length; now = System.nanoTime()) {
                byte[] cmd = ("CHG " + trid++ + " NLN 0\r\n").getBytes(StandardCharsets.US_ASCII);
                long t0 = System.nanoTime();
                os.write(cmd);
                os.flush();
                readLine(in);
                long rtt = System.nanoTime() - t0;
                if (t0 > warmEnd) {
                    samples[n++] = rtt;
                }
            }
            long[] sorted = Arrays.copyOf(samples, n);
            Arrays.sort(sorted);
            return new double[]{sorted[n / 2] / 1000.0, sorted[Math.min(n - 1, (int) (n * 0.99))] / 1000.0};
        }
    }

    private static void readLine(InputStream in) throws IOException {
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
        }
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

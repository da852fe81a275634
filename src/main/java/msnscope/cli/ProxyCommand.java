package msnscope.cli;

import msnscope.capture.RecorderLock;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.index.LiveCapture;
import msnscope.intercept.Interceptor;
import msnscope.proxy.ConsolePrinter;
import msnscope.proxy.HostPort;
import msnscope.proxy.HostPortText;
import msnscope.proxy.ProxyConfig;
import msnscope.proxy.ProxyServer;
import msnscope.proxy.Resolver;
import msnscope.search.FrameFilter;
import msnscope.wire.PartialBudget;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** {@code msnscope proxy --upstream HOST:PORT}: stay in the path of every connection of a client, and show it live. */
final class ProxyCommand implements Command {

    /** How long connections get to end by themselves when the proxy is stopped. */
    static final long SHUTDOWN_GRACE_MILLIS = 5_000;

    @Override
    public String name() {
        return "proxy";
    }

    @Override
    public String usage() {
        return "--upstream HOST:PORT [--listen HOST:PORT] [--advertise HOST] [--ports LOW-HIGH] [--resolve NAME=ADDR]... "
                + "[--format text|jsonl] [--filter QUERY] [--rules FILE] [--hook COMMAND] [--hook-filter QUERY] [--hook-timeout DURATION] [--quiet] [--fix-client-ip] [--data DIR] [--max-buffered BYTES] [--idle-timeout SECONDS]";
    }

    @Override
    public String description() {
        return "Intercepting proxy: relays a client's dispatch, notification and switchboard connections byte for byte,\n"
                + "rewriting every referral (XFR NS, XFR SB, RNG) so the client stays behind msnscope, and prints every command; "
                + "--rules and --hook change traffic on the fly (answer, drop, delay, replace, inject, close).\n"
                + "Standard output is the console: one line per connection opened or closed and per command, in time order "
                + "(jsonl: only the frame objects). Standard error says where it listens, whether it records, warnings, "
                + "and on exit what it relayed and recorded. Times are UTC (marked Z), as in show, search and export.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("upstream").hasArg().argName("HOST:PORT")
                .desc("the dispatch or notification server (required)").build());
        o.addOption(Option.builder().longOpt("listen").hasArg().argName("HOST:PORT")
                .desc("where clients connect (default 127.0.0.1:1863; loopback unless told otherwise)").build());
        o.addOption(Option.builder().longOpt("advertise").hasArg().argName("HOST")
                .desc("host written into rewritten referrals (default: the local address the client connected to)").build());
        o.addOption(Option.builder().longOpt("ports").hasArg().argName("LOW-HIGH")
                .desc("ports for the listeners opened per referred server (default: chosen by the OS)").build());
        o.addOption(Option.builder().longOpt("resolve").hasArg().argName("NAME=ADDR")
                .desc("connect to ADDR when a referral names NAME (repeatable), e.g. m1.escargot.log1p.xyz=127.0.0.1").build());
        o.addOption(Option.builder("f").longOpt("format").hasArg().argName("text|jsonl")
                .desc("text (default: one line per command and per connection event) or jsonl (the dissect frame objects "
                        + "plus rewritten and endpoints; connection events then go to standard error)").build());
        o.addOption(Option.builder().longOpt("filter").hasArg().argName("QUERY")
                .desc("print only the frames matching QUERY, in search syntax (e.g. 'cmd:MSG', 'account:bob@example.com'); "
                        + "connection lines are still printed, and --data still records every frame").build());
        o.addOption(Option.builder("q").longOpt("quiet").desc("no per-command output (connection events are still printed)").build());
        o.addOption(Option.builder().longOpt("color").hasArg().argName("auto|always|never")
                .desc("colour the text view: auto (default: on a terminal), always, never").build());
        o.addOption(Option.builder().longOpt("fix-client-ip")
                .desc("put the client's real address into the profile's ClientIP/ClientPort (and fix the MSG length)").build());
        o.addOption(Option.builder().longOpt("data").hasArg().argName("DIR").desc("where captures go").build());
        Interception.addOptions(o);
        o.addOption(Option.builder().longOpt("max-pending").hasArg().argName("N")
                .desc("switchboard referrals pending per client IP before referrals are passed unrewritten (default "
                        + ProxyConfig.DEFAULT_MAX_PENDING + ")").build());
        o.addOption(Option.builder().longOpt("max-listeners").hasArg().argName("N")
                .desc("extra listeners in total (default " + ProxyConfig.DEFAULT_MAX_LISTENERS + ")").build());
        o.addOption(Option.builder().longOpt("max-buffered").hasArg().argName("BYTES")
                .desc("memory all connections together may hold for partially received payloads; past it a payload is "
                        + "relayed but streamed through undissected (default " + Inputs.bytesText(PartialBudget.DEFAULT_BYTES)
                        + "; K, M, G suffixes)").build());
        o.addOption(Option.builder().longOpt("idle-timeout").hasArg().argName("SECONDS")
                .desc("close a connection with no bytes in either direction for this long (default: never; "
                        + "notification connections idle for hours)").build());
        Inputs.addSpecOptions(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        ProxyConfig config = config(line);
        String format = line.getOptionValue("format", "text");
        if (!format.equals("text") && !format.equals("jsonl")) {
            throw new UsageException("--format must be text or jsonl, not '" + format + "'");
        }
        boolean colour = DissectCommand.colour(line.getOptionValue("color", "auto"));
        FrameFilter filter = DissectCommand.filter(line);
        if (filter != null && line.hasOption("quiet")) {
            throw new UsageException("--filter and --quiet do not go together: --quiet prints no frames, --filter chooses which");
        }
        ProtocolSpec spec = Inputs.spec(line);
        Interceptor interceptor = Interception.from(line, notice -> err.println("msnscope proxy: " + notice));
        Optional<LiveCapture> live;
        try {
            live = captureRecorder(config.dataDir(), spec);
        } catch (UsageException e) {
            if (interceptor != null) {
                interceptor.close();
            }
            throw e;
        }
        Optional<Recording> recording = live.map(l -> Recording.into(config.dataDir(), l.recorder()));
        ProxyServer server = new ProxyServer(config, spec).intercept(interceptor);
        // Standard output is the console (text lines, or pure JSON Lines); standard error says what the
        // proxy is doing (banner, warnings, the exit line) and, with jsonl, carries the connection lines.
        ConsolePrinter console = new ConsolePrinter(format.equals("jsonl") ? ConsolePrinter.Format.JSONL : ConsolePrinter.Format.TEXT,
                colour, !line.hasOption("quiet"), out, err);
        console.placements(server::placement);
        if (filter != null) {
            // On the console's side of the analysis lane only: the relay and the capture see every frame. A frame
            // is matched with what the lane knows as it passes (a login's VER and CVR have no account yet).
            console.filter(d -> filter.matches(d, d.account()));
        }
        server.addListener(console);
        ProxyTally tally = new ProxyTally();
        server.addWireListener(tally);
        live.ifPresent(server::addWireListener);
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (Exception e) {
            server.close();
            console.close();
            closeQuietly(live, "proxy", err);
            if (interceptor != null) {
                interceptor.close();
            }
            throw new UsageException("cannot listen on " + config.listen() + ": " + e.getMessage());
        }
        if (!bound.getAddress().isLoopbackAddress()) {
            err.println("msnscope proxy: warning: listening on " + HostPortText.listening(config.listen(), bound)
                    + ", reachable from other machines; it relays only to " + config.upstream() + " and the servers it refers to");
        }
        err.println("msnscope proxy: listening on " + HostPortText.listening(config.listen(), bound)
                + ", upstream " + config.upstream() + "; point the client here (Ctrl-C to stop)");
        err.println("msnscope proxy: " + recording.map(Recording::banner).orElse(Recording.notRecording()) + "; times are UTC");
        if (interceptor != null) {
            err.println("msnscope proxy: changing traffic by " + interceptor.describe());
        }
        CountDownLatch stop = new CountDownLatch(1);
        // One ordered path for SIGTERM and Ctrl-C: stop accepting, let connections end after what they
        // received is forwarded (recorded before forwarding, closes recorded), print the last console lines,
        // then write and close the capture, commit the index, say what the run did, and only then let the JVM go.
        Thread hook = new Thread(() -> {
            err.println("msnscope proxy: stopping (" + ProxyTally.plural(server.liveConnections(), "connection") + " open)");
            server.shutdown(SHUTDOWN_GRACE_MILLIS);
            console.close();
            closeQuietly(live, "proxy", err);
            if (interceptor != null) {
                interceptor.close();
                for (String l : interceptor.summary()) {
                    err.println("msnscope proxy: " + l);
                }
            }
            err.println("msnscope proxy: stopped: " + summary(tally, recording, server.framesNotDissected(), console.dropped()));
            err.flush();
            stop.countDown();
        }, "msnscope-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stop.await();
        return Main.OK;
    }

    /**
     * The exit line: {@code 18 connections, 1122 frames; recorded 1122 frames to DIR as s1-s6}, then what
     * the console and the analysis lost, if anything.
     */
    static String summary(ProxyTally tally, Optional<Recording> recording, long notDissected, long consoleDropped) {
        StringBuilder sb = new StringBuilder(tally.relayed());
        sb.append("; ").append(recording.map(Recording::summary).orElse("not recorded"));
        if (notDissected > 0) {
            sb.append("; ").append(ProxyTally.plural(notDissected, "frame")).append(" not dissected live (the analysis fell behind)");
        }
        if (consoleDropped > 0) {
            sb.append("; ").append(ProxyTally.plural(consoleDropped, "console line")).append(" dropped (the terminal fell behind)");
        }
        return sb.toString();
    }

    /** Closes the store {@link #captureRecorder} opened (for {@code command}: proxy, serve); a failure is one line. */
    static void closeQuietly(Optional<LiveCapture> live, String command, PrintStream err) {
        if (live.isPresent()) {
            try {
                live.get().close();
            } catch (IOException | RuntimeException e) {
                err.println("msnscope " + command + ": closing the capture store failed: " + e.getMessage());
            }
        }
    }

    /**
     * With {@code --data DIR}: record everything into the capture store there (before it is forwarded) and
     * index it live; refused in one line when another proxy records into the same store.
     */
    static Optional<LiveCapture> captureRecorder(Path dataDir, ProtocolSpec spec) throws UsageException {
        if (dataDir == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(LiveCapture.open(dataDir, new Dissector(spec)));
        } catch (RecorderLock.Busy e) {
            throw new UsageException(e.getMessage() + "; record into another --data DIR, or stop it first");
        } catch (IOException | RuntimeException e) {
            throw new UsageException("cannot record into " + dataDir + ": " + e.getMessage());
        }
    }

    static ProxyConfig config(CommandLine line) throws UsageException {
        if (!line.hasOption("upstream")) {
            throw new UsageException("--upstream HOST:PORT is required (the dispatch or notification server)");
        }
        HostPort upstream = hostPort(line, "upstream", null);
        if (upstream.port() == 0) {
            // 0 is a listener's "any free port"; a server has a real one.
            throw new UsageException("--upstream: the port must be 1–65535, not 0");
        }
        HostPort listen = hostPort(line, "listen", ProxyConfig.DEFAULT_LISTEN);
        Map<String, String> resolve = new LinkedHashMap<>();
        String[] entries = line.getOptionValues("resolve");
        if (entries != null) {
            for (String e : entries) {
                try {
                    Map.Entry<String, String> kv = Resolver.parseEntry(e);
                    resolve.put(kv.getKey(), kv.getValue());
                } catch (IllegalArgumentException ex) {
                    throw new UsageException(ex.getMessage());
                }
            }
        }
        int low = 0;
        int high = 0;
        if (line.hasOption("ports")) {
            String p = line.getOptionValue("ports");
            int dash = p.indexOf('-');
            try {
                low = Integer.parseInt(dash < 0 ? p.trim() : p.substring(0, dash).trim());
                high = dash < 0 ? low : Integer.parseInt(p.substring(dash + 1).trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--ports takes LOW-HIGH, not '" + p + "'");
            }
            if (low < 1 || high > 65535 || low > high) {
                throw new UsageException("--ports " + p + ": need 1 <= LOW <= HIGH <= 65535");
            }
        }
        int pending = Inputs.intOption(line, "max-pending", ProxyConfig.DEFAULT_MAX_PENDING);
        int listeners = Inputs.intOption(line, "max-listeners", ProxyConfig.DEFAULT_MAX_LISTENERS);
        if (pending < 1 || listeners < 0) {
            throw new UsageException("--max-pending must be at least 1 and --max-listeners at least 0");
        }
        long maxBuffered = Inputs.bytesOption(line, "max-buffered", PartialBudget.DEFAULT_BYTES);
        Duration idle = null;
        if (line.hasOption("idle-timeout")) {
            int seconds = Inputs.intOption(line, "idle-timeout", 0);
            if (seconds < 1) {
                throw new UsageException("--idle-timeout takes a number of seconds of at least 1");
            }
            idle = Duration.ofSeconds(seconds);
        }
        return new ProxyConfig(listen, upstream, line.getOptionValue("advertise"), low, high, new Resolver(resolve),
                line.hasOption("fix-client-ip"), true, Inputs.limits(line), pending, listeners, ProxyConfig.DEFAULT_COOKIE_TTL,
                line.hasOption("data") ? Path.of(line.getOptionValue("data")) : null, maxBuffered, idle);
    }

    private static HostPort hostPort(CommandLine line, String option, HostPort fallback) throws UsageException {
        String v = line.getOptionValue(option);
        if (v == null) {
            return fallback;
        }
        try {
            return HostPort.parse(v.trim());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + option + ": " + e.getMessage());
        }
    }
}

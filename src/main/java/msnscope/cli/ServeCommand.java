package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.index.LiveCapture;
import msnscope.proxy.HostPort;
import msnscope.proxy.HostPortText;
import msnscope.replay.Script;
import msnscope.replay.ScriptException;
import msnscope.replay.ScriptLogin;
import msnscope.replay.ServeConfig;
import msnscope.replay.ServeServer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code msnscope serve SOURCE...}: play the servers of a capture to a real client. */
final class ServeCommand implements Command {

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String usage() {
        return "SOURCE... [--from DIR ID] [--listen HOST:PORT] [--data DIR] [--speed N] [--on-divergence report|error|close]";
    }

    @Override
    public String description() {
        return "Play the servers of a capture (dispatch, notification, switchboards) to a real client, with no server installed.\n"
                + "SOURCE is a transcript, pcap/pcapng or msnscope JSON Lines file; --from DIR ID a stored session. A client is matched\n"
                + "to a captured login by the account it names (several at once), a switchboard by its cookie; each command gets the\n"
                + "captured replies with the client's TrID, referrals point back here, logins are not verified. What the server sent\n"
                + "on its own goes once every client frame before it in the capture has arrived. Standard output: one line per\n"
                + "connection and per divergence (the client did something the captured client did not).";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("from").numberOfArgs(2).argName("DIR")
                .desc("followed by a session ID (--from DIR s3): play that session of the capture store in DIR, "
                        + "as the proxy recorded it or import wrote it").build());
        o.addOption(Option.builder().longOpt("listen").hasArg().argName("HOST:PORT")
                .desc("where clients connect (default 127.0.0.1:1863; loopback unless told otherwise)").build());
        o.addOption(Option.builder().longOpt("data").hasArg().argName("DIR")
                .desc("record the served traffic like a proxied session, for show, search and export").build());
        o.addOption(Option.builder().longOpt("speed").hasArg().argName("N")
                .desc("keep the captured delays of what the server sent, divided by N (1: as captured); "
                        + "default: as soon as the client frames before it have arrived").build());
        o.addOption(Option.builder().longOpt("on-divergence").hasArg().argName("report|error|close")
                .desc("report (default: the line, no answer, keep going), error (as report, and exit 1 at the end) "
                        + "or close (close that connection)").build());
        Inputs.addSpecOptions(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        ServeConfig config = config(line);
        ProtocolSpec spec = Inputs.spec(line);
        Dissector dissector = new Dissector(spec);
        Script script = script(line, dissector, config);
        for (String problem : script.problems()) {
            err.println("msnscope serve: " + problem);
        }
        Path data = line.hasOption("data") ? Path.of(line.getOptionValue("data")) : null;
        Optional<LiveCapture> live = ProxyCommand.captureRecorder(data, spec);
        Optional<Recording> recording = live.map(l -> Recording.into(data, l.recorder()));
        ServeServer server = new ServeServer(script, config, dissector, live.orElse(null), out::println);
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (Exception e) {
            server.close();
            ProxyCommand.closeQuietly(live, "serve", err);
            throw new UsageException("cannot listen on " + config.listen() + ": " + Main.describe(e));
        }
        CountDownLatch stop = new CountDownLatch(1);
        // Before the banner, so a stop as soon as it says where it listens is still the ordered one.
        // SIGTERM and Ctrl-C: stop accepting, close the connections (recorded as closed), close the capture, say
        // what the run did, and exit with the verdict --on-divergence asks for.
        Thread hook = new Thread(() -> {
            server.shutdown(ProxyCommand.SHUTDOWN_GRACE_MILLIS);
            ProxyCommand.closeQuietly(live, "serve", err);
            int divergences = server.divergences();
            err.println("msnscope serve: stopped: " + server.summary() + "; " + recording.map(Recording::summary).orElse("not recorded"));
            out.flush();
            err.flush();
            stop.countDown();
            Runtime.getRuntime().halt(config.onDivergence() == ServeConfig.OnDivergence.ERROR && divergences > 0 ? Main.FAILED : Main.OK);
        }, "msnscope-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (!bound.getAddress().isLoopbackAddress()) {
            err.println("msnscope serve: warning: listening on " + HostPortText.listening(config.listen(), bound)
                    + ", reachable from other machines; anyone there can log in as the captured accounts");
        }
        err.println("msnscope serve: listening on " + HostPortText.listening(config.listen(), bound) + ", playing " + playing(script)
                + "; point the client here (Ctrl-C to stop)");
        err.println("msnscope serve: switchboards on " + HostPortText.of(server.switchboardAddress())
                + " (where its XFR SB and RNG referrals point)");
        err.println("msnscope serve: " + recording.map(Recording::banner).orElse(Recording.notRecording()));
        stop.await();
        return Main.OK;
    }

    /** {@code 2 logins (alice@example.com, bob@example.com), 8 connections from FILE}. */
    private static String playing(Script script) {
        Set<String> accounts = new LinkedHashSet<>();
        Set<String> sources = new LinkedHashSet<>();
        for (ScriptLogin l : script.logins()) {
            accounts.add(l.account() == null ? "(no account)" : l.account());
            sources.add(l.source());
        }
        int logins = script.logins().size();
        int connections = script.connections().size();
        return logins + (logins == 1 ? " login (" : " logins (") + String.join(", ", accounts) + "), " + connections
                + (connections == 1 ? " connection" : " connections") + " from " + String.join(", ", sources);
    }

    static ServeConfig config(CommandLine line) throws UsageException {
        HostPort listen = ServeConfig.DEFAULT_LISTEN;
        if (line.hasOption("listen")) {
            try {
                listen = HostPort.parse(line.getOptionValue("listen").trim());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--listen: " + e.getMessage());
            }
        }
        double speed = 0;
        if (line.hasOption("speed")) {
            String v = line.getOptionValue("speed");
            try {
                speed = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                speed = -1;
            }
            if (!(speed > 0) || Double.isInfinite(speed)) {
                throw new UsageException("--speed takes a positive number (1: the captured delays), not '" + v + "'");
            }
        }
        String policy = line.getOptionValue("on-divergence", "report");
        ServeConfig.OnDivergence onDivergence = switch (policy) {
            case "report" -> ServeConfig.OnDivergence.REPORT;
            case "error" -> ServeConfig.OnDivergence.ERROR;
            case "close" -> ServeConfig.OnDivergence.CLOSE;
            default -> throw new UsageException("--on-divergence must be report, error or close, not '" + policy + "'");
        };
        return new ServeConfig(listen, speed, onDivergence, Inputs.limits(line));
    }

    private static Script script(CommandLine line, Dissector dissector, ServeConfig config) throws UsageException {
        if (line.getArgList().isEmpty() && !line.hasOption("from")) {
            throw new UsageException("no SOURCE given: a capture file (transcript, pcap/pcapng, JSON Lines) or --from DIR ID");
        }
        try {
            Script.Builder b = Script.builder(dissector, config.limits());
            for (String file : line.getArgList()) {
                if (Inputs.isStandard(file)) {
                    throw new UsageException("serve reads its SOURCE files by name: standard input ('-') is not one");
                }
                b.file(Path.of(file));
            }
            if (line.hasOption("from")) {
                String[] from = line.getOptionValues("from");
                if (from == null || from.length != 2) {
                    throw new UsageException("--from takes a data directory and a session id (--from msnscope-data s3)");
                }
                Path dir = Path.of(from[0]);
                if (!Files.isDirectory(dir.resolve("capture"))) {
                    throw new UsageException("no capture store in " + dir + " (record with the proxy's --data, or msnscope import FILE)");
                }
                CaptureStore store = new CaptureStore(dir);
                b.stored(store, DataOptions.id(from[1].toLowerCase(Locale.ROOT), store)[0]);
            }
            return b.build();
        } catch (ScriptException e) {
            throw new UsageException(e.getMessage());
        }
    }
}

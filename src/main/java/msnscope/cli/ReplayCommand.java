package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.dissect.Dissector;
import msnscope.proxy.HostPort;
import msnscope.replay.LoginPasswords;
import msnscope.replay.LoginResponder;
import msnscope.replay.PassportLogin;
import msnscope.replay.ReplayException;
import msnscope.replay.ReplayReport;
import msnscope.replay.Replayer;
import msnscope.replay.Script;
import msnscope.replay.ScriptException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code msnscope replay SOURCE... --upstream HOST:PORT}: a capture's clients played against a live server. */
final class ReplayCommand implements Command {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    @Override
    public String name() {
        return "replay";
    }

    @Override
    public String usage() {
        return "SOURCE... --upstream HOST:PORT [--password ACCOUNT=PW]... [--passport URL] [--timeout D] "
                + "[--format text|jsonl] [--allow-diff] [--from DIR ID]";
    }

    @Override
    public String description() {
        return "Play the clients of every login in a capture against a live server and report every reply that changed. "
                + "SOURCE is a capture file (transcript, pcap/pcapng, JSON Lines); --from DIR ID plays a stored session.\n\n"
                + "Client commands go in captured order with fresh TrIDs, each once every server frame before it in the capture "
                + "has arrived; the live server's referrals are followed and the cookies and session ids it chose are carried "
                + "into the commands that echo them. Logins are performed for real: MD5 (MSNP2-7) and Tweener (MSNP8-14, through "
                + "the Passport login URL) with --password, CHL/QRY with the product keys in dissectors/; others are sent as captured.\n\n"
                + "The report shows, for every captured request, the captured and the live replies side by side, equal when they "
                + "differ only in volatile values (dissectors/types.yaml); its last line is "
                + "'replay: N requests, M same, K differ, U unanswered'. Exit 0 only when nothing differs and nothing is unanswered.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("upstream").hasArg().argName("HOST:PORT")
                .desc("the live server the first connection of every login dials (its dispatch or notification server)").build());
        o.addOption(Option.builder().longOpt("password").hasArg().argName("ACCOUNT=PW")
                .desc("the password of an account, for MD5 and Tweener logins (repeat for each account)").build());
        o.addOption(Option.builder().longOpt("passport").hasArg().argName("URL")
                .desc("the Passport login URL, HTTP or HTTPS (default: the one the nexus " + PassportLogin.NEXUS + " names)").build());
        o.addOption(Option.builder().longOpt("timeout").hasArg().argName("D")
                .desc("how long to wait for a server frame that does not come, e.g. 500ms, 5s, 1m (default "
                        + DEFAULT_TIMEOUT.toSeconds() + "s)").build());
        o.addOption(Option.builder().longOpt("format").hasArg().argName("text|jsonl")
                .desc("the report: text (default) or one JSON object per request (the last line then goes to standard error)").build());
        o.addOption(Option.builder().longOpt("allow-diff").desc("exit 0 even when replies differ (unanswered requests still fail)").build());
        o.addOption(Option.builder().longOpt("from").numberOfArgs(2).argName("DIR")
                .desc("followed by a session ID (--from DIR s3): play the clients of that session of the capture store in DIR").build());
        Inputs.addSpecOptions(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (!line.hasOption("upstream")) {
            throw new UsageException("give the live server with --upstream HOST:PORT");
        }
        HostPort upstream;
        try {
            upstream = HostPort.parse(line.getOptionValue("upstream"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--upstream " + e.getMessage());
        }
        List<String> sources = line.getArgList();
        if (sources.isEmpty() && !line.hasOption("from")) {
            throw new UsageException("give a capture file to replay, or --from DIR ID");
        }
        ReplayReport.Format format = switch (line.getOptionValue("format", "text")) {
            case "text" -> ReplayReport.Format.TEXT;
            case "jsonl" -> ReplayReport.Format.JSONL;
            default -> throw new UsageException("--format is text or jsonl, not '" + line.getOptionValue("format") + "'");
        };
        Duration timeout = duration(line.getOptionValue("timeout"));
        LoginPasswords passwords;
        try {
            passwords = LoginPasswords.parse(line.hasOption("password") ? List.of(line.getOptionValues("password")) : List.of());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        URI passport = null;
        if (line.hasOption("passport")) {
            passport = passportUrl(line.getOptionValue("passport"));
        }
        Dissector dissector = new Dissector(Inputs.spec(line));
        Script script;
        try {
            Script.Builder b = Script.builder(dissector, Inputs.limits(line));
            for (String s : sources) {
                b.file(Path.of(s));
            }
            if (line.hasOption("from")) {
                String[] from = line.getOptionValues("from");
                Path dir = Path.of(from[0]);
                if (!Files.isDirectory(dir)) {
                    throw new UsageException("--from " + from[0] + ": no such capture store");
                }
                b.stored(new CaptureStore(dir), from[1]);
            }
            script = b.build();
        } catch (ScriptException e) {
            throw new UsageException(e.getMessage());
        }
        for (String problem : script.problems()) {
            err.println("msnscope replay: " + problem);
        }
        for (String account : passwords.accounts()) {
            if (script.logins().stream().noneMatch(l -> l.account() != null && l.account().equalsIgnoreCase(account))) {
                err.println("msnscope replay: --password for " + account + ": no login of that account in the sources");
            }
        }
        LoginResponder logins = new LoginResponder(dissector.spec().challenge(), passwords, new PassportLogin(passport, passportTimeout(timeout)));
        Replayer replayer = new Replayer(script, dissector, logins, upstream, timeout);
        // Ctrl-C or SIGTERM while it runs: the report so far (what has not come back counts as unanswered), not nothing.
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        Thread interrupted = new Thread(() -> {
            if (finished.compareAndSet(false, true)) {
                err.println("msnscope replay: interrupted; the report so far:");
                replayer.report().write(format, out, err);
                out.flush();
                err.flush();
            }
        }, "msnscope-replay-interrupted");
        Runtime.getRuntime().addShutdownHook(interrupted);
        ReplayReport report;
        try {
            report = replayer.run();
        } catch (ReplayException e) {
            err.println("msnscope replay: " + e.getMessage());
            return Main.FAILED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            } catch (IllegalStateException stopping) {
                // the JVM is already stopping: the hook prints the report
            }
        }
        if (!finished.compareAndSet(false, true)) {
            return Main.FAILED; // interrupted: the hook printed the report so far
        }
        report.write(format, out, err);
        return report.passed(line.hasOption("allow-diff")) ? Main.OK : Main.FAILED;
    }

    /** A login server answers in seconds, not in the milliseconds a loopback frame takes: --timeout only ever lengthens it. */
    private static Duration passportTimeout(Duration timeout) {
        Duration floor = Duration.ofSeconds(30);
        return timeout.compareTo(floor) > 0 ? timeout : floor;
    }

    static Duration duration(String text) throws UsageException {
        if (text == null) {
            return DEFAULT_TIMEOUT;
        }
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new UsageException("--timeout takes a duration such as 500ms, 5s or 1m (a number alone is seconds), not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static URI passportUrl(String text) throws UsageException {
        try {
            URI u = URI.create(text);
            if (u.getHost() == null || !("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))) {
                throw new IllegalArgumentException();
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--passport takes an http:// or https:// URL, not '" + text + "'");
        }
    }
}

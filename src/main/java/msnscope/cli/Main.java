package msnscope.cli;

import msnscope.dissect.spec.SpecException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code msnscope COMMAND [options]}. User mistakes print one line and exit with 2; an unexpected failure
 * prints one line and exits with 1 (the stack trace only with {@code MSNSCOPE_DEBUG=1}).
 */
public final class Main {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        if (code != OK) {
            System.exit(code);
        }
    }

    static Map<String, Command> commands() {
        Map<String, Command> commands = new LinkedHashMap<>();
        for (Command c : List.<Command>of(new DissectCommand(), new ProxyCommand(), new ServeCommand(), new ReplayCommand(), new ImportCommand(), new SessionsCommand(),
                new SearchCommand(), new ShowCommand(), new ExportCommand(), new DeleteCommand(), new ReindexCommand(), new BenchCommand(),
                new ProxyBenchCommand(), new BenchIndexCommand())) {
            commands.put(c.name(), c);
        }
        return commands;
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}, reading {@code -} (standard input) from {@code in}. */
    public static int run(String[] args, java.io.InputStream in, PrintStream out, PrintStream err) {
        Inputs.stdin(in);
        try {
            return runCommand(args, out, err);
        } finally {
            Inputs.resetStdin();
        }
    }

    private static int runCommand(String[] args, PrintStream out, PrintStream err) {
        Map<String, Command> commands = commands();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help") && args.length == 1) {
            out.print(HelpText.overview(version(), commands, HelpText.width()));
            return args.length == 0 ? USAGE : OK;
        }
        if (args[0].equals("--version") || args[0].equals("-V")) {
            out.println("msnscope " + version());
            return OK;
        }
        boolean helpFor = args[0].equals("help");
        String name = helpFor ? args[1] : args[0];
        Command command = commands.get(name);
        if (command == null) {
            err.println("msnscope: unknown command '" + name + "' (try: " + String.join(", ", commands.keySet()) + ")");
            return USAGE;
        }
        if (helpFor && args.length > 2) {
            err.println("msnscope help: one command at a time (msnscope help " + name + ")");
            return USAGE;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        Options options = command.options();
        options.addOption(Option.builder("h").longOpt("help").desc("show this help").build());
        if (helpFor) {
            out.print(help(command, options));
            return OK;
        }
        try {
            CommandLine line = new DefaultParser().parse(options, rest);
            if (line.hasOption("help")) {
                out.print(help(command, options));
                return OK;
            }
            return command.run(line, out, err);
        } catch (ParseException e) {
            err.println("msnscope " + command.name() + ": " + e.getMessage() + " (see msnscope " + command.name() + " --help)");
            return USAGE;
        } catch (UsageException e) {
            err.println("msnscope " + command.name() + ": " + e.getMessage());
            return USAGE;
        } catch (SpecException e) {
            err.println("msnscope: dissectors: " + e.getMessage());
            return USAGE;
        } catch (Exception | Error e) {
            err.println("msnscope " + command.name() + ": failed: " + describe(e));
            if (System.getenv("MSNSCOPE_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return FAILED;
        }
    }

    /**
     * A failure in the user's words: the first message along the cause chain, without Java class names
     * ({@code java.io.IOException: }) that wrapping adds; for a message-less failure, what kind of problem it was.
     */
    static String describe(Throwable e) {
        if (e instanceof NullPointerException || e instanceof IndexOutOfBoundsException || e instanceof ClassCastException
                || e instanceof IllegalStateException || e instanceof ArithmeticException || e instanceof NumberFormatException) {
            // A bug, not a problem with the user's input or machine: its message would only be Java internals.
            return "internal error (please report it; MSNSCOPE_DEBUG=1 shows the details)";
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank()) {
                return CLASS_PREFIX.matcher(m).replaceAll("").strip();
            }
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory (give Java more with -Xmx, e.g. java -Xmx2g -jar msnscope.jar ...)";
        }
        if (e instanceof StackOverflowError) {
            return "input nested too deeply";
        }
        return "internal error (please report it; MSNSCOPE_DEBUG=1 shows the details)";
    }

    private static final java.util.regex.Pattern CLASS_PREFIX =
            java.util.regex.Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ?");

    static String help(Command command, Options options) {
        return HelpText.command(command, options, HelpText.width());
    }

    /**
     * The project version from the pom, which Maven writes into {@code msnscope/version.properties} when it
     * builds the classes (so the jar, {@code target/classes} and the tests all know it).
     */
    static String version() {
        try (java.io.InputStream in = Main.class.getResourceAsStream("/msnscope/version.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v.strip();
                }
            }
        } catch (java.io.IOException e) {
            // fall through: the manifest may still say it
        }
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(version unknown: not built by Maven)" : v;
    }
}

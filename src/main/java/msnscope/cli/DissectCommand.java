package msnscope.cli;

import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.export.RedactMode;
import msnscope.export.SessionExporter;
import msnscope.export.SessionMeta;
import msnscope.search.FrameFilter;
import msnscope.search.QuerySyntaxException;
import msnscope.wire.FramerLimits;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code msnscope dissect FILE...}: every command of a session, annotated. */
final class DissectCommand implements Command {

    @Override
    public String name() {
        return "dissect";
    }

    @Override
    public String usage() {
        return "FILE... [--format text|jsonl|transcript|html] [--filter QUERY] [--redact[=messages]] [-o OUT]";
    }

    @Override
    public String description() {
        return "Annotate every command of captured sessions: meaning, decoded parameters and payload, the request each reply\n"
                + "answers, and what is wrong with it. FILE is a transcript (the wiki format of captures/*.txt, see\n"
                + "captures/README.md) or a pcap/pcapng capture (MSNP connections are found by content, on any port).";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder("f").longOpt("format").hasArg().argName("text|jsonl|transcript|html")
                .desc("text (default), jsonl (one JSON object per frame), transcript (the wiki format, re-readable) "
                        + "or html (one self-contained page: sequence diagram, filterable timeline)").build());
        o.addOption(Option.builder().longOpt("filter").hasArg().argName("QUERY")
                .desc("show only the frames matching QUERY, in search syntax (e.g. 'cmd:MSG AND dir:S2C'), in every format; "
                        + "a connection with no matching frame is left out").build());
        o.addOption(Option.builder().longOpt("redact").hasArg().optionalArg(true).argName("messages")
                .desc("hide secrets before writing: passwords, MD5 responses, tickets, switchboard cookies, MSPAuth "
                        + "(consistent placeholders such as cookie-1); --redact=messages also hides chat text, P2P data and offered file names").build());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT")
                .desc("write to OUT (UTF-8) instead of standard output").build());
        o.addOption(Option.builder().longOpt("color").hasArg().argName("auto|always|never")
                .desc("colour the text view (default auto: only on a terminal; NO_COLOR turns it off)").build());
        Inputs.addSpecOptions(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        List<String> files = new ArrayList<>(line.getArgList());
        RedactMode mode = RedactMode.NONE;
        if (line.hasOption("redact")) {
            String v = line.getOptionValue("redact");
            mode = v == null ? RedactMode.SECRETS : RedactMode.parse(v);
            if (mode == null && (Inputs.isStandard(v) || Files.isRegularFile(Path.of(v)))) {
                files.add(0, v);                        // `--redact FILE`: the file is not the option's value
                mode = RedactMode.SECRETS;
            } else if (mode == null || mode == RedactMode.NONE) {
                throw new UsageException("--redact takes secrets (the default) or messages, not '" + v + "'");
            }
        }
        if (files.isEmpty()) {
            throw new UsageException("no FILE given (see msnscope dissect --help)");
        }
        String format = line.getOptionValue("format", "text");
        if (!SessionExporter.FORMATS.contains(format)) {
            throw new UsageException("--format must be text, jsonl, transcript or html, not '" + format + "'");
        }
        if (format.equals("html") && files.size() > 1) {
            throw new UsageException("--format html writes one page per session: give one FILE at a time");
        }
        FrameFilter filter = filter(line);
        String output = line.getOptionValue("output");
        Outputs.check(output);
        boolean colour = Outputs.isStandard(output) && colour(line.getOptionValue("color", "auto"));
        FramerLimits limits = Inputs.limits(line);
        Inputs.checkReadable(files);
        Dissector dissector = new Dissector(Inputs.spec(line));
        SessionExporter exporter = new SessionExporter(dissector, limits, colour);
        // With -o, every file is read before OUT is opened: a file that cannot be read leaves no half-written OUT.
        StringWriter all = new StringWriter();
        for (String file : files) {
            SessionAssembler session = Inputs.dissectFile(file, dissector, limits, err);
            StringWriter sw = new StringWriter();
            if (format.equals("text")) {
                sw.write(Inputs.display(file) + System.lineSeparator());
            }
            exporter.export(session.connections(), SessionMeta.of(session.sessionId(), false, session.connections()), format, mode,
                    filter == null ? null : filter::matches, sw);
            if (Outputs.isStandard(output)) {
                out.print(sw);
            } else {
                all.write(sw.toString());
            }
        }
        if (!Outputs.isStandard(output)) {
            Writer w = Outputs.open(output, out);
            try {
                w.write(all.toString());
            } catch (IOException e) {
                throw new UsageException("cannot write " + output + ": " + Outputs.reason(e));
            } finally {
                Outputs.finish(w, output);
            }
        }
        return Main.OK;
    }

    /** {@code --filter QUERY}, parsed before any file is read: a mistake is the line {@code search} prints for it. */
    static FrameFilter filter(CommandLine line) throws UsageException {
        if (!line.hasOption("filter")) {
            return null;
        }
        try {
            return FrameFilter.parse(line.getOptionValue("filter"));
        } catch (QuerySyntaxException e) {
            throw new UsageException("--filter: " + e.getMessage());
        }
    }

    static boolean colour(String when) throws UsageException {
        return switch (when) {
            case "always" -> true;
            case "never" -> false;
            case "auto" -> System.console() != null && System.getenv("NO_COLOR") == null;
            default -> throw new UsageException("--color must be auto, always or never, not '" + when + "'");
        };
    }
}

package msnscope.cli;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.export.FrameJson;
import msnscope.export.TextFormat;
import msnscope.transcript.TranscriptWriter;
import msnscope.wire.FramerLimits;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;

/** {@code msnscope dissect FILE...}: every command of a session, annotated. */
final class DissectCommand implements Command {

    @Override
    public String name() {
        return "dissect";
    }

    @Override
    public String usage() {
        return "FILE... [--format text|jsonl|transcript]";
    }

    @Override
    public String description() {
        return "Annotate every command of captured sessions (transcripts, see captures/README.md): meaning,\n"
                + "decoded parameters and payload, the request each reply answers, and what is wrong with it.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder("f").longOpt("format").hasArg().argName("FORMAT")
                .desc("text (default), jsonl (one JSON object per frame) or transcript (the wiki format, re-readable)").build());
        o.addOption(Option.builder().longOpt("color").hasArg().argName("WHEN")
                .desc("colour the text view: auto (default: on a terminal), always, never").build());
        Inputs.addSpecOptions(o);
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (line.getArgList().isEmpty()) {
            throw new UsageException("no FILE given (see msnscope dissect --help)");
        }
        String format = line.getOptionValue("format", "text");
        if (!format.equals("text") && !format.equals("jsonl") && !format.equals("transcript")) {
            throw new UsageException("--format must be text, jsonl or transcript, not '" + format + "'");
        }
        boolean colour = colour(line.getOptionValue("color", "auto"));
        FramerLimits limits = Inputs.limits(line);
        for (String file : line.getArgList()) {
            Inputs.readFile(file);
        }
        Dissector dissector = new Dissector(Inputs.spec(line));
        for (String file : line.getArgList()) {
            SessionAssembler session = Inputs.dissectFile(file, dissector, limits);
            switch (format) {
                case "jsonl" -> {
                    for (ConnectionLog c : session.connections()) {
                        for (Dissection d : c.frames()) {
                            out.println(FrameJson.toLine(FrameJson.toMap(d)));
                        }
                    }
                }
                case "transcript" -> {
                    StringBuilder sb = new StringBuilder();
                    TranscriptWriter w = new TranscriptWriter(sb);
                    for (ConnectionLog c : session.connections()) {
                        w.connection(c.server());
                        for (Dissection d : c.frames()) {
                            w.frame(d.direction(), d.frame(), d.timeMicros());
                        }
                    }
                    out.print(sb);
                }
                default -> {
                    TextFormat text = new TextFormat(colour);
                    out.println(file);
                    for (ConnectionLog c : session.connections()) {
                        out.println(text.connectionHeader(c));
                        for (Dissection d : c.frames()) {
                            out.print(text.frame(d));
                        }
                    }
                }
            }
        }
        return Main.OK;
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

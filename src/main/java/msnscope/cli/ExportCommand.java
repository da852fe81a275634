package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.export.FrameJson;
import msnscope.export.TextFormat;
import msnscope.transcript.TranscriptWriter;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code msnscope export ID}: one session (or connection) as a transcript, text, JSON Lines or HTML. */
final class ExportCommand implements Command {

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String usage() {
        return "ID [--format transcript|text|jsonl|html] [--redact[=messages]] [-o FILE] [--data DIR]";
    }

    @Override
    public String description() {
        return "Export a session (s3) or a connection (s3/c2): transcript (the wiki format; msnscope import reads it back to\n"
                + "the same bytes), text and jsonl (as dissect), html (one self-contained file).";
    }

    @Override
    public Options options() {
        Options o = new Options();
        DataOptions.add(o);
        o.addOption(Option.builder("f").longOpt("format").hasArg().argName("FORMAT").desc("transcript (default), text, jsonl or html").build());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("FILE").desc("write to FILE instead of standard output").build());
        o.addOption(Option.builder().longOpt("redact").optionalArg(true).hasArg().argName("messages")
                .desc("replace passwords, MD5 responses, tickets, MSPAuth and cookies; =messages also message bodies").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (line.getArgList().size() != 1) {
            throw new UsageException("give one session or connection id (see msnscope sessions)");
        }
        String format = line.getOptionValue("format", "transcript");
        if (!List.of("transcript", "text", "jsonl", "html").contains(format)) {
            throw new UsageException("--format must be transcript, text, jsonl or html, not '" + format + "'");
        }
        String redact = line.hasOption("redact") ? line.getOptionValue("redact", "secrets") : null;
        if (redact != null && !redact.equals("secrets") && !redact.equals("messages")) {
            throw new UsageException("--redact takes nothing or =messages, not '" + redact + "'");
        }
        if (format.equals("html") || redact != null) {
            throw new UsageException((format.equals("html") ? "--format html" : "--redact")
                    + " is not in this build yet (it comes with the HTML exporter)");
        }
        CaptureStore store = DataOptions.existing(line);
        String[] id = DataOptions.id(line.getArgList().get(0), store);
        CaptureStore.Loaded s = store.load(id[0], new Dissector(Inputs.spec(line)), Inputs.limits(line));
        List<ConnectionLog> conns = s.connections().stream().filter(c -> id.length == 1 || c.id().equals(id[1])).toList();
        if (conns.isEmpty()) {
            throw new UsageException("session " + id[0] + " has no connection " + id[1]);
        }
        String text = render(format, conns);
        if (line.hasOption("output")) {
            Path target = Path.of(line.getOptionValue("output"));
            try {
                Files.writeString(target, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UsageException("cannot write " + target + ": " + e.getMessage());
            }
            err.println("wrote " + target + " (" + conns.size() + " connections, "
                    + conns.stream().mapToInt(c -> c.frames().size()).sum() + " frames)");
        } else {
            out.print(text);
        }
        return Main.OK;
    }

    /** The session in a text format; transcript connections keep their server so a re-import names them again. */
    static String render(String format, List<ConnectionLog> conns) {
        StringBuilder sb = new StringBuilder();
        switch (format) {
            case "jsonl" -> {
                for (ConnectionLog c : conns) {
                    for (Dissection d : c.frames()) {
                        sb.append(FrameJson.toLine(FrameJson.toMap(d))).append('\n');
                    }
                }
            }
            case "text" -> {
                TextFormat t = new TextFormat(false);
                for (ConnectionLog c : conns) {
                    sb.append(t.connectionHeader(c)).append('\n');
                    for (Dissection d : c.frames()) {
                        sb.append(t.frame(d));
                    }
                }
            }
            default -> {
                TranscriptWriter w = new TranscriptWriter(sb);
                for (ConnectionLog c : conns) {
                    w.connection(c.server());
                    for (Dissection d : c.frames()) {
                        w.frame(d.direction(), d.frame(), d.timeMicros());
                    }
                }
            }
        }
        return sb.toString();
    }
}

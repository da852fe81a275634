package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.dissect.ConnectionLog;
import msnscope.capture.ConnectionInfo;
import msnscope.dissect.Dissector;
import msnscope.export.RedactMode;
import msnscope.export.Redactor;
import msnscope.export.SessionExporter;
import msnscope.export.SessionMeta;
import msnscope.wire.FramerLimits;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                + "the same bytes), text and jsonl (as dissect), html (one self-contained file). --redact hides passwords, MD5\n"
                + "responses, Passport tickets, MSPAuth and cookies (--redact=messages also message bodies), fixing payload lengths.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        DataOptions.add(o);
        o.addOption(Option.builder("f").longOpt("format").hasArg().argName("transcript|text|jsonl|html").desc("transcript (default), text, jsonl or html").build());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("FILE").desc("write to FILE instead of standard output").build());
        o.addOption(Option.builder().longOpt("redact").optionalArg(true).hasArg().argName("messages")
                .desc("replace passwords, MD5 responses, tickets, MSPAuth and cookies; =messages also message bodies").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        List<String> args = new java.util.ArrayList<>(line.getArgList());
        String redactArg = line.getOptionValue("redact");
        if (redactArg != null && RedactMode.parse(redactArg) == null && args.isEmpty()) {
            args.add(redactArg); // "--redact s3": the optional value was the id
            redactArg = null;
        }
        if (args.size() != 1) {
            throw new UsageException("give one session or connection id (see msnscope sessions)");
        }
        String format = line.getOptionValue("format", "transcript");
        if (!SessionExporter.FORMATS.contains(format)) {
            throw new UsageException("--format must be transcript, text, jsonl or html, not '" + format + "'");
        }
        RedactMode mode = line.hasOption("redact") ? RedactMode.parse(redactArg == null ? "secrets" : redactArg) : RedactMode.NONE;
        if (mode == null) {
            throw new UsageException("--redact takes nothing (secrets) or =messages, not '" + redactArg + "'");
        }
        Outputs.check(line.getOptionValue("output"));
        CaptureStore store = DataOptions.existing(line);
        try {
            return export(line, store, args.get(0), format, mode, out, err);
        } finally {
            DataOptions.printNotes(store, err);
        }
    }

    private int export(CommandLine line, CaptureStore store, String idText, String format, RedactMode mode, PrintStream out, PrintStream err)
            throws Exception {
        String[] id = DataOptions.id(idText, store);
        Dissector dissector = new Dissector(Inputs.spec(line));
        FramerLimits limits = Inputs.limits(line);
        CaptureStore.Loaded s = store.load(id[0], dissector, limits);
        List<ConnectionLog> conns = s.connections().stream().filter(c -> id.length == 1 || c.id().equals(id[1])).toList();
        if (id.length == 2 && conns.isEmpty()) {
            throw new UsageException("session " + id[0] + " has no connection " + id[1]);
        }
        SessionMeta meta = meta(id[0], s.infos());
        SessionExporter exporter = new SessionExporter(dissector, limits, false);
        Redactor.Result redacted;
        String output = line.getOptionValue("output");
        Writer w = Outputs.open(output, out);
        try {
            redacted = exporter.export(conns, meta, format, mode, w);
        } catch (IOException e) {
            throw new UsageException("cannot write " + output + ": " + Outputs.reason(e));
        } finally {
            Outputs.finish(w, output);
        }
        if (!Outputs.isStandard(output)) {
            err.println("wrote " + output + " (" + conns.size() + " connections, " + conns.stream().mapToInt(c -> c.frames().size()).sum()
                    + " frames" + (redacted == null ? "" : ", " + redacted.changedFrames() + " redacted") + ")");
        }
        return Main.OK;
    }

    /** Endpoints for the export header and diagram: client, the proxy it dialled, the real server. */
    static SessionMeta meta(String session, Map<String, ConnectionInfo> infos) {
        Map<String, SessionMeta.Endpoints> endpoints = new LinkedHashMap<>();
        boolean proxied = false;
        for (Map.Entry<String, ConnectionInfo> e : infos.entrySet()) {
            ConnectionInfo i = e.getValue();
            proxied |= i.proxy() != null;
            endpoints.put(e.getKey(), new SessionMeta.Endpoints(i.client(), i.proxy(), i.server()));
        }
        return new SessionMeta(session, proxied, endpoints);
    }
}

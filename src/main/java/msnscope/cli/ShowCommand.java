package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.capture.ConnectionInfo;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.export.FrameJson;
import msnscope.export.TextFormat;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** {@code msnscope show ID}: a session or one connection as an annotated timeline. */
final class ShowCommand implements Command {

    @Override
    public String name() {
        return "show";
    }

    @Override
    public String usage() {
        return "ID [--data DIR] [--color auto|always|never]";
    }

    @Override
    public String description() {
        return "Show a session (s3) or one connection (s3/c2) as an annotated timeline: connections with their endpoints\n"
                + "and referrals, then every frame in the order it passed, dissected again from the stored bytes.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        DataOptions.add(o);
        o.addOption(Option.builder().longOpt("color").hasArg().argName("auto|always|never")
                .desc("colour the text view (default auto: only on a terminal; NO_COLOR turns it off)").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (line.getArgList().size() != 1) {
            throw new UsageException("give one session or connection id (see msnscope sessions)");
        }
        CaptureStore store = DataOptions.existing(line);
        try {
            return show(line, store, out);
        } finally {
            DataOptions.printNotes(store, err);
        }
    }

    private int show(CommandLine line, CaptureStore store, PrintStream out) throws Exception {
        String[] id = DataOptions.id(line.getArgList().get(0), store);
        CaptureStore.Loaded s = store.load(id[0], new Dissector(Inputs.spec(line)), Inputs.limits(line));
        if (s.tornBytes() > 0) {
            store.notes().add(id[0] + ": the last " + s.tornBytes() + " bytes are an incomplete record (still being written, or cut short by a crash)");
        }
        if (id.length == 2 && s.connections().stream().noneMatch(c -> c.id().equals(id[1]))) {
            throw new UsageException("session " + id[0] + " has no connection " + id[1]);
        }
        TextFormat text = new TextFormat(DissectCommand.colour(line.getOptionValue("color", "auto")));
        out.println("== session " + id[0] + " · " + s.connections().size() + " connections");
        List<Object[]> timeline = new ArrayList<>();
        for (ConnectionLog c : s.connections()) {
            if (id.length == 2 && !c.id().equals(id[1])) {
                continue;
            }
            out.println(text.connectionHeader(c));
            out.println(endpoints(s.infos().get(c.id())));
            for (Dissection d : c.frames()) {
                timeline.add(new Object[] {d.timeMicros() == null ? Long.MAX_VALUE : d.timeMicros(), timeline.size(), d});
            }
        }
        // One timeline across connections: by time, recording order for frames without times.
        if (timeline.stream().noneMatch(o -> (long) o[0] == Long.MAX_VALUE)) {
            timeline.sort(Comparator.comparingLong((Object[] o) -> (long) o[0]).thenComparingInt(o -> (int) o[1]));
        }
        out.println();
        String current = null;
        for (Object[] o : timeline) {
            Dissection d = (Dissection) o[2];
            if (!d.stream().equals(current)) {
                current = d.stream();
                out.println("-- " + d.stream() + " " + (d.role() == null ? "?" : d.role())
                        + (d.timeMicros() == null ? "" : " · " + FrameJson.isoTime(d.timeMicros())) + " --");
            }
            out.print(text.frame(d));
        }
        return Main.OK;
    }

    static String endpoints(ConnectionInfo i) {
        if (i == null) {
            return "   (no endpoints recorded)";
        }
        StringBuilder sb = new StringBuilder("   client ").append(or(i.client()));
        if (i.proxy() != null) {
            sb.append(" → proxy ").append(i.proxy());
        }
        sb.append(" → server ").append(or(i.upstreamName()));
        if (i.upstream() != null && !i.upstream().equals(i.upstreamName())) {
            sb.append(" (connected to ").append(i.upstream()).append(')');
        }
        if (i.referral() != null) {
            var r = i.referral();
            sb.append("\n   referred by ").append(r.fromConnection()).append(": ").append(r.line() == null ? r.kind() : r.line());
            if (r.rewritten() != null && !r.rewritten().equals(r.original())) {
                sb.append(" (rewritten ").append(r.original()).append(" → ").append(r.rewritten()).append(')');
            }
        }
        return sb.toString();
    }

    private static String or(String s) {
        return s == null ? "?" : s;
    }
}

package msnscope.cli;

import msnscope.wire.Clock;
import msnscope.capture.CaptureStore;
import msnscope.dissect.Dissector;
import msnscope.export.FrameJson;
import msnscope.index.CaptureIndex;
import msnscope.search.FrameSearch;
import msnscope.search.MsnQueryParser;
import msnscope.search.QuerySyntaxException;
import msnscope.search.Times;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code msnscope search QUERY}: frames across every recorded session. */
final class SearchCommand implements Command {

    @Override
    public String name() {
        return "search";
    }

    @Override
    public String usage() {
        return "[QUERY] [--limit N | --all] [--format text|jsonl] [--count-by FIELD] [--since TIME] [--until TIME] [--sort KEY] [--data DIR]";
    }

    @Override
    public String description() {
        return "Search every recorded frame with Lucene query syntax, e.g. 'cmd:XFR AND account:bob@example.com',\n"
                + "'trid:[5 TO 9]', 'hello bob', 'warning:unanswered', 'latency:[200ms TO *]'. Newest first.\n"
                + "No QUERY, '' or '*:*' matches every frame. Field names and keyword values are case-insensitive\n"
                + "(cmd:msg = CMD:MSG); values with / or spaces go in quotes. Fields: " + String.join(", ", MsnQueryParser.fields())
                + " (see README).";
    }

    @Override
    public Options options() {
        Options o = new Options();
        DataOptions.add(o);
        o.addOption(Option.builder("n").longOpt("limit").hasArg().argName("N").desc("show at most N frames (default 20)").build());
        o.addOption(Option.builder().longOpt("all").desc("show every matching frame, streamed as found (no limit)").build());
        o.addOption(Option.builder("f").longOpt("format").hasArg().argName("text|jsonl")
                .desc("text (default) or jsonl (the dissect JSON Lines keys plus connection and highlight)").build());
        o.addOption(Option.builder().longOpt("count-by").hasArg().argName("FIELD")
                .desc("print the number of matching frames per value of FIELD (cmd, account, peer, warning, …) instead").build());
        o.addOption(Option.builder().longOpt("since").hasArg().argName("TIME").desc("frames at or after TIME (2024-09-28, "
                + "2024-09-28T17:18:00Z, or an age: 90s, 15m, 2h, 7d)").build());
        o.addOption(Option.builder().longOpt("until").hasArg().argName("TIME").desc("frames at or before TIME").build());
        o.addOption(Option.builder().longOpt("sort").hasArg().argName("KEY")
                .desc("-time (default, newest first), time, relevance, or [-]trid, [-]latency, [-]length").build());
        o.addOption(Option.builder().longOpt("color").hasArg().argName("auto|always|never")
                .desc("colour the text view (default auto: only on a terminal; NO_COLOR turns it off)").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        // No query (or a blank one) means every frame: the newest, like tail, or all of them with --all.
        String queryText = String.join(" ", line.getArgList()).trim();
        String format = line.getOptionValue("format", "text");
        if (!format.equals("text") && !format.equals("jsonl")) {
            throw new UsageException("--format must be text or jsonl, not '" + format + "'");
        }
        boolean all = line.hasOption("all");
        if (all && line.hasOption("limit")) {
            throw new UsageException("--all and --limit do not go together: --all shows every match");
        }
        int limit = Inputs.intOption(line, "limit", 20);
        if (limit < 1) {
            throw new UsageException("--limit must be at least 1 (--all shows every match)");
        }
        boolean colour = format.equals("text") && DissectCommand.colour(line.getOptionValue("color", "auto"));
        long now = Clock.nowMicros();
        Long since = time(line, "since", false, now);
        Long until = time(line, "until", true, now);
        CaptureStore store = DataOptions.existing(line);
        Query query;
        try {
            query = new MsnQueryParser(now).parseQuery(queryText);
        } catch (QuerySyntaxException e) {
            throw new UsageException(e.getMessage());
        }
        FrameSearch.Result result;
        FrameSearch.Options options = new FrameSearch.Options(limit, line.getOptionValue("sort", "-time"), since, until,
                line.getOptionValue("count-by"), colour ? "\u001b[1;7m" : format.equals("jsonl") ? "<b>" : "«",
                colour ? "\u001b[0m" : format.equals("jsonl") ? "</b>" : "»");
        if (all && !line.hasOption("count-by")) {
            return streamAll(line, store, query, options, format, colour, out, err);
        }
        try (CaptureIndex index = DataOptions.index(store, () -> new Dissector(Inputs.spec(line)))) {
            result = index.read(searcher -> searcher == null ? new FrameSearch.Result(0, List.of(), Map.of())
                    : FrameSearch.search(searcher, query, options));
        } catch (QuerySyntaxException e) {
            throw new UsageException(e.getMessage());
        } finally {
            DataOptions.printNotes(store, err);
        }
        if (line.hasOption("count-by")) {
            for (Map.Entry<String, Long> e : result.counts().entrySet()) {
                if (format.equals("jsonl")) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put(line.getOptionValue("count-by"), e.getKey());
                    m.put("count", e.getValue());
                    out.println(FrameJson.toLine(m));
                } else {
                    out.printf("%8d  %s%n", e.getValue(), e.getKey());
                }
            }
            if (format.equals("text")) {
                out.printf("%8d  frames matched%n", result.total());
            }
            return Main.OK;
        }
        for (FrameSearch.Hit h : result.hits()) {
            print(h, format, colour, out);
        }
        if (format.equals("text")) {
            out.println(result.total() == 0 ? "no frames matched" : result.hits().size() + " of " + result.total() + (result.atLeast() ? "+" : "")
                    + " matching frames" + (result.total() > result.hits().size() ? " (--limit N or --all for more)" : ""));
        }
        return Main.OK;
    }

    /**
     * {@code --all}: every hit printed as it is found, a page at a time, so the memory used does not grow with
     * the store. Should the index be found damaged midway and rebuilt ({@link CaptureIndex#read} runs the
     * search again), the hits already printed are skipped: the rebuilt index sorts the same frames the same way.
     */
    private static int streamAll(CommandLine line, CaptureStore store, Query query, FrameSearch.Options options, String format,
                                 boolean colour, PrintStream out, PrintStream err) throws Exception {
        long[] printed = {0};
        long total;
        try (CaptureIndex index = DataOptions.index(store, () -> new Dissector(Inputs.spec(line)))) {
            total = index.read(searcher -> {
                if (searcher == null) {
                    return 0L;
                }
                long[] seen = {0};
                return FrameSearch.stream(searcher, query, options, h -> {
                    if (++seen[0] > printed[0]) {
                        print(h, format, colour, out);
                        printed[0]++;
                    }
                });
            });
        } catch (QuerySyntaxException e) {
            throw new UsageException(e.getMessage());
        } finally {
            DataOptions.printNotes(store, err);
        }
        if (format.equals("text")) {
            out.println(total == 0 ? "no frames matched" : total + " matching frames");
        }
        return Main.OK;
    }

    /** One hit: the JSON Lines contract plus connection and highlight, or the two-line text form. */
    private static void print(FrameSearch.Hit h, String format, boolean colour, PrintStream out) {
        if (format.equals("jsonl")) {
            Map<String, Object> m = new LinkedHashMap<>(h.frame());
            m.put("connection", h.frame().get("session") + "/" + h.frame().get("stream"));
            m.put("highlight", h.highlights());
            out.println(FrameJson.toLine(m));
        } else {
            out.print(text(h, colour));
        }
    }

    private static Long time(CommandLine line, String option, boolean upper, long now) throws UsageException {
        String v = line.getOptionValue(option);
        if (v == null) {
            return null;
        }
        try {
            return Times.parse(v, upper, now);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + option + ": " + e.getMessage());
        }
    }

    /** Two lines per hit: when, where, direction and the line; then the summary or the highlighted matches. */
    static String text(FrameSearch.Hit h, boolean colour) {
        Map<String, Object> f = h.frame();
        StringBuilder sb = new StringBuilder();
        String where = f.get("session") + "/" + f.get("stream") + " #" + f.get("seq");
        sb.append(f.get("time") == null ? "-" : f.get("time")).append("  ").append(paint(where, "36", colour)).append("  ")
                .append(f.get("role") == null ? "?" : f.get("role")).append("  ")
                .append("C2S".equals(f.get("dir")) ? "C->S" : "S->C").append("  ");
        String line = h.highlights().getOrDefault("line", String.valueOf(f.get("raw")));
        sb.append(colour ? "\u001b[1m" + line + "\u001b[0m" : line).append('\n');
        sb.append("      ").append(h.highlights().getOrDefault("summary", String.valueOf(f.get("summary")))).append('\n');
        String text = h.highlights().get("text");
        if (text != null) {
            sb.append("      ").append(text).append('\n');
        }
        return sb.toString();
    }

    private static String paint(String s, String code, boolean colour) {
        return colour ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }
}

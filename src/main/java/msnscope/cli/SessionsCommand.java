package msnscope.cli;

import msnscope.wire.Clock;
import msnscope.capture.CaptureStore;
import msnscope.dissect.Dissector;
import msnscope.export.FrameJson;
import msnscope.index.CaptureIndex;
import msnscope.index.IndexFields;
import msnscope.search.FrameSearch;
import msnscope.search.MsnQueryParser;
import msnscope.search.QuerySyntaxException;
import msnscope.search.Times;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** {@code msnscope sessions [QUERY]}: one line per login story. */
final class SessionsCommand implements Command {

    @Override
    public String name() {
        return "sessions";
    }

    @Override
    public String usage() {
        return "[QUERY] [--format text|jsonl] [--data DIR]";
    }

    @Override
    public String description() {
        return "List the recorded sessions (one login each, with its connections): id, accounts, version, start and end,\n"
                + "connections, frames, warnings, errors. QUERY (search syntax) keeps the sessions with a matching frame.";
    }

    @Override
    public Options options() {
        Options o = new Options();
        DataOptions.add(o);
        o.addOption(Option.builder("f").longOpt("format").hasArg().argName("text|jsonl").desc("text (default) or jsonl").build());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        String format = line.getOptionValue("format", "text");
        if (!format.equals("text") && !format.equals("jsonl")) {
            throw new UsageException("--format must be text or jsonl, not '" + format + "'");
        }
        CaptureStore store = DataOptions.existing(line);
        String queryText = String.join(" ", line.getArgList()).trim();
        Query user;
        try {
            user = queryText.isEmpty() ? null : new MsnQueryParser(Clock.nowMicros()).parseQuery(queryText);
        } catch (QuerySyntaxException e) {
            throw new UsageException(e.getMessage());
        }
        try (CaptureIndex index = DataOptions.index(store, () -> new Dissector(Inputs.spec(line)))) {
            List<Map<String, Object>> rows = index.read(s -> s == null ? List.<Map<String, Object>>of() : sessions(s, user));
            if (format.equals("jsonl")) {
                for (Map<String, Object> r : rows) {
                    out.println(FrameJson.toLine(r));
                }
            } else {
                out.printf("%-6s %-32s %-7s %-27s %-27s %5s %8s %8s %6s%n", "ID", "ACCOUNTS", "VERSION", "START", "END", "CONNS",
                        "FRAMES", "WARNINGS", "ERRORS");
                for (Map<String, Object> r : rows) {
                    out.printf("%-6s %-32s %-7s %-27s %-27s %5s %8s %8s %6s%n", r.get("session"), String.join(",", strings(r.get("accounts"))),
                            dash(r.get("version")), dash(r.get("start")), dash(r.get("end")), r.get("connections"), r.get("frames"),
                            r.get("warnings"), r.get("errors"));
                }
            }
            // One line per damaged file, as the index last read it (the files are not read again here).
            index.damage().forEach((session, damage) -> store.notes().add(damage.describe(session)));
        } finally {
            DataOptions.printNotes(store, err);
        }
        return Main.OK;
    }

    /** The session documents, oldest first; with a query, only sessions having a matching document. */
    static List<Map<String, Object>> sessions(IndexSearcher s, Query user) throws Exception {
        Query q = new TermQuery(new Term(IndexFields.TYPE, "session"));
        if (user != null) {
            TreeSet<String> ids = new TreeSet<>(FrameSearch.count(s, user, IndexFields.SESSION).keySet());
            List<BytesRef> terms = new ArrayList<>();
            for (String id : ids) {
                terms.add(new BytesRef(id));
            }
            q = new BooleanQuery.Builder().add(q, BooleanClause.Occur.FILTER)
                    .add(new TermInSetQuery(IndexFields.SESSION, terms), BooleanClause.Occur.FILTER).build();
        }
        int n = Math.max(1, s.count(q));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ScoreDoc sd : s.search(q, n, new Sort(new SortField(IndexFields.ORDER, SortField.Type.LONG))).scoreDocs) {
            Document d = s.storedFields().document(sd.doc);
            rows.add(msnscope.index.FrameDocuments.object(d));
        }
        return rows;
    }

    static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                out.add(String.valueOf(x));
            }
        }
        return out.isEmpty() ? List.of("-") : out;
    }

    static String dash(Object o) {
        return o == null ? "-" : o.toString();
    }

    static Query all() {
        return new MatchAllDocsQuery();
    }
}

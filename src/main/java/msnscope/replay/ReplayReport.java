package msnscope.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import msnscope.dissect.Dissection;
import msnscope.wire.Frame;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The replay's report: every captured request with the captured and the live replies side by side, then
 * one last line {@code replay: N requests, M same, K differ, U unanswered}. In {@code jsonl} each request is
 * one JSON object and the last line goes to the error stream, so the output stays pure JSON Lines.
 */
public final class ReplayReport {

    public enum Format { TEXT, JSONL }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ReportEntry> entries;

    public ReplayReport(List<ReportEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    public long count(ReportEntry.Outcome outcome) {
        return entries.stream().filter(e -> e.outcome() == outcome).count();
    }

    /** Exit 0 only when nothing differed and nothing went unanswered ({@code --allow-diff}: differences are accepted). */
    public boolean passed(boolean allowDiff) {
        return count(ReportEntry.Outcome.UNANSWERED) == 0 && (allowDiff || count(ReportEntry.Outcome.DIFFER) == 0);
    }

    public String lastLine() {
        return "replay: " + entries.size() + " requests, " + count(ReportEntry.Outcome.SAME) + " same, "
                + count(ReportEntry.Outcome.DIFFER) + " differ, " + count(ReportEntry.Outcome.UNANSWERED) + " unanswered";
    }

    public void write(Format format, PrintStream out, PrintStream err) {
        for (ReportEntry e : entries) {
            if (format == Format.JSONL) {
                out.println(json(e));
            } else {
                text(e, out);
            }
        }
        (format == Format.JSONL ? err : out).println(lastLine());
    }

    private static void text(ReportEntry e, PrintStream out) {
        ReportEntry.Outcome outcome = e.outcome();
        String volatiles = outcome == ReportEntry.Outcome.SAME && !e.volatiles().isEmpty() ? "  (volatile: " + String.join(", ", e.volatiles()) + ")" : "";
        out.println(outcome.name().toLowerCase(Locale.ROOT) + "  " + e.connection() + "  " + line(e.request()) + volatiles);
        if (e.noteText() != null) {
            out.println("    note      " + e.noteText());
        }
        for (ReportEntry.Pair p : e.pairs()) {
            String verdict = p.captured() == null ? "live only" : p.live() == null ? "capture only"
                    : p.comparison().same() ? "" : p.comparison().difference();
            out.println("    captured  " + (p.captured() == null ? "-" : line(p.captured())));
            out.println("    live      " + (p.live() == null ? "-" : line(p.live())) + (verdict.isEmpty() ? "" : "    <- " + verdict));
        }
    }

    private static String json(ReportEntry e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("account", e.account());
        o.put("connection", e.connection());
        o.put("request", line(e.request()));
        o.put("sent", e.sentLine());
        o.put("outcome", e.outcome().name().toLowerCase(Locale.ROOT));
        if (e.noteText() != null) {
            o.put("note", e.noteText());
        }
        ArrayNode volatiles = o.putArray("volatile");
        e.volatiles().forEach(volatiles::add);
        ArrayNode replies = o.putArray("replies");
        for (ReportEntry.Pair p : e.pairs()) {
            ObjectNode r = replies.addObject();
            r.put("captured", p.captured() == null ? null : line(p.captured()));
            r.put("live", p.live() == null ? null : line(p.live()));
            if (p.comparison() != null) {
                r.put("same", p.comparison().same());
                ArrayNode kinds = r.putArray("volatile");
                p.comparison().volatiles().forEach(kinds::add);
                if (p.comparison().difference() != null) {
                    r.put("difference", p.comparison().difference());
                }
            } else {
                r.put("same", false);
            }
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException("a report entry that Jackson cannot write", ex);
        }
    }

    /** {@code S: MSG Hotmail Hotmail 494 (+494 bytes)}: the command line, the payload as its size. */
    static String line(Dissection d) {
        Frame f = d.frame();
        String text = d.direction().transcriptPrefix() + ": " + f.line();
        return f.payloadLength() > 0 ? text + " (+" + f.payloadLength() + " bytes)" : text;
    }
}

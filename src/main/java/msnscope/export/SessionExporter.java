package msnscope.export;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.transcript.TranscriptWriter;
import msnscope.wire.FramerLimits;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.Locale;

/**
 * The one place other commands (dissect, the capture store, the proxy console) export a session:
 * optional redaction, then one of the formats. {@code transcript}, {@code text} and {@code jsonl} are
 * exactly what {@code msnscope dissect} prints (through {@link TranscriptWriter}, {@link TextFormat} and
 * {@link FrameJson}); {@code html} is {@link HtmlExport}.
 */
public final class SessionExporter {

    public static final List<String> FORMATS = List.of("text", "jsonl", "transcript", "html");

    private final Dissector dissector;
    private final FramerLimits limits;
    private final boolean colour;

    public SessionExporter(Dissector dissector) {
        this(dissector, FramerLimits.DEFAULT, false);
    }

    /** @param colour ANSI colour in the text format */
    public SessionExporter(Dissector dissector, FramerLimits limits, boolean colour) {
        this.dissector = dissector;
        this.limits = limits;
        this.colour = colour;
    }

    /**
     * Writes a session. With a redaction mode other than {@link RedactMode#NONE} the frames are redacted
     * first and dissected again, and every format renders from that second dissection: no field, summary
     * or raw line of the output can hold a hidden value.
     *
     * @return what the redaction did, or null when {@code mode} is NONE
     * @throws IllegalArgumentException for an unknown format
     */
    public Redactor.Result export(List<ConnectionLog> connections, SessionMeta meta, String format, RedactMode mode, Writer out)
            throws IOException {
        return export(connections, meta, format, mode, null, out);
    }

    /**
     * As above, showing only the frames {@code show} keeps ({@code dissect --filter}), in every format. Frames
     * are judged as captured, before any redaction (the redacted copy of a kept frame is what is written), with
     * the account they belong to ({@link ConnectionLog#accountOf}); a connection with no kept frame is left out
     * altogether: no header, no transcript narration, no HTML row.
     *
     * @param show the frame and its account; null shows every frame
     */
    public Redactor.Result export(List<ConnectionLog> connections, SessionMeta meta, String format, RedactMode mode,
                                  BiPredicate<Dissection, String> show, Writer out) throws IOException {
        String f = format == null ? "text" : format.toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(f)) {
            throw new IllegalArgumentException("format must be one of " + FORMATS + ", not '" + format + "'");
        }
        String sessionId = meta != null && meta.sessionId() != null ? meta.sessionId() : sessionIdOf(connections);
        SessionMeta m = meta != null ? meta : SessionMeta.offline(sessionId);
        Redactor.Result redacted = null;
        List<ConnectionLog> view = connections;
        if (mode != null && mode != RedactMode.NONE) {
            redacted = new Redactor(dissector.spec(), mode).redact(connections, dissector, sessionId, limits);
            view = redacted.connections();
        }
        if (show != null) {
            view = shown(connections, view, show);
        }
        switch (f) {
            case "jsonl" -> {
                for (ConnectionLog c : view) {
                    for (Dissection d : c.frames()) {
                        // "redacted" is an extra after the contract's keys.
                        boolean noted = redacted != null && !redacted.notes(d).isEmpty();
                        out.write(FrameJson.toLine(d, noted ? java.util.Map.of("redacted", redacted.notes(d)) : java.util.Map.of()));
                        out.write('\n');
                    }
                }
            }
            case "transcript" -> {
                StringBuilder sb = new StringBuilder();
                if (redacted != null) {
                    sb.append("# msnscope export of session ").append(sessionId).append(", redacted (").append(redacted.mode().label())
                            .append("): hidden values are replaced by placeholders such as cookie-1, the same value by the same placeholder\n\n");
                }
                TranscriptWriter w = new TranscriptWriter(sb);
                for (ConnectionLog c : view) {
                    w.connection(c.server());
                    for (Dissection d : c.frames()) {
                        w.frame(d.direction(), d.frame(), d.timeMicros());
                    }
                }
                out.write(sb.toString());
            }
            case "html" -> new HtmlExport().write(view, m, redacted, out);
            default -> {
                TextFormat text = new TextFormat(colour);
                for (ConnectionLog c : view) {
                    out.write(text.connectionHeader(c));
                    out.write('\n');
                    for (Dissection d : c.frames()) {
                        out.write(text.frame(d));
                    }
                }
            }
        }
        out.flush();
        return redacted;
    }

    /**
     * The connections of {@code view} with the frames {@code show} keeps, judged on {@code judged} (the same
     * session before redaction, frame for frame; should the shapes ever differ, on the view itself).
     */
    private static List<ConnectionLog> shown(List<ConnectionLog> judged, List<ConnectionLog> view, BiPredicate<Dissection, String> show) {
        boolean sameShape = judged.size() == view.size();
        for (int i = 0; sameShape && i < view.size(); i++) {
            sameShape = judged.get(i).frames().size() == view.get(i).frames().size();
        }
        List<ConnectionLog> out = new ArrayList<>();
        for (int i = 0; i < view.size(); i++) {
            ConnectionLog by = sameShape ? judged.get(i) : view.get(i);
            List<Dissection> kept = new ArrayList<>();
            for (int k = 0; k < by.frames().size(); k++) {
                Dissection d = by.frames().get(k);
                if (show.test(d, by.accountOf(d))) {
                    kept.add(view.get(i).frames().get(k));
                }
            }
            if (!kept.isEmpty()) {
                out.add(view.get(i).showing(kept));
            }
        }
        return out;
    }

    private static String sessionIdOf(List<ConnectionLog> connections) {
        for (ConnectionLog c : connections) {
            if (!c.frames().isEmpty()) {
                return c.frames().get(0).session();
            }
        }
        return "session";
    }
}

package msnscope.proxy;

import msnscope.wire.Clock;
import msnscope.dissect.Dissection;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.Warning;
import msnscope.dissect.payload.MimePayload;
import msnscope.export.FrameJson;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live console, a {@link ProxyListener}: one line per command as it passes, like {@code mitmdump}.
 *
 * <pre>
 * 20:41:07.219Z  NS c3 alice@example.com  C->S  USR 4 TWN S t=b90ad95a1268439d0b59&amp;p=PPPP…  Passport ticket sent
 * 20:41:07.802Z  NS c3 alice@example.com  S->C  XFR 9 SB m1.escargot.log1p.xyz:1864 CKI 0fc2… => 127.0.0.1:40123  New switchboard …
 * </pre>
 *
 * Times are UTC, marked {@code Z}, as everywhere else msnscope prints or stores a time. Each event is
 * printed once: in {@code text}, connection openings and closes are lines of the console like the
 * commands; {@code jsonl} writes only the dissect contract's frame objects ({@link FrameJson#toMap}, whose
 * {@code rewritten} is the line as forwarded when it differs from {@code raw}) plus the proxy's own
 * connection number {@code conn} and the connection's endpoints: {@code client}, {@code proxy}, {@code server} (as named), {@code upstream} (as
 * connected), so its stream stays pure JSON Lines and the connection events go to the events stream
 * instead. Without frames ({@code --quiet}) only the connection events are printed; with a {@link #filter}
 * only the frames it keeps, and every connection event.
 *
 * <p>Formatting happens on the analysis lane; the lines are written in time order across connections by
 * {@link ConsoleOutput}, which never makes the lane wait.
 */
public final class ConsolePrinter implements ProxyListener, AutoCloseable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final int MAX_TOKEN = 40;

    public enum Format { TEXT, JSONL }

    private final Format format;
    private final boolean colour;
    private final boolean frames;
    private final PrintStream out;
    private final PrintStream events;
    private final ConsoleOutput output;
    /** What the dissector last said of each open connection, for its later lines. */
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private java.util.function.Function<ProxyConnection, Placement> placements = c -> null;
    private volatile java.util.function.Predicate<Dissection> shown = d -> true;

    /** A connection's role and account as the dissector found them, and the time of its last line. */
    private static final class Known {
        FormSpec.Role role;
        String account;
        long lastMicros = Long.MIN_VALUE;
    }

    /**
     * @param frames false: connection events only ({@code --quiet})
     * @param out    the console: every line in {@code text}, the frame objects in {@code jsonl}
     * @param events where connection events go in {@code jsonl} (standard error), as text lines
     */
    public ConsolePrinter(Format format, boolean colour, boolean frames, PrintStream out, PrintStream events) {
        this.format = format;
        this.colour = colour && format == Format.TEXT;
        this.frames = frames;
        this.out = out;
        this.events = format == Format.TEXT ? out : events;
        this.output = new ConsoleOutput(this.events, this.colour ? "1;33" : null);
    }

    @Override
    public boolean wantsFrames() {
        return frames;
    }

    /** Console lines dropped because the terminal could not keep up. */
    public long dropped() {
        return output.dropped();
    }

    @Override
    public void connectionOpened(ProxyConnection c) {
        Known k = known.computeIfAbsent(c.id(), id -> new Known());
        long at = orderedTime(k, c.openedMicros());
        emit(at, events, time(at) + "  " + paint(who(listenerRole(c), c, null), "36") + "  ==  "
                + HostPortText.of(c.client()) + " -> " + HostPortText.of(c.proxy()) + " -> " + c.upstreamName());
    }

    @Override
    public void connectionClosed(ProxyConnection c, String reason) {
        Known k = known.remove(c.id());
        String role = k != null && k.role != null ? k.role.name() : listenerRole(c);
        long at = k == null ? Clock.nowMicros() : orderedTime(k, Clock.nowMicros());
        emit(at, events, time(at) + "  " + paint(who(role, c, k == null ? null : k.account), "36") + "  ==  closed: " + reason);
    }

    /** The role known before the dissector says: the main listener's server is a dispatch or a notification server. */
    private static String listenerRole(ProxyConnection c) {
        return c.referral() == null && c.role() == FormSpec.Role.NS ? "DS/NS" : c.role().name();
    }

    @Override
    public void frame(ProxyConnection c, Dissection d, byte[] forwarded) {
        Known k = known.computeIfAbsent(c.id(), id -> new Known());
        if (d.role() != null) {
            k.role = d.role();
        }
        if (d.account() != null) {
            k.account = d.account();
        }
        if (!frames || !shown.test(d)) {
            return;
        }
        long micros = d.timeMicros() == null ? Clock.nowMicros() : d.timeMicros();
        // Shown with its own time (the one show gives it), sorted by its connection's order.
        emit(orderedTime(k, micros), out, format == Format.JSONL ? json(c, d) : text(c, d, micros));
    }

    /**
     * Where a line sorts: never before an earlier line of its connection, whatever its stamp says (a close
     * is stamped when the lane sees it, a frame with the time of the read it arrived in).
     */
    private static long orderedTime(Known k, long micros) {
        k.lastMicros = Math.max(k.lastMicros, micros);
        return k.lastMicros;
    }

    /** How a connection is named in every text line: role, id, account. */
    private String who(String role, ProxyConnection c, String account) {
        return role + " " + id(c) + (account == null ? "" : " " + account);
    }

    /**
     * The one place the console spells a connection's id: {@code s3/c2}, the ids the store keeps it under
     * when the proxy records ({@link ProxyServer#placement}), so {@code show s3/c2} opens what was printed.
     */
    private String id(ProxyConnection c) {
        Placement p = placements.apply(c);
        return p == null || p.session() == null ? c.id() : p.id();
    }

    /** Where the ids come from; without it, the proxy's own connection numbers. */
    public ConsolePrinter placements(java.util.function.Function<ProxyConnection, Placement> placements) {
        this.placements = placements;
        return this;
    }

    /**
     * Which frames get a line ({@code proxy --filter}); connection lines are always printed. Asked on the
     * analysis lane, after the connection's role and account are noted, never on the relay's path.
     */
    public ConsolePrinter filter(java.util.function.Predicate<Dissection> shown) {
        this.shown = shown;
        return this;
    }

    /** The text line for one frame; {@code micros}: when the read it came in started. */
    private String text(ProxyConnection c, Dissection d, long micros) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(time(micros)).append("  ");
        sb.append(paint(who(d.role() != null ? d.role().name() : c.role().name(), c, d.account()), "36")).append("  ");
        sb.append(paint(d.direction() == Direction.C2S ? "C->S" : "S->C", d.direction() == Direction.C2S ? "32" : "34")).append("  ");
        Frame f = d.frame();
        sb.append(paint(shortLine(f.line()), "1"));
        if (f.hasPayload()) {
            sb.append(" [").append(f.payloadLength()).append(" bytes");
            String ct = MimePayload.headerContentType(f.payload());
            if (ct != null) {
                sb.append(' ').append(ct);
            }
            sb.append(']');
        }
        if (d.rewritten() != null && !msnscope.export.EditText.dropped(d)) {
            sb.append(paint(" => " + rewriteSummary(f, d.rewritten()), "1;35"));
        }
        String edit = msnscope.export.EditText.oneLine(d);
        if (edit != null) {
            sb.append(paint("  [" + edit + "]", "1;35"));
        }
        if (d.summary() != null && !d.summary().isEmpty()) {
            sb.append("  ").append(d.summary());
        }
        if (!d.warnings().isEmpty()) {
            List<String> ws = new ArrayList<>();
            for (Warning w : d.warnings()) {
                ws.add(w.code() + ": " + w.message());
            }
            sb.append("  ").append(paint("! " + String.join("; ", ws), "1;33"));
        }
        return sb.toString();
    }

    /** The contract's object (whose {@code rewritten} is what the other side received) plus the endpoints. */
    String json(ProxyConnection c, Dissection d) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("conn", c.id());
        m.put("client", HostPortText.of(c.client()));
        m.put("proxy", HostPortText.of(c.proxy()));
        m.put("server", c.upstreamName());
        m.put("upstream", c.upstream() == null ? null : HostPortText.of(c.upstream()));
        return FrameJson.toLine(d, m);
    }

    /** Differing tokens as {@code old => new}, e.g. {@code m1.escargot.log1p.xyz:1864 => 127.0.0.1:40123}. */
    static String rewriteSummary(Frame f, String rewritten) {
        String[] before = f.line().split(" ", -1);
        String[] after = rewritten.split(" ", -1);
        List<String> changes = new ArrayList<>();
        for (int i = 0; i < Math.min(before.length, after.length); i++) {
            if (!before[i].equals(after[i])) {
                changes.add(i == before.length - 1 && f.hasPayload() ? "length " + after[i] : after[i]);
            }
        }
        if (f.hasPayload()) {
            changes.add("payload rewritten");
        }
        return changes.isEmpty() ? "(rewritten)" : String.join(" ", changes);
    }

    private static String shortLine(String line) {
        String[] t = line.split(" ", -1);
        StringBuilder sb = new StringBuilder(line.length());
        for (int i = 0; i < t.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(t[i].length() > MAX_TOKEN ? t[i].substring(0, MAX_TOKEN - 8) + "…" : t[i]);
        }
        return sb.toString();
    }

    private static String time(long micros) {
        return TIME.format(Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000));
    }

    private String paint(String s, String code) {
        return colour ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }

    private void emit(long micros, PrintStream to, String line) {
        output.offer(micros, to, line);
    }

    /** Writes what is queued, in time order, and stops the writer thread. */
    @Override
    public void close() {
        output.close();
    }
}

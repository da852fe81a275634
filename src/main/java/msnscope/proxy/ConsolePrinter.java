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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live console, a {@link ProxyListener}: one line per command as it passes, like {@code mitmdump}.
 *
 * <pre>
 * 20:41:07.219  NS c3 alice@example.com  C->S  USR 4 TWN S t=b90ad95a1268439d0b59&amp;p=PPPP…  Passport ticket sent
 * 20:41:07.802  NS c3 alice@example.com  S->C  XFR 9 SB m1.escargot.log1p.xyz:1864 CKI 0fc2… => 127.0.0.1:40123  New switchboard …
 * </pre>
 *
 * {@code jsonl} writes the dissect contract's frame objects ({@link FrameJson#toMap}) plus {@code rewritten}
 * (the line as forwarded, when it differs from {@code raw}) and the connection's endpoints: {@code conn},
 * {@code client}, {@code proxy}, {@code server} (as named), {@code upstream} (as connected).
 *
 * <p>Formatting happens on the event loop (cheap); writing happens on a daemon thread behind a bounded
 * queue, so a slow terminal never slows the relay: when the queue is full, lines are dropped and counted.
 */
public final class ConsolePrinter implements ProxyListener, AutoCloseable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneId.systemDefault());
    private static final int QUEUE = 16_384;
    private static final int MAX_TOKEN = 40;

    public enum Format { TEXT, JSONL }

    private final Format format;
    private final boolean colour;
    private final PrintStream out;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    /** The role the dissector last gave each open connection, for its "closed" line. */
    private final Map<String, FormSpec.Role> roles = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread writer;
    private volatile boolean closing;
    /** The ids a connection's lines carry: the store's when the proxy records ({@link ProxyServer#placement}). */
    private java.util.function.Function<ProxyConnection, Placement> placements = c -> null;

    public ConsolePrinter(Format format, boolean colour, PrintStream out) {
        this.format = format;
        this.colour = colour;
        this.out = out;
        this.writer = new Thread(this::writeLoop, "msnscope-console");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Where the ids of the open and close lines come from (frames carry theirs); the proxy's own ids without it. */
    public ConsolePrinter placements(java.util.function.Function<ProxyConnection, Placement> placements) {
        this.placements = placements;
        return this;
    }

    /** {@code s3/c2}: the connection as {@code show} opens it. */
    private String idOf(ProxyConnection c) {
        Placement p = placements.apply(c);
        return p == null || p.session() == null ? c.id() : p.id();
    }

    @Override
    public void connectionOpened(ProxyConnection c) {
        if (format == Format.TEXT) {
            // The main listener's server is a dispatch or a notification server: only its replies tell which.
            String role = c.referral() == null && c.role() == FormSpec.Role.NS ? "DS/NS" : c.role().name();
            emit(time(c.openedMicros()) + "  " + paint(role + " " + idOf(c), "36") + "  ==  "
                    + HostPortText.of(c.client()) + " -> " + HostPortText.of(c.proxy()) + " -> " + c.upstreamName());
        }
    }

    @Override
    public void connectionClosed(ProxyConnection c, String reason) {
        if (format == Format.TEXT) {
            FormSpec.Role known = roles.remove(c.id());
            emit(time(Clock.nowMicros()) + "  " + paint((known != null ? known : c.role()) + " " + idOf(c), "36") + "  ==  closed: " + reason);
        }
    }

    @Override
    public void frame(ProxyConnection c, Dissection d, byte[] forwarded) {
        // Written only when the role changes (rarely: a relabelled dispatch server): this runs on the relay's thread.
        if (format == Format.TEXT && d.role() != null && roles.get(c.id()) != d.role()) {
            roles.put(c.id(), d.role());
        }
        emit(format == Format.JSONL ? json(c, d, forwarded) : text(c, d, forwarded));
    }

    /** The text line for one frame. */
    String text(ProxyConnection c, Dissection d, byte[] forwarded) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(time(d.timeMicros() == null ? Clock.nowMicros() : d.timeMicros())).append("  ");
        String who = (d.role() != null ? d.role().name() : c.role().name()) + " " + d.session() + "/" + d.stream()
                + (d.account() == null ? "" : " " + d.account());
        sb.append(paint(who, "36")).append("  ");
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
        if (forwarded != null) {
            sb.append(paint(" => " + rewriteSummary(f, forwarded), "1;35"));
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

    String json(ProxyConnection c, Dissection d, byte[] forwarded) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        // What the client received is the contract's own "rewritten" key now, as stored sessions give it.
        d.forwardedAs(forwarded);
        m.put("conn", c.id());
        m.put("client", HostPortText.of(c.client()));
        m.put("proxy", HostPortText.of(c.proxy()));
        m.put("server", c.upstreamName());
        m.put("upstream", c.upstream() == null ? null : HostPortText.of(c.upstream()));
        return FrameJson.toLine(d, m);
    }

    /** Differing tokens as {@code old => new}, e.g. {@code m1.escargot.log1p.xyz:1864 => 127.0.0.1:40123}. */
    static String rewriteSummary(Frame f, byte[] forwarded) {
        int lf = indexOf(forwarded, (byte) '\n');
        int end = lf < 0 ? forwarded.length : (lf > 0 && forwarded[lf - 1] == '\r' ? lf - 1 : lf);
        String[] before = f.line().split(" ", -1);
        String[] after = new String(forwarded, 0, end, StandardCharsets.UTF_8).split(" ", -1);
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

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static String time(long micros) {
        return TIME.format(Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000));
    }

    private String paint(String s, String code) {
        return colour ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }

    private void emit(String line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    private void writeLoop() {
        List<String> batch = new ArrayList<>(256);
        while (!closing || !queue.isEmpty()) {
            try {
                String first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 255);
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    out.println(paint("[console: " + lost + " lines dropped, the terminal could not keep up]", "1;33"));
                }
                for (String l : batch) {
                    out.println(l);
                }
                out.flush();
                batch.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Writes what is queued and stops the writer thread. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

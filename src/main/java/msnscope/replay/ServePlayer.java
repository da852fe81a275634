package msnscope.replay;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import msnscope.capture.Stitcher;
import msnscope.dissect.Dissection;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ReferralSpec;
import msnscope.proxy.HostPortText;
import msnscope.proxy.ProxyConnection;
import msnscope.proxy.Referral;
import msnscope.proxy.WireListener;
import msnscope.wire.Clock;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Plays the servers of a {@link Script} to the clients connected to {@code serve}: which captured connection
 * each client connection is, which captured request each client command is, and which captured server frames
 * may go now. Runs on serve's one event loop only, so it needs no locks.
 *
 * <ul>
 *   <li>A client connection is matched to a captured one by the switchboard cookie of its first line, else by
 *       the account it names as soon as it names one; before that (VER) by its first line: the first unclaimed
 *       captured connection whose first client line is the same (TrIDs aside). When the account named then is
 *       another login's, the connection moves to that login's connection (alice and bob of one capture,
 *       connecting in any order).</li>
 *   <li>A client command is matched to the first unmatched captured client frame of its connection with the
 *       same command; its TrID replaces the captured one in every server frame echoing it.</li>
 *   <li>A captured server frame goes when its request has been matched (a reply), or when every client frame
 *       before it in the capture has ({@link ScriptCausality}); with a speed, after the captured delay from
 *       the client frame it follows. Referrals point at serve.</li>
 * </ul>
 */
final class ServePlayer {

    private static final WireListener NOBODY = new WireListener() { };

    private final Script script;
    private final ServeConfig config;
    private final WireListener recorder;
    private final Consumer<String> console;
    private final EventLoop loop;
    /** The switchboard listener referrals to a switchboard point at; null: the listener the client came in on. */
    private InetSocketAddress switchboards;
    private final ScriptCausality causality;
    private final Map<ScriptConnection, ServedConnection> claims = new IdentityHashMap<>();
    private final Set<ServedConnection> live = new LinkedHashSet<>();
    /** When each matched client frame arrived (nanoTime): the delays of {@code --speed} count from it. */
    private final Map<ScriptFrame, Long> arrivals = new IdentityHashMap<>();
    /** The referrals serve sent, by captured frame: the connection they lead to opens with it (the recorder's stitching). */
    private final Map<ScriptFrame, Referral> referrals = new IdentityHashMap<>();
    private long pendingWake = Long.MAX_VALUE;
    private int connections;
    private long answered;
    private int divergences;

    ServePlayer(Script script, ServeConfig config, WireListener recorder, Consumer<String> console, EventLoop loop) {
        this.script = script;
        this.config = config;
        this.recorder = recorder == null ? NOBODY : recorder;
        this.console = console;
        this.loop = loop;
        this.causality = new ScriptCausality(script);
    }

    int connections() {
        return connections;
    }

    long answered() {
        return answered;
    }

    int divergences() {
        return divergences;
    }

    Set<ServedConnection> live() {
        return live;
    }

    void opened(ServedConnection c) {
        connections++;
        live.add(c);
    }

    void closed(ServedConnection c, String reason) {
        live.remove(c);
        if (c.recorded != null) {
            recorder.connectionClosed(c.recorded, reason);
        }
    }

    void received(ServedConnection c, Frame frame) {
        long micros = Clock.nowMicros();
        Dissection d = c.live.dissect(frame, Direction.C2S, micros);
        if (!c.astray) {
            claim(c, d);
        }
        record(c, frame, micros);
        if (c.astray || c.captured == null || !c.channel.isActive()) {
            return;
        }
        match(c, d);
        pump();
    }

    // ---- which captured connection a client connection plays

    private void claim(ServedConnection c, Dissection d) {
        String account = c.live.account();
        if (c.captured == null) {
            String cookie = Stitcher.opensSwitchboard(d.frame().line()) && d.fields().get("cookie") != null
                    ? d.fields().get("cookie").toString() : null;
            if (cookie != null) {
                ScriptConnection sc = byCookie(cookie, account);
                if (sc == null) {
                    astray(c, d, "the capture has no switchboard with cookie " + cookie + " left to play");
                } else {
                    take(c, sc, false);
                }
            } else if (account != null) {
                ScriptConnection sc = byAccount(account, List.of(d));
                if (sc == null) {
                    astray(c, d, noLogin(account));
                } else {
                    take(c, sc, false);
                }
            } else {
                ScriptConnection sc = byFirstLine(d);
                if (sc == null) {
                    diverge(c, d.frame().line(), "no captured connection left starts with it" + firstLines());
                } else {
                    take(c, sc, true);
                }
            }
            return;
        }
        if (c.provisional && account != null) {
            if (account.equalsIgnoreCase(c.captured.account())) {
                c.provisional = false;
                return;
            }
            List<Dissection> prefix = new ArrayList<>();
            for (ServedConnection.Match m : c.matched) {
                prefix.add(m.captured().dissection());
            }
            prefix.add(d);
            ScriptConnection sc = byAccount(account, prefix);
            if (sc == null) {
                release(c);
                astray(c, d, noLogin(account));
            } else {
                move(c, sc);
            }
        }
    }

    private ScriptConnection byCookie(String cookie, String account) {
        ScriptConnection any = null;
        for (ScriptConnection sc : script.connections()) {
            if (!claims.containsKey(sc) && cookie.equals(sc.cookie())) {
                if (account == null || account.equalsIgnoreCase(sc.account())) {
                    return sc;
                }
                any = any == null ? sc : any;
            }
        }
        return any;
    }

    /** The first unclaimed connection of {@code account} whose client began with the commands of {@code prefix}. */
    private ScriptConnection byAccount(String account, List<Dissection> prefix) {
        for (ScriptConnection sc : script.connections()) {
            if (claims.containsKey(sc) || !account.equalsIgnoreCase(sc.account())) {
                continue;
            }
            List<ScriptFrame> client = sc.clientFrames();
            boolean fits = client.size() >= prefix.size();
            for (int i = 0; fits && i < prefix.size(); i++) {
                fits = Objects.equals(client.get(i).command(), prefix.get(i).command());
            }
            if (fits) {
                return sc;
            }
        }
        return null;
    }

    /** The first unclaimed connection whose first client line is this one: the same bytes, else the same but for the TrID. */
    private ScriptConnection byFirstLine(Dissection d) {
        String line = d.frame().line();
        String key = ServeLine.withoutTrid(d);
        ScriptConnection similar = null;
        for (ScriptConnection sc : script.connections()) {
            ScriptFrame first = sc.firstClientFrame();
            if (claims.containsKey(sc) || first == null) {
                continue;
            }
            if (first.line().equals(line)) {
                return sc;
            }
            if (similar == null && ServeLine.withoutTrid(first.dissection()).equals(key)) {
                similar = sc;
            }
        }
        return similar;
    }

    private void take(ServedConnection c, ScriptConnection sc, boolean provisional) {
        claims.put(sc, c);
        c.captured = sc;
        c.provisional = provisional;
        console.accept(c.id + " from " + HostPortText.of(c.client()) + " plays " + sc.name());
    }

    /** Gives a provisional claim back: what was matched on it is free again for the login it really belongs to. */
    private void release(ServedConnection c) {
        claims.remove(c.captured);
        for (ServedConnection.Match m : c.matched) {
            causality.forget(m.captured());
        }
        c.captured = null;
        c.clearMatches();
        c.trids.clear();
        c.sent.clear();
        c.scanFrom = 0;
    }

    /** The client named another login than the one its first line was taken for: it plays that login's connection. */
    private void move(ServedConnection c, ScriptConnection sc) {
        List<ServedConnection.Match> before = new ArrayList<>(c.matched);
        int sent = c.sent.cardinality();
        release(c);
        claims.put(sc, c);
        c.captured = sc;
        c.provisional = false;
        List<ScriptFrame> client = sc.clientFrames();
        for (int i = 0; i < before.size(); i++) {
            matched(c, client.get(i), before.get(i).trid(), arrivals.getOrDefault(before.get(i).captured(), System.nanoTime()));
        }
        // What was already answered was answered alike: the same commands, replied to in the same order.
        List<ScriptFrame> frames = sc.frames();
        for (int i = 0; i < frames.size() && sent > 0; i++) {
            if (!frames.get(i).fromClient()) {
                c.sent.set(i);
                sent--;
            }
        }
        console.accept(c.id + " named " + sc.account() + ": plays " + sc.name() + " instead");
    }

    private String noLogin(String account) {
        Set<String> accounts = new LinkedHashSet<>();
        for (ScriptLogin l : script.logins()) {
            if (l.account() != null) {
                accounts.add(l.account());
            }
        }
        boolean known = accounts.stream().anyMatch(account::equalsIgnoreCase);
        return known ? "every captured connection of " + account + " that starts this way is taken"
                : "the capture has no login of " + account + " (it has " + (accounts.isEmpty() ? "none" : String.join(", ", accounts)) + ")";
    }

    private String firstLines() {
        Set<String> lines = new LinkedHashSet<>();
        for (ScriptConnection sc : script.connections()) {
            ScriptFrame first = sc.firstClientFrame();
            if (!claims.containsKey(sc) && first != null) {
                lines.add("'" + ServeDivergence.shorten(first.line()) + "'");
            }
        }
        return lines.isEmpty() ? " (every captured connection is taken)" : " (those left start with " + String.join(", ", lines) + ")";
    }

    // ---- which captured request a client command is

    private void match(ServedConnection c, Dissection d) {
        List<ScriptFrame> frames = c.captured.frames();
        ScriptFrame next = null;
        // Before scanFrom every client frame is matched already.
        for (ScriptFrame f : frames.subList(Math.min(c.scanFrom, frames.size()), frames.size())) {
            if (!f.fromClient() || c.matched(f)) {
                continue;
            }
            if (next == null) {
                next = f;
            }
            if (d.command() != null && d.command().equals(f.command())) {
                matched(c, f, d.trid(), System.nanoTime());
                return;
            }
        }
        diverge(c, d.frame().line(), next == null ? "the capture has no more client commands on this connection"
                : "the capture has '" + ServeDivergence.shorten(next.line()) + "' next");
    }

    private void matched(ServedConnection c, ScriptFrame f, Long trid, long nanos) {
        c.addMatch(f, trid);
        if (f.trid() != null && trid != null) {
            c.trids.put(f.trid(), trid);
        }
        arrivals.put(f, nanos);
        causality.happened(f);
    }

    private void diverge(ServedConnection c, String sent, String instead) {
        divergences++;
        console.accept(new ServeDivergence(c.name(), sent, instead).line());
        if (config.onDivergence() == ServeConfig.OnDivergence.CLOSE) {
            c.closing = "closed after a divergence";
            c.channel.close();
        }
    }

    private void astray(ServedConnection c, Dissection d, String instead) {
        c.astray = true;
        diverge(c, d.frame().line(), instead);
    }

    // ---- which captured server frames go now

    /** Sends every captured server frame that may go now, on every connection; wakes itself for the next one due. */
    void pump() {
        long now = System.nanoTime();
        long wake = Long.MAX_VALUE;
        for (ServedConnection c : List.copyOf(live)) {
            if (c.captured == null || c.astray || !c.channel.isActive()) {
                continue;
            }
            List<ScriptFrame> frames = c.captured.frames();
            // Everything before scanFrom is done (client frames received, server frames sent): each pump starts
            // there, so a long capture costs each request the frames still open, not the whole connection.
            int from = c.scanFrom;
            while (from < frames.size() && (frames.get(from).fromClient() ? causality.hasHappened(frames.get(from)) : c.sent.get(from))) {
                from++;
            }
            c.scanFrom = from;
            int clientSoFar = from;
            while (clientSoFar < frames.size() && (!frames.get(clientSoFar).fromClient() || causality.hasHappened(frames.get(clientSoFar)))) {
                clientSoFar++;
            }
            List<WireListener.WireFrame> batch = new ArrayList<>();
            List<Frame> wire = new ArrayList<>();
            for (int i = c.sent.nextClearBit(from); i < frames.size(); i = c.sent.nextClearBit(i + 1)) {
                ScriptFrame f = frames.get(i);
                if (f.fromClient()) {
                    continue;
                }
                if (!mayGo(f, i < clientSoFar)) {
                    if (i > clientSoFar) {
                        // Nothing later on this connection may go either: its replies wait for that client frame,
                        // and every other frame waits for at least what this one waits for.
                        break;
                    }
                    continue;
                }
                long due = due(f, now);
                if (due > now) {
                    wake = Math.min(wake, due);
                    break;
                }
                c.sent.set(i);
                send(c, f, batch, wire);
            }
            if (!batch.isEmpty()) {
                recorder.frames(c.recorded, batch);
                recorder.beforeForward();
                for (Frame w : wire) {
                    c.channel.write(Unpooled.wrappedBuffer(w.copyBytes()));
                }
                c.channel.flush();
                answered += batch.size();
            }
        }
        if (wake != Long.MAX_VALUE && wake < pendingWake) {
            pendingWake = wake;
            loop.schedule(() -> {
                pendingWake = Long.MAX_VALUE;
                pump();
            }, Math.max(0, wake - now), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Any server frame once every client frame before it in the capture was matched; a reply already once those of
     * its own connection were ({@code connectionSoFar}), so one client is not held up by another that is slower
     * than the captured one, and a reply never overtakes a request its connection sent before it.
     */
    private boolean mayGo(ScriptFrame f, boolean connectionSoFar) {
        return f.request() != null && connectionSoFar || causality.ready(f);
    }

    /** When {@code f} is due (nanoTime): now, or with a speed the captured delay after the client frame it follows. */
    private long due(ScriptFrame f, long now) {
        if (config.speed() == 0 || f.timeMicros() == null) {
            return now;
        }
        ScriptFrame anchor = null;
        List<ScriptFrame> before = script.before(f);
        for (ScriptFrame candidate : new ScriptFrame[] {before.isEmpty() ? null : before.get(before.size() - 1), f.request()}) {
            if (candidate != null && arrivals.containsKey(candidate) && (anchor == null || candidate.order() > anchor.order())) {
                anchor = candidate;
            }
        }
        if (anchor == null || anchor.timeMicros() == null || f.timeMicros() <= anchor.timeMicros()) {
            return now;
        }
        return arrivals.get(anchor) + (long) ((f.timeMicros() - anchor.timeMicros()) * 1000 / config.speed());
    }

    private void send(ServedConnection c, ScriptFrame f, List<WireListener.WireFrame> batch, List<Frame> wire) {
        long micros = Clock.nowMicros();
        Frame out = ServeLine.withTrid(f, f.trid() == null ? null : c.trids.get(f.trid()));
        InetSocketAddress to = switchboards != null && isSwitchboardReferral(f) ? switchboards : c.local();
        String self = HostPortText.address(to.getAddress()) + ":" + to.getPort();
        Frame referred = ServeLine.referredTo(f, out, self);
        if (referred != null) {
            Referral r = referral(c, f, out, self, micros);
            referrals.put(f, r);
            recorder.referral(c.recorded, r);
        }
        batch.add(new WireListener.WireFrame(out, Direction.S2C, micros, referred == null ? null : referred.copyBytes()));
        Frame sent = referred == null ? out : referred;
        wire.add(sent);
        // The client's dissector sees what the client sees: the version for its payloads, the cookies for its switchboards.
        c.live.dissect(sent, Direction.S2C, micros);
    }

    /** Referrals to a switchboard ({@code XFR SB}, {@code RNG}) point at serve's switchboard listener. */
    void switchboards(InetSocketAddress address) {
        this.switchboards = address;
    }

    private static boolean isSwitchboardReferral(ScriptFrame f) {
        FormSpec form = f.dissection().form();
        return form != null && form.referral() != null && "SB".equals(form.referral().kind());
    }

    private static Referral referral(ServedConnection c, ScriptFrame f, Frame out, String self, long micros) {
        FormSpec form = f.dissection().form();
        ReferralSpec spec = form.referral();
        FormSpec.Binding b = form.bind(Frame.split(out.line()), 1);
        return new Referral(spec.kind(), c.id, c.account, ServeLine.referralAddress(f), self,
                spec.cookie() == null ? null : b.token(spec.cookie()), spec.session() == null ? null : b.token(spec.session()),
                out.line(), micros);
    }

    // ---- recording

    private void record(ServedConnection c, Frame frame, long micros) {
        if (c.recorded == null) {
            ScriptConnection sc = c.captured;
            boolean sb = sc != null ? sc.role() == FormSpec.Role.SB : Stitcher.opensSwitchboard(frame.line());
            Referral via = sc == null || sc.referral() == null ? null : referrals.get(sc.referral());
            c.recorded = new ProxyConnection(c.id, sb ? FormSpec.Role.SB : FormSpec.Role.NS, c.client(), c.local(),
                    sc == null ? null : sc.server(), null, via, c.openedMicros);
            recorder.connectionOpened(c.recorded);
        }
        recorder.frames(c.recorded, List.of(new WireListener.WireFrame(frame, Direction.C2S, micros, null)));
        recorder.beforeForward();
        String account = c.live.account();
        if (account != null && !account.equals(c.account)) {
            c.account = account;
            recorder.account(c.recorded, account);
        }
    }
}

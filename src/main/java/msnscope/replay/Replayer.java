package msnscope.replay;

import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.proxy.HostPort;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plays the clients of a {@link Script} against a live server ({@code msnscope replay}). Each source plays on
 * a thread of its own, its client frames in captured order, each once every server frame before it in the
 * capture has arrived live ({@link ScriptCausality}), or none has arrived for {@code timeout} (then the missing
 * ones are given up and show as unanswered). Captured connections map to live ones: the first of a login
 * dials the upstream, the others the address the live server's own referral ({@code XFR NS}, {@code XFR SB},
 * {@code RNG}) named. Each live server frame is matched to a captured one of its connection by command (a
 * reply to the request it answers, else the next of that command the server sent on its own) and compared.
 */
public final class Replayer {

    private final Script script;
    private final Dissector dissector;
    private final HostPort upstream;
    private final Duration timeout;
    private final ReplayCarry carry;
    private final ReplayRewrite rewrite;
    private final ScriptCausality causality;

    private final Map<ScriptFrame, ReportEntry> entries = new LinkedHashMap<>();
    /** Captured server frame -> the client frame whose entry it belongs to. */
    private final Map<ScriptFrame, ScriptFrame> groupOf = new IdentityHashMap<>();
    private final Map<ScriptConnection, ReplayConnection> live = new IdentityHashMap<>();
    /** Captured connections that could not be played, with why. */
    private final Map<ScriptConnection, String> failed = new IdentityHashMap<>();
    /** Per captured connection, per command: its server frames no live frame has been matched to yet, in order. */
    private final Map<ScriptConnection, Map<String, List<ScriptFrame>>> unmatched = new IdentityHashMap<>();
    private final Map<ScriptFrame, Dissection> liveOf = new IdentityHashMap<>();
    private final Map<ReplayConnection, Map<Integer, ScriptFrame>> requestsBySeq = new IdentityHashMap<>();
    private final Map<ReplayConnection, ScriptFrame> lastSent = new IdentityHashMap<>();
    private final Map<ScriptLogin, SessionContext> sessions = new IdentityHashMap<>();
    /** Bumped on every live frame and every end of a connection: "something happened" for the waits. */
    private long progress;

    public Replayer(Script script, Dissector dissector, LoginResponder logins, HostPort upstream, Duration timeout) {
        this.script = script;
        this.dissector = dissector;
        this.upstream = upstream;
        this.timeout = timeout;
        this.carry = new ReplayCarry(dissector.spec().volatility());
        this.rewrite = new ReplayRewrite(carry, logins);
        this.causality = new ScriptCausality(script);
        for (ScriptFrame f : script.frames()) {
            if (f.fromClient()) {
                ScriptConnection c = f.connection();
                String account = c.account() != null ? c.account() : c.login().account();
                entries.put(f, new ReportEntry(account == null ? "(no account)" : account, c.name(), f.dissection()));
            }
        }
        for (ScriptConnection c : script.connections()) {
            ScriptFrame current = c.firstClientFrame();
            for (ScriptFrame f : c.frames()) {
                if (f.fromClient()) {
                    current = f;
                } else if (current != null) {
                    ScriptFrame group = f.request() != null ? f.request() : current;
                    groupOf.put(f, group);
                    entries.get(group).expect(f.dissection());
                }
                if (!f.fromClient() && f.command() != null) {
                    unmatched.computeIfAbsent(c, k -> new HashMap<>()).computeIfAbsent(f.command(), k -> new java.util.LinkedList<>()).add(f);
                }
            }
        }
    }

    /** Plays every source (in parallel), then closes every live connection. */
    public ReplayReport run() throws InterruptedException, ReplayException {
        Set<String> sources = new LinkedHashSet<>();
        script.frames().forEach(f -> sources.add(f.source()));
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (String source : sources) {
            Thread t = new Thread(() -> {
                try {
                    play(source);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | Error e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "replay " + source);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        try {
            for (Thread t : threads) {
                t.join();
            }
        } finally {
            List<ReplayConnection> all;
            synchronized (this) {
                all = new ArrayList<>(live.values());
            }
            for (ReplayConnection c : all) {
                c.close();
            }
            for (ReplayConnection c : all) {
                c.join(Duration.ofSeconds(1));
            }
        }
        if (!failures.isEmpty()) {
            Throwable t = failures.get(0);
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
        synchronized (this) {
            if (live.isEmpty() && !failed.isEmpty()) {
                // Nothing reached the server: one line says why, not a report of every request unanswered.
                String first = script.connections().stream().map(failed::get).filter(java.util.Objects::nonNull).findFirst().orElse("");
                throw new ReplayException(first.replaceFirst("^not sent: ", ""));
            }
        }
        return report();
    }

    /**
     * The report as it stands: every request so far with what came back, the others unanswered. What
     * {@link #run} returns at the end, and what an interrupted replay prints.
     */
    public synchronized ReplayReport report() {
        return new ReplayReport(new ArrayList<>(entries.values()));
    }

    private void play(String source) throws InterruptedException {
        List<ScriptFrame> client = script.frames(source, true);
        for (ScriptFrame f : client) {
            awaitTurn(f);
            closeFinished(source, f.order());
            send(f);
        }
        awaitServerFrames(source);
    }

    /** Waits until the causal rule lets {@code f} go, giving up what the live server will not send. */
    private synchronized void awaitTurn(ScriptFrame f) throws InterruptedException {
        long seen = progress;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!causality.ready(f)) {
            for (ScriptFrame m : causality.missing(f)) {
                if (gone(m.connection())) {
                    causality.happened(m);
                }
            }
            if (causality.ready(f)) {
                break;
            }
            if (progress != seen) {
                seen = progress;
                deadline = System.nanoTime() + timeout.toNanos();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                causality.missing(f).forEach(causality::happened);
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** After the last client frame: waits for the server frames still due, as long as frames keep arriving. */
    private synchronized void awaitServerFrames(String source) throws InterruptedException {
        long seen = progress;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            boolean due = false;
            for (ScriptFrame s : script.frames(source, false)) {
                if (!causality.hasHappened(s) && !gone(s.connection())) {
                    due = true;
                    break;
                }
            }
            if (!due) {
                return;
            }
            if (progress != seen) {
                seen = progress;
                deadline = System.nanoTime() + timeout.toNanos();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /**
     * A captured connection whose live counterpart can send nothing more: it failed, it ended, or it will
     * never be opened (the capture has no client frame on it, only server bytes).
     */
    private boolean gone(ScriptConnection c) {
        ReplayConnection l = live.get(c);
        return failed.containsKey(c) || l != null && l.ended() || l == null && c.firstClientFrame() == null;
    }

    /** Closes the live connections whose captured ones have no frame left at or after {@code order}. */
    private void closeFinished(String source, int order) {
        List<ReplayConnection> done = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<ScriptConnection, ReplayConnection> e : live.entrySet()) {
                List<ScriptFrame> frames = e.getKey().frames();
                if (e.getKey().source().equals(source) && !e.getValue().ended() && frames.get(frames.size() - 1).order() < order) {
                    done.add(e.getValue());
                }
            }
        }
        done.forEach(ReplayConnection::close);
    }

    private void send(ScriptFrame f) {
        ReportEntry entry = entries.get(f);
        ReplayConnection conn = connectionFor(f.connection());
        if (conn == null) {
            synchronized (this) {
                entry.note(failed.get(f.connection()));
            }
            return;
        }
        ReplayRewrite.Outgoing out = rewrite.rewrite(f, conn);
        if (out.note() != null) {
            entry.note(out.note());
        }
        Dissection sent = conn.dissectOutgoing(out.frame());
        synchronized (this) {
            requestsBySeq.computeIfAbsent(conn, k -> new HashMap<>()).put(sent.seq(), f);
            lastSent.put(conn, f);
            entry.sent(out.line());
        }
        try {
            // Not under this lock: the reader needs it for every frame the server sends meanwhile.
            conn.write(out.frame());
        } catch (IOException e) {
            synchronized (this) {
                entry.sent(null);
                entry.note("not sent: " + (conn.endReason() != null ? conn.endReason() : "the connection failed (" + e.getMessage() + ")"));
                failed.putIfAbsent(f.connection(), "not sent: the live connection failed");
                progress++;
                notifyAll();
            }
        }
    }

    /** The live connection of a captured one, opened on its first frame; null (with the reason in {@link #failed}) when there is none. */
    private ReplayConnection connectionFor(ScriptConnection c) {
        HostPort address;
        synchronized (this) {
            ReplayConnection existing = live.get(c);
            if (existing != null) {
                if (existing.ended()) {
                    failed.putIfAbsent(c, "not sent: the live connection was " + (existing.endReason() == null ? "closed" : existing.endReason()));
                    return null;
                }
                return existing;
            }
            if (failed.containsKey(c)) {
                return null;
            }
            address = addressOf(c);
            if (address == null) {
                progress++;
                notifyAll();
                return null;
            }
        }
        SessionContext session;
        synchronized (this) {
            session = sessions.computeIfAbsent(c.login(), l -> new SessionContext("replay"));
        }
        try {
            ReplayConnection conn = ReplayConnection.open(c, address, dissector.stream(session, c.id(), c.role()), timeout,
                    d -> arrived(c, d), this::ended);
            synchronized (this) {
                live.put(c, conn);
            }
            conn.start();
            return conn;
        } catch (IOException e) {
            synchronized (this) {
                String why = e instanceof java.net.UnknownHostException ? "unknown host" : e.getMessage() == null ? "no answer" : e.getMessage();
                failed.put(c, "not sent: cannot connect to " + address + " (" + why + ")");
                progress++;
                notifyAll();
            }
            return null;
        }
    }

    /** Where the live counterpart of {@code c} is: the upstream for a first connection, else the live referral's address. */
    private HostPort addressOf(ScriptConnection c) {
        ScriptFrame referral = c.referral();
        if (referral == null) {
            return upstream;
        }
        Dissection liveReferral = liveOf.get(referral);
        if (liveReferral == null) {
            failed.put(c, "not sent: the live server sent no referral here (the capture had " + referral.line() + ")");
            return null;
        }
        Object ref = liveReferral.fields().get("referral");
        String address = ref instanceof Map<?, ?> m && m.get("address") != null ? m.get("address").toString() : null;
        HostPort hp = "0".equals(address) ? upstream : HostPort.tryParse(address);
        if (hp == null) {
            failed.put(c, "not sent: the live referral " + liveReferral.frame().line() + " names no address");
        }
        return hp;
    }

    /** A live server frame: matched to the captured one it stands for, compared, and the waits woken. */
    private synchronized void arrived(ScriptConnection c, Dissection d) {
        ReplayConnection conn = live.get(c);
        Map<Integer, ScriptFrame> requests = conn == null ? Map.of() : requestsBySeq.getOrDefault(conn, Map.of());
        ScriptFrame request = d.replyTo() == null ? null : requests.get(d.replyTo());
        ScriptFrame match = null;
        List<ScriptFrame> candidates = d.command() == null ? List.of() : unmatched.getOrDefault(c, Map.of()).getOrDefault(d.command(), List.of());
        for (ScriptFrame s : candidates) {
            if (request != null ? groupOf.get(s) == request : s.request() == null) {
                match = s;
                break;
            }
        }
        if (match != null) {
            candidates.remove(match);
            causality.happened(match);
            liveOf.put(match, d);
            carry.learn(match.source(), match.dissection(), d);
            entries.get(groupOf.get(match)).matched(match.dissection(), d, dissector.spec().volatility());
        } else {
            ScriptFrame owner = request != null ? request : conn == null ? null : lastSent.get(conn);
            if (owner == null) {
                owner = c.firstClientFrame();
            }
            if (owner != null) {
                entries.get(owner).liveOnly(d);
            }
        }
        progress++;
        notifyAll();
    }

    private synchronized void ended() {
        progress++;
        notifyAll();
    }
}

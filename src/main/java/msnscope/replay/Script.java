package msnscope.replay;

import msnscope.capture.CaptureStore;
import msnscope.capture.Importer;
import msnscope.capture.PcapImport;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.pcap.PcapFormatException;
import msnscope.pcap.PcapReader;
import msnscope.pcap.ProgressListener;
import msnscope.transcript.TranscriptException;
import msnscope.transcript.TranscriptReader;
import msnscope.wire.FramerLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.stream.Stream;

/**
 * A capture as something to play: the shared model of {@code msnscope serve} (which plays its servers) and
 * {@code msnscope replay} (which plays its clients).
 *
 * <p><b>Loading.</b> {@link #load} takes capture files of every format {@code import} reads (wiki transcript,
 * pcap/pcapng, msnscope JSON Lines), {@link Builder#stored} a session of a capture store ({@code --from DIR ID}).
 * Files go through the {@link Importer} into a temporary store that is deleted afterwards, so every source is
 * framed, dissected and split into connections by exactly the code {@code import} and {@code show} use (one
 * reader per format, no second parser). Frames are the bytes as they crossed the wire: for a proxied session
 * the server's original referral, not what the proxy rewrote.
 *
 * <p><b>The model.</b> {@link #logins()} (one per source and account: {@link ScriptLogin}) hold
 * {@link #connections()} ({@link ScriptConnection}: role, captured server address, account, the referral
 * frame that led there, the switchboard cookie) which hold {@link ScriptFrame}s (direction, time or null,
 * order, line, bytes, payload, {@link Dissection}, request/replies pairing).
 *
 * <p><b>Order and the causal rule.</b> {@link #frames()} is the global order: within a source, by time when
 * every frame has one (a merge: each connection keeps its own order), else in file order (connections one
 * after another, as a transcript writes them); sources one after another. Sources are independent of each
 * other. {@link #before(ScriptFrame)} gives, for a server frame, the client frames (any connection of its
 * source) that precede it, and for a client frame the server frames that precede it; {@link ScriptCausality}
 * tracks which have happened and says when a frame may go.
 *
 * <p>Immutable once built; safe to share between threads.
 */
public final class Script {

    private final List<ScriptLogin> logins;
    private final List<ScriptConnection> connections;
    private final List<ScriptFrame> frames;
    private final List<String> problems;
    /** Per source, per direction (0 client, 1 server): its frames in global order. */
    private final Map<String, List<List<ScriptFrame>>> byDirection;

    private Script(List<ScriptLogin> logins, List<ScriptConnection> connections, List<ScriptFrame> frames, List<String> problems,
                   Map<String, List<List<ScriptFrame>>> byDirection) {
        this.logins = List.copyOf(logins);
        this.connections = List.copyOf(connections);
        this.frames = List.copyOf(frames);
        this.problems = List.copyOf(problems);
        this.byDirection = byDirection;
    }

    /** Loads capture files (transcript, pcap/pcapng, JSON Lines) as one script, each file a source of its own. */
    public static Script load(List<Path> sources, Dissector dissector, FramerLimits limits) throws ScriptException {
        Builder b = builder(dissector, limits);
        for (Path p : sources) {
            b.file(p);
        }
        return b.build();
    }

    public static Builder builder(Dissector dissector, FramerLimits limits) {
        return new Builder(dissector, limits);
    }

    /** Every login, source by source, in order of first frame. */
    public List<ScriptLogin> logins() {
        return logins;
    }

    /** Every connection, source by source, in order of first frame. */
    public List<ScriptConnection> connections() {
        return connections;
    }

    /** Every frame in the global order ({@link ScriptFrame#order()} is the index here). */
    public List<ScriptFrame> frames() {
        return frames;
    }

    /** What a source could not give (a capture cut short, bytes missing, damage), one line each; the rest still plays. */
    public List<String> problems() {
        return problems;
    }

    /**
     * The causal rule: for a server frame, the client frames of its source that come before it (on any
     * connection); for a client frame, the server frames that come before it. In global order.
     */
    public List<ScriptFrame> before(ScriptFrame f) {
        return opposite(f).subList(0, f.waitsFor());
    }

    /** The frames of {@code source} sent by the client ({@code fromClient}) or the server, in global order. */
    public List<ScriptFrame> frames(String source, boolean fromClient) {
        List<List<ScriptFrame>> d = byDirection.get(source);
        return d == null ? List.of() : Collections.unmodifiableList(d.get(fromClient ? 0 : 1));
    }

    List<ScriptFrame> opposite(ScriptFrame f) {
        return Collections.unmodifiableList(byDirection.get(f.source()).get(f.fromClient() ? 1 : 0));
    }

    /** Collects sources, then {@link #build()}s the script. */
    public static final class Builder {
        private final Dissector dissector;
        private final FramerLimits limits;
        private final List<Source> sources = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();

        private Builder(Dissector dissector, FramerLimits limits) {
            this.dissector = dissector;
            this.limits = limits;
        }

        /** A capture file; its name as given names the source. */
        public Builder file(Path file) throws ScriptException {
            String name = file.toString();
            if (!Files.exists(file)) {
                throw new ScriptException("cannot read " + name + ": no such file");
            }
            if (Files.isDirectory(file)) {
                throw new ScriptException("cannot read " + name + ": it is a directory");
            }
            Path temp;
            try {
                temp = Files.createTempDirectory("msnscope-script");
            } catch (IOException e) {
                throw new ScriptException("cannot read " + name + ": no room for a temporary store (" + e.getMessage() + ")");
            }
            try {
                CaptureStore store = new CaptureStore(temp);
                List<String> ids = importInto(store, file, name);
                List<CaptureStore.Loaded> loaded = new ArrayList<>();
                for (String id : ids) {
                    loaded.add(store.load(id, dissector, limits));
                }
                for (String note : store.notes().drain()) {
                    problems.add(name + ": " + note);
                }
                add(name, loaded);
            } finally {
                deleteQuietly(temp);
            }
            return this;
        }

        /** A session of a capture store ({@code --from DIR ID}); the session id names the source. */
        public Builder stored(CaptureStore store, String session) throws ScriptException {
            if (!store.exists(session)) {
                throw new ScriptException("no session " + session + " in " + store.root() + " (see msnscope sessions)");
            }
            CaptureStore.Loaded loaded = store.load(session, dissector, limits);
            for (String note : store.notes().drain()) {
                problems.add(session + ": " + note);
            }
            add(session, List.of(loaded));
            return this;
        }

        private List<String> importInto(CaptureStore store, Path file, String name) throws ScriptException {
            Importer importer = new Importer(store, dissector, limits);
            try {
                byte[] head;
                try (InputStream in = Files.newInputStream(file)) {
                    head = in.readNBytes(4);
                }
                if (PcapReader.isCapture(head)) {
                    PcapImport.Report r = PcapImport.run(importer, file, ProgressListener.NONE);
                    for (String p : r.problems()) {
                        problems.add(name + ": " + p);
                    }
                    return r.sessions();
                }
                String text = Files.readString(file, StandardCharsets.UTF_8);
                if (text.stripLeading().startsWith("{")) {
                    return importer.jsonl(text, name);
                }
                if (!TranscriptReader.looksLikeTranscript(text)) {
                    throw new ScriptException(name + " is not a transcript, an msnscope jsonl export or a pcap/pcapng capture");
                }
                return importer.transcript(text, name);
            } catch (PcapFormatException e) {
                throw new ScriptException(name + ": " + e.getMessage());
            } catch (TranscriptException e) {
                throw new ScriptException(name + " " + e.getMessage());
            } catch (java.nio.charset.MalformedInputException e) {
                throw new ScriptException(name + " is not a transcript, an msnscope jsonl export or a pcap/pcapng capture");
            } catch (IOException | UncheckedIOException e) {
                throw new ScriptException("cannot read " + name + ": " + (e.getMessage() == null ? "read error" : e.getMessage()));
            } catch (RuntimeException e) {
                // A JSON Lines value the contract does not allow (bad base64, a "dir" of "sideways").
                throw new ScriptException(name + " is not a valid msnscope export (" + e.getMessage() + ")");
            }
        }

        private void add(String name, List<CaptureStore.Loaded> loaded) throws ScriptException {
            for (Source s : sources) {
                if (s.name.equals(name)) {
                    throw new ScriptException(name + " is given twice");
                }
            }
            List<ConnectionLog> logs = new ArrayList<>();
            for (CaptureStore.Loaded l : loaded) {
                for (ConnectionLog c : l.connections()) {
                    if (!c.frames().isEmpty()) {
                        logs.add(c);
                    }
                }
            }
            if (logs.isEmpty()) {
                throw new ScriptException(name + " holds no MSNP frame to play");
            }
            sources.add(new Source(name, logs));
        }

        public Script build() throws ScriptException {
            if (sources.isEmpty()) {
                throw new ScriptException("no source given");
            }
            List<ScriptLogin> logins = new ArrayList<>();
            List<ScriptConnection> connections = new ArrayList<>();
            List<ScriptFrame> frames = new ArrayList<>();
            Map<String, List<List<ScriptFrame>>> byDirection = new LinkedHashMap<>();
            for (Source s : sources) {
                s.build(logins, connections, frames, byDirection);
            }
            return new Script(logins, connections, frames, problems, byDirection);
        }
    }

    /** One source's dissected connections, turned into the model. */
    private record Source(String name, List<ConnectionLog> logs) {

        void build(List<ScriptLogin> logins, List<ScriptConnection> connections, List<ScriptFrame> all,
                   Map<String, List<List<ScriptFrame>>> byDirection) {
            List<Dissection> order = globalOrder(logs);
            Map<Dissection, ConnectionLog> owner = new java.util.IdentityHashMap<>();
            for (ConnectionLog l : logs) {
                for (Dissection d : l.frames()) {
                    owner.put(d, l);
                }
            }
            Map<ConnectionLog, ScriptConnection> conns = new java.util.IdentityHashMap<>();
            List<ScriptConnection> mine = new ArrayList<>();
            List<ScriptFrame> client = new ArrayList<>();
            List<ScriptFrame> server = new ArrayList<>();
            for (Dissection d : order) {
                ConnectionLog log = owner.get(d);
                ScriptConnection c = conns.computeIfAbsent(log, l -> {
                    ScriptConnection sc = new ScriptConnection(name, "c" + (mine.size() + 1), l.role(), l.server(), l.account());
                    mine.add(sc);
                    return sc;
                });
                ScriptFrame f = new ScriptFrame(c, d);
                f.order = all.size();
                List<ScriptFrame> same = f.fromClient() ? client : server;
                f.rank = same.size();
                f.waitsFor = (f.fromClient() ? server : client).size();
                same.add(f);
                all.add(f);
                c.frames.add(f);
            }
            byDirection.put(name, List.of(client, server));
            for (ScriptConnection c : mine) {
                pair(c);
                ScriptFrame first = c.firstClientFrame();
                if (c.role() == msnscope.dissect.spec.FormSpec.Role.SB && first != null && first.dissection().fields().get("cookie") != null) {
                    c.cookie = first.dissection().fields().get("cookie").toString();
                }
            }
            for (ScriptConnection c : mine) {
                c.referral = referral(c, server);
            }
            Map<String, ScriptLogin> byAccount = new LinkedHashMap<>();
            for (ScriptConnection c : mine) {
                String key = c.account() == null ? "" : c.account().toLowerCase(Locale.ROOT);
                ScriptLogin login = byAccount.computeIfAbsent(key, k -> {
                    ScriptLogin l = new ScriptLogin(name, c.account());
                    logins.add(l);
                    return l;
                });
                login.connections.add(c);
                c.login = login;
            }
            connections.addAll(mine);
        }

        /** Requests and their replies, as the dissector paired them ({@link Dissection#replyTo()}). */
        private static void pair(ScriptConnection c) {
            Map<Integer, ScriptFrame> bySeq = new HashMap<>();
            for (ScriptFrame f : c.frames) {
                bySeq.put(f.seq(), f);
                Integer to = f.dissection().replyTo();
                ScriptFrame request = to == null || f.fromClient() ? null : bySeq.get(to);
                if (request != null && request.fromClient()) {
                    f.request = request;
                    request.replies.add(f);
                }
            }
        }

        /**
         * The server frame whose referral sent the client to {@code c}: the one that handed out its cookie, else
         * the last {@code XFR NS} to its address before it (of the same account when one is).
         */
        private static ScriptFrame referral(ScriptConnection c, List<ScriptFrame> server) {
            int first = c.frames.get(0).order();
            ScriptFrame found = null;
            for (ScriptFrame f : server) {
                if (f.connection() == c || !(f.dissection().fields().get("referral") instanceof Map<?, ?> ref)) {
                    continue;
                }
                if (c.cookie() != null) {
                    if (c.cookie().equals(ref.get("cookie"))) {
                        return f;
                    }
                    continue;
                }
                if (f.order() < first && "NS".equals(ref.get("kind")) && c.server() != null
                        && c.server().equalsIgnoreCase(String.valueOf(ref.get("address")))
                        && (c.account() == null || f.connection().account() == null || c.account().equalsIgnoreCase(f.connection().account()))) {
                    found = f;
                }
            }
            return found;
        }

        /**
         * By time when every frame has one, merged so each connection keeps its own order (equal times: the
         * earlier connection first); else connection after connection, as the source lists them.
         */
        private static List<Dissection> globalOrder(List<ConnectionLog> logs) {
            List<Dissection> out = new ArrayList<>();
            boolean timed = logs.stream().allMatch(l -> l.frames().stream().allMatch(d -> d.timeMicros() != null));
            if (!timed) {
                for (ConnectionLog l : logs) {
                    out.addAll(l.frames());
                }
                return out;
            }
            PriorityQueue<int[]> next = new PriorityQueue<>(Comparator.<int[]>comparingLong(at -> logs.get(at[0]).frames().get(at[1]).timeMicros())
                    .thenComparingInt(at -> at[0]));
            for (int c = 0; c < logs.size(); c++) {
                next.add(new int[] {c, 0});
            }
            while (!next.isEmpty()) {
                int[] at = next.poll();
                out.add(logs.get(at[0]).frames().get(at[1]));
                if (at[1] + 1 < logs.get(at[0]).frames().size()) {
                    next.add(new int[] {at[0], at[1] + 1});
                }
            }
            return out;
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory: the system cleans it up eventually
        }
    }
}

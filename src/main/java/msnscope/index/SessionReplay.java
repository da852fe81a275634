package msnscope.index;

import msnscope.capture.CaptureRecord;
import msnscope.capture.ConnectionInfo;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.RawDissections;
import msnscope.dissect.payload.Decimal;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.export.FrameJson;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StoredField;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static msnscope.index.IndexFields.*;

/**
 * Replays one session's capture records through the dissector, the same way live and on
 * {@code reindex}: one {@link SessionContext} per session, one {@link StreamDissector} per connection,
 * records in file order. That is why the index is a pure function of the capture file. Also keeps the
 * session's and connections' totals for their documents.
 *
 * <p>A frame is indexed with what its connection turned out to be, as {@code dissect} and {@code export}
 * show it: a dispatch connection is known only at its {@code XFR NS} (the dissector then relabels its first
 * frames DS), and a login's {@code VER} passes before the account is named. Decision: hold the first
 * frames of each connection back until its role and account can change no more ({@link Conn#hold}), and
 * when a read of the file ends before that (the live indexer following a proxy), index them as they are
 * and re-write their documents when the connection settles ({@link Applied#replaced}). Deferring alone
 * would hide a login's first frames from live search; updating alone would re-write most logins on
 * import. A reindex and a live follow thus end with the same documents.
 *
 * <p>Not thread-safe; the index owns one per session it is following.
 */
final class SessionReplay {

    /** Handles listed on a session document; more are still searchable on the frames. */
    private static final int MAX_PEERS = 200;
    /** Unanswered requests remembered per connection for re-writing at close: the dissector's own bound. */
    private static final int MAX_REQUESTS = 10_000;
    /**
     * Frames of a connection held while its role or account may change: the dissector relabels at most its
     * first 64 frames, and a login names its account within its first few.
     */
    static final int HELD_FRAMES = 64;
    /** ...and at most this many of their bytes, so a connection that never logs in cannot pin megabytes. */
    static final int HELD_BYTES = 64 * 1024;

    final String session;
    final long number;
    private final Dissector dissector;
    private final SessionContext context;
    private final Map<String, Conn> conns = new LinkedHashMap<>();
    private final Set<Conn> touched = new LinkedHashSet<>();
    /** Bytes of the capture file consumed, and records seen (the frame order). */
    long offset;
    long records;
    private String source;
    private Long created;
    private Long start;
    private Long end;
    private long frames;
    private long warnings;
    private long errors;
    private int version;
    private final Set<String> accounts = new LinkedHashSet<>();
    /** Handles the session's frames name, with how many documents name each (a re-written frame takes its own back). */
    private final Map<String, Integer> peers = new LinkedHashMap<>();
    private final Map<String, Integer> commands = new java.util.TreeMap<>();

    static final class Conn {
        final String id;
        final ConnectionInfo info;
        final StreamDissector stream;
        long frames;
        Long first;
        Long last;
        boolean closed;
        String closeReason;
        /**
         * Each request still waiting for its reply, by seq: what the close (or a later request reusing its TrID)
         * finds unanswered and re-writes. Answered requests leave; bounded like the dissector's pending requests,
         * oldest first out. The dissections are the dissector's own, which it keeps while they wait anyway.
         */
        final Map<Integer, Held> waiting = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Held> eldest) {
                return size() > MAX_REQUESTS;
            }
        };
        /** The last request of each TrID (not FIFO-paired), by seq: a reuse marks the older one unanswered. */
        final Map<Long, Integer> byTrid = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
                return size() > MAX_REQUESTS;
            }
        };
        /** The first frames, while the connection's role or account may still change (see {@link #hold}). */
        final List<Held> held = new ArrayList<>();
        int heldBytes;
        /** True once role and account can change no more (or the connection closed): frames are no longer held. */
        boolean settled;

        Conn(String id, ConnectionInfo info, StreamDissector stream) {
            this.id = id;
            this.info = info;
            this.stream = stream;
        }

        /**
         * Keeps the frame back when its connection may still turn out other than it looks: a dispatch server
         * is labelled NS until its {@code XFR NS}, and {@code VER} passes before the login names its account.
         * Bounded like the dissector's own relabelling window, so a connection that never logs in pins little.
         */
        boolean hold(Held h) {
            int size = h.d.frame().size();
            if (settled || held.size() >= HELD_FRAMES || heldBytes + size > HELD_BYTES) {
                return false;
            }
            held.add(h);
            heldBytes += size;
            return true;
        }
    }

    /** A frame whose document may be re-written once its connection is known, and what it was last written with. */
    static final class Held {
        final long order;
        final Dissection d;
        boolean emitted;
        FormSpec.Role role;
        String account;
        Set<String> peers;

        Held(long order, Dissection d) {
            this.order = order;
            this.d = d;
        }
    }

    SessionReplay(String session, Dissector dissector) {
        this.session = session;
        this.number = sessionNumber(session);
        this.dissector = dissector;
        this.context = new SessionContext(session);
    }

    /**
     * The number in {@code s17}, for the {@code order} field (number × 2³² + record). Kept under 2³¹ so the
     * order stays positive; an id that is no number (a stray file a store let through) gets 0. Only the sort
     * between sessions depends on it: a frame's order within its session stays unique either way.
     */
    static long sessionNumber(String session) {
        Long n = session.length() > 1 ? Decimal.unsigned(session.substring(1)) : null;
        return n == null ? 0 : n & 0x7FFFFFFFL;
    }

    /**
     * The frame documents one record adds ({@code added}) and those it re-writes ({@code replaced}: a document
     * of the same session and {@code order} already given out, which the caller deletes before adding this one).
     */
    record Applied(List<Document> added, List<Document> replaced) {
        static final Applied NONE = new Applied(List.of(), List.of());

        int size() {
            return added.size() + replaced.size();
        }
    }

    /** Applies one record; returns the frame documents it adds or changes. */
    Applied apply(CaptureRecord r) {
        long ord = number << 32 | (records++ & 0xffffffffL);
        if (r instanceof CaptureRecord.SessionStarted s) {
            source = s.source();
            created = s.createdMicros() == 0 ? null : s.createdMicros();
            return Applied.NONE;
        }
        if (r instanceof CaptureRecord.ConnectionOpened o) {
            Conn c = new Conn(o.connection(), o.info(), dissector.stream(context, o.connection(), null));
            conns.put(o.connection(), c);
            touched.add(c);
            return Applied.NONE;
        }
        if (r instanceof CaptureRecord.FrameRecord f) {
            Conn c = conns.get(f.connection());
            if (c == null) {
                // Its opening record is gone (damage, a kill at the wrong moment): the frame is still indexed,
                // under a connection that knows nothing but its id.
                c = new Conn(f.connection(), new ConnectionInfo(f.connection(), null, null, null, null, null, null, null),
                        dissector.stream(context, f.connection(), null));
                conns.put(f.connection(), c);
            }
            Dissection d = c.stream.dissect(f.frame(), f.direction(), f.timeMicros()).forwardedAs(f.rewritten()).editedAs(f.edit());
            c.frames++;
            touched.add(c);
            frames++;
            if (f.timeMicros() != null) {
                c.first = c.first == null ? f.timeMicros() : c.first;
                c.last = f.timeMicros();
                start = start == null ? f.timeMicros() : Math.min(start, f.timeMicros());
                end = end == null ? f.timeMicros() : Math.max(end, f.timeMicros());
            }
            warnings += d.warnings().size();
            if (d.frame().isError()) {
                errors++;
            }
            if (d.command() != null) {
                commands.merge(d.command(), 1, Integer::sum);
            }
            if (d.version() != null) {
                version = Math.max(version, d.version());
            }
            List<Document> added = new ArrayList<>(1);
            List<Document> replaced = new ArrayList<>(0);
            Held h = new Held(ord, d);
            if (!c.hold(h)) {
                added.add(emit(c, h));
            }
            if (d.direction() == msnscope.wire.Direction.C2S && d.form() != null && d.form().expectsReply()) {
                c.waiting.put(d.seq(), h);
                Integer reused = d.trid() != null && !d.form().fifo() ? c.byTrid.put(d.trid(), d.seq()) : null;
                if (reused != null) {
                    // The dissector has just marked the earlier request of this TrID unanswered, if it was.
                    rewrite(c, reused, replaced);
                }
            } else if (d.replyTo() != null) {
                c.waiting.remove(d.replyTo()); // answered: a close will not re-write it
            }
            settle(c, added, replaced);
            return new Applied(added, replaced);
        }
        if (r instanceof CaptureRecord.ConnectionClosed cl) {
            Conn c = conns.get(cl.connection());
            if (c == null) {
                return Applied.NONE;
            }
            c.closed = true;
            c.closeReason = cl.reason();
            touched.add(c);
            List<Document> added = new ArrayList<>();
            List<Document> replaced = new ArrayList<>();
            for (Dissection d : c.stream.close()) {
                warnings++;
                rewrite(c, d.seq(), replaced);
            }
            c.waiting.clear();
            c.byTrid.clear();
            c.settled = true;
            release(c, added);
            c.held.clear();
            return new Applied(added, replaced);
        }
        return Applied.NONE;
    }

    /**
     * The documents of frames still held back (see {@link Conn#hold}), as they are now: what the caller adds
     * when it has read all there is for now. They stay remembered, so a later change re-writes them.
     */
    List<Document> releaseHeld() {
        List<Document> out = new ArrayList<>();
        for (Conn c : conns.values()) {
            release(c, out);
        }
        return out;
    }

    private void release(Conn c, List<Document> out) {
        for (Held h : c.held) {
            if (!h.emitted) {
                out.add(emit(c, h));
            }
        }
    }

    /**
     * After a frame: documents given out for held frames whose role or account has changed since (a
     * connection relabelled a dispatch server, a login that named its account) are re-written; a
     * connection whose role and account can change no more lets its held frames go.
     */
    private void settle(Conn c, List<Document> added, List<Document> replaced) {
        for (Held h : c.held) {
            if (h.emitted && (h.role != h.d.role() || !java.util.Objects.equals(h.account, accountOf(c, h.d)))) {
                replaced.add(emit(c, h));
            }
        }
        if (c.stream.account() != null && (c.stream.role() != FormSpec.Role.NS || c.frames >= HELD_FRAMES)) {
            c.settled = true;
            release(c, added);
            c.held.clear();
            c.heldBytes = 0;
        }
    }

    /**
     * Re-writes the document of the request of {@code seq} if it is still waiting for its reply: the dissector
     * has added an unanswered-request warning to it. One still held back will have it when it goes in.
     */
    private void rewrite(Conn c, int seq, List<Document> replaced) {
        Held h = c.waiting.remove(seq);
        if (h != null && h.emitted) {
            replaced.add(emit(c, h));
        }
    }

    /**
     * The account a frame belongs to: its own (the one logged in when it passed), else the one its
     * connection turned out to log in as, so the {@code VER} and {@code CVR} that open bob's login are bob's
     * frames too. The export shows the connection's account the same way.
     */
    private static String accountOf(Conn c, Dissection d) {
        return d.account() != null ? d.account() : c.stream.account();
    }

    /** The document of a frame as its connection is known now; remembers what it was built with. */
    private Document emit(Conn c, Held h) {
        String account = accountOf(c, h.d);
        Built b = build(c, h.d, account, h.order);
        h.emitted = true;
        h.role = h.d.role();
        h.account = account;
        if (h.peers != null) {
            for (String p : h.peers) {
                peers.computeIfPresent(p, (k, n) -> n > 1 ? n - 1 : null);
            }
        }
        h.peers = b.peers();
        for (String p : b.peers()) {
            if (peers.size() < MAX_PEERS || peers.containsKey(p)) {
                peers.merge(p, 1, Integer::sum);
            }
        }
        return b.document();
    }

    /** A frame's document, with the peers it names. */
    private record Built(Set<String> peers, Document document) {
    }

    /**
     * Never throws: when the document builder fails on what the dissector made (a bug), the frame is still
     * indexed, raw, with a {@code dissector-failed} warning, like a frame the dissector itself failed on.
     */
    private Built build(Conn c, Dissection d, String account, long order) {
        try {
            Set<String> named = FrameDocuments.peers(d, account);
            return new Built(named, FrameDocuments.frame(d, account, order, named));
        } catch (RuntimeException | StackOverflowError e) {
            Dissection raw = RawDissections.failed(session, c.id, d.seq(), d.timeMicros(), d.direction(), d.role(), d.version(),
                    d.account(), d.frame(), e);
            return new Built(Set.of(), FrameDocuments.frame(raw, account, order, Set.of()));
        }
    }

    /** True when every connection opened so far has closed. */
    boolean allClosed() {
        return conns.values().stream().allMatch(c -> c.closed);
    }

    /** Documents of the connections changed since the last call. */
    List<Document> connectionDocuments() {
        List<Document> docs = new ArrayList<>();
        for (Conn c : touched) {
            Document doc = new Document();
            FrameDocuments.keyword(doc, KEY, session + "/" + c.id, false);
            FrameDocuments.keyword(doc, TYPE, "connection", false);
            FrameDocuments.keyword(doc, SESSION, session, true);
            FrameDocuments.keyword(doc, STREAM, c.id, true);
            FormSpec.Role role = c.stream.role();
            FrameDocuments.keyword(doc, ROLE, role == null ? c.info.role() : role.name(), true);
            FrameDocuments.keyword(doc, ACCOUNT, c.stream.account(), true);
            FrameDocuments.keyword(doc, VERSION, c.stream.version() == 0 ? null : "MSNP" + c.stream.version(), true);
            FrameDocuments.number(doc, TIME, c.first);
            doc.add(new StoredField(JSON, FrameDocuments.jsonBytes(connectionJson(c))));
            docs.add(doc);
        }
        touched.clear();
        return docs;
    }

    Map<String, Object> connectionJson(Conn c) {
        Map<String, Object> m = new LinkedHashMap<>();
        ConnectionInfo i = c.info;
        m.put("session", session);
        m.put("connection", c.id);
        m.put("role", c.stream.role() == null ? i.role() : c.stream.role().name());
        m.put("account", c.stream.account());
        m.put("version", c.stream.version() == 0 ? null : "MSNP" + c.stream.version());
        m.put("client", i.client());
        m.put("proxy", i.proxy());
        m.put("server", i.upstreamName());
        m.put("upstream", i.upstream());
        m.put("source-id", i.proxyId());
        if (i.referral() != null) {
            ConnectionInfo.StoredReferral r = i.referral();
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("kind", r.kind());
            ref.put("from", r.fromConnection());
            ref.put("original", r.original());
            ref.put("rewritten", r.rewritten());
            ref.put("cookie", r.cookie());
            ref.put("session-id", r.sessionId());
            ref.put("line", r.line());
            m.put("referral", ref);
        }
        m.put("start", c.first == null ? null : FrameJson.isoTime(c.first));
        m.put("end", c.last == null ? null : FrameJson.isoTime(c.last));
        m.put("frames", c.frames);
        m.put("closed", c.closed ? c.closeReason : null);
        return m;
    }

    /** The session document, with the totals so far. */
    Document sessionDocument() {
        Document doc = new Document();
        FrameDocuments.keyword(doc, KEY, session, false);
        FrameDocuments.keyword(doc, TYPE, "session", false);
        FrameDocuments.keyword(doc, SESSION, session, true);
        for (String a : logins()) {
            FrameDocuments.keyword(doc, ACCOUNT, a, true);
        }
        for (String p : peers.keySet()) {
            FrameDocuments.keyword(doc, PEER, p, true);
        }
        FrameDocuments.keyword(doc, VERSION, version == 0 ? null : "MSNP" + version, true);
        FrameDocuments.number(doc, TIME, start != null ? start : created);
        doc.add(new org.apache.lucene.document.NumericDocValuesField(ORDER, number << 32));
        doc.add(new StoredField(JSON, FrameDocuments.jsonBytes(sessionJson())));
        return doc;
    }

    /** Accounts that logged in on the session's connections, notification server first. */
    private List<String> logins() {
        Set<String> out = new LinkedHashSet<>();
        for (Conn c : conns.values()) {
            if (c.stream.account() != null && c.stream.role() != FormSpec.Role.SB) {
                out.add(c.stream.account());
            }
        }
        for (Conn c : conns.values()) {
            if (c.stream.account() != null) {
                out.add(c.stream.account());
            }
        }
        accounts.addAll(out);
        return new ArrayList<>(accounts);
    }

    Map<String, Object> sessionJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session", session);
        m.put("accounts", logins());
        m.put("version", version == 0 ? null : "MSNP" + version);
        m.put("start", start == null ? (created == null ? null : FrameJson.isoTime(created)) : FrameJson.isoTime(start));
        m.put("end", end == null ? null : FrameJson.isoTime(end));
        m.put("connections", conns.size());
        m.put("frames", frames);
        m.put("commands", commands);
        m.put("warnings", warnings);
        m.put("errors", errors);
        m.put("peers", new ArrayList<>(peers.keySet()));
        m.put("source", source);
        return m;
    }
}

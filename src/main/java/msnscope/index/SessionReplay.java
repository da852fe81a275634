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
 * <p>Not thread-safe; the index owns one per session it is following.
 */
final class SessionReplay {

    /** Handles listed on a session document; more are still searchable on the frames. */
    private static final int MAX_PEERS = 200;
    /** Unanswered requests remembered per connection for re-writing at close: the dissector's own bound. */
    private static final int MAX_REQUESTS = 10_000;

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
    private final Set<String> peers = new LinkedHashSet<>();
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
         * Order of each request by seq: what identifies its document when the close finds it unanswered and
         * re-writes it. Answered requests leave; bounded like the dissector's pending requests, oldest first out.
         */
        final Map<Integer, Long> orders = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Long> eldest) {
                return size() > MAX_REQUESTS;
            }
        };

        Conn(String id, ConnectionInfo info, StreamDissector stream) {
            this.id = id;
            this.info = info;
            this.stream = stream;
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

    /** Applies one record; returns the frame documents it adds or changes. */
    List<Document> apply(CaptureRecord r) {
        long ord = number << 32 | (records++ & 0xffffffffL);
        if (r instanceof CaptureRecord.SessionStarted s) {
            source = s.source();
            created = s.createdMicros() == 0 ? null : s.createdMicros();
            return List.of();
        }
        if (r instanceof CaptureRecord.ConnectionOpened o) {
            Conn c = new Conn(o.connection(), o.info(), dissector.stream(context, o.connection(), null));
            conns.put(o.connection(), c);
            touched.add(c);
            return List.of();
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
            Dissection d = c.stream.dissect(f.frame(), f.direction(), f.timeMicros());
            Built b = build(c, d, ord);
            d = b.dissection();
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
            if (peers.size() < MAX_PEERS) {
                peers.addAll(b.peers());
            }
            if (d.direction() == msnscope.wire.Direction.C2S && d.form() != null && d.form().expectsReply()) {
                c.orders.put(d.seq(), ord);
            } else if (d.replyTo() != null) {
                c.orders.remove(d.replyTo()); // answered: a close will not re-write it
            }
            return List.of(b.document());
        }
        if (r instanceof CaptureRecord.ConnectionClosed cl) {
            Conn c = conns.get(cl.connection());
            if (c == null) {
                return List.of();
            }
            c.closed = true;
            c.closeReason = cl.reason();
            touched.add(c);
            List<Document> changed = new ArrayList<>();
            for (Dissection d : c.stream.close()) {
                warnings++;
                Long order = c.orders.get(d.seq());
                if (order != null) {
                    changed.add(build(c, d, order).document());
                }
            }
            c.orders.clear();
            return changed;
        }
        return List.of();
    }

    /** A frame's document, with the dissection and peers it was built from. */
    private record Built(Dissection dissection, Set<String> peers, Document document) {
    }

    /**
     * Never throws: when the document builder fails on what the dissector made (a bug), the frame is still
     * indexed, raw, with a {@code dissector-failed} warning, like a frame the dissector itself failed on.
     */
    private Built build(Conn c, Dissection d, long order) {
        try {
            Set<String> named = FrameDocuments.peers(d);
            return new Built(d, named, FrameDocuments.frame(d, order, named));
        } catch (RuntimeException | StackOverflowError e) {
            Dissection raw = RawDissections.failed(session, c.id, d.seq(), d.timeMicros(), d.direction(), d.role(), d.version(),
                    d.account(), d.frame(), e);
            return new Built(raw, Set.of(), FrameDocuments.frame(raw, order, Set.of()));
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
        for (String p : peers) {
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
        m.put("peers", new ArrayList<>(peers));
        m.put("source", source);
        return m;
    }
}

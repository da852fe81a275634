package msnscope.capture;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.spec.FormSpec;
import msnscope.export.FrameJson;
import msnscope.transcript.TranscriptReader;
import msnscope.wire.Direction;
import msnscope.wire.Edit;
import msnscope.wire.FramerLimits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Imports sessions into the {@link CaptureStore}: wiki transcripts, msnscope's own JSON Lines exports
 * and reassembled TCP connections (pcap/pcapng). Everything goes one way: bytes are framed and dissected
 * by one {@link SessionAssembler} (so switchboards inherit the version of the session that issued their
 * cookie), the connections are grouped into sessions, and each session's frames are written as capture
 * records in the order they happened. The index is then built from the capture files, like after a
 * proxy run.
 */
public final class Importer {

    private final CaptureStore store;
    private final Dissector dissector;
    private final FramerLimits limits;

    public Importer(CaptureStore store, Dissector dissector, FramerLimits limits) {
        this.store = store;
        this.dissector = dissector;
        this.limits = limits;
    }

    /** One TCP connection's bytes from any source, in the order they crossed the wire. */
    public record RawConnection(String id, String client, String server, long firstMicros, List<Chunk> chunks) {
    }

    /**
     * Bytes of one direction, with the time they arrived (null when unknown).
     *
     * @param forwarded what the proxy forwarded instead (a JSON Lines frame's {@code rewritten}; empty: dropped), else null
     * @param edit      how a rule or the hook changed the frame, or that msnscope made it (a JSON Lines frame's
     *                  {@code edited}), else null
     */
    public record Chunk(Direction dir, Long timeMicros, byte[] data, byte[] forwarded, Edit edit) {
        public Chunk(Direction dir, Long timeMicros, byte[] data) {
            this(dir, timeMicros, data, null, null);
        }
    }

    /**
     * A transcript is one login story: all its connections become one session (frames in time order when
     * every frame has a time). Returns the session ids.
     */
    public List<String> transcript(String text, String source) throws IOException {
        SessionAssembler assembler = new SessionAssembler(dissector, "import", limits);
        new TranscriptReader(limits).read(text, assembler);
        List<Dissection> order = new ArrayList<>();
        for (ConnectionLog c : assembler.connections()) {
            order.addAll(c.frames());
        }
        // A transcript lists connections one after the other; with times (an msnscope export) the frames go
        // back into the order they happened across connections.
        if (order.stream().allMatch(d -> d.timeMicros() != null)) {
            order.sort(java.util.Comparator.comparingLong(Dissection::timeMicros));
        }
        Map<ConnectionLog, ConnectionInfo> infos = new LinkedHashMap<>();
        for (ConnectionLog c : assembler.connections()) {
            infos.put(c, new ConnectionInfo(c.id(), roleName(c.role()), c.client(), null, c.server(), null, null, null));
        }
        return List.of(write(assembler.connections(), infos, order, source));
    }

    /**
     * msnscope JSON Lines (the {@code dissect}/{@code search}/{@code export} contract): frames are rebuilt
     * from {@code rawBase64}, else {@code raw} + CR LF + {@code payload}/{@code payloadBase64}; one session per
     * distinct {@code session} value, connections by {@code stream}.
     *
     * <p>The file's order is not trusted: {@code search} prints newest first, and lines may have been
     * filtered or concatenated. Each connection's frames are put back in {@code seq} order (when every line
     * of the connection has one; else they keep the file's order), connections in {@code c1, c2, …} order and sessions
     * in {@code s1, s2, …} order when the ids have that form (else in order of first appearance); the same
     * frame given twice (same session, stream, seq and bytes) is taken once.
     */
    public List<String> jsonl(String text, String source) throws IOException {
        Map<String, Map<String, List<JsonFrame>>> sessions = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : text.lines().toList()) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = FrameJson.MAPPER.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException(source + " line " + lineNo + ": not JSON (" + e.getOriginalMessage() + ")");
            }
            if (!n.hasNonNull("dir") || !(n.hasNonNull("raw") || n.hasNonNull("rawBase64"))) {
                throw new IOException(source + " line " + lineNo + ": not an msnscope frame (needs dir and raw or rawBase64)");
            }
            String where = source + " line " + lineNo + ": ";
            byte[] bytes;
            byte[] forwarded;
            Edit edit = edit(n, where);
            try {
                bytes = frameBytes(n);
                forwarded = forwardedBytes(n);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + "rawBase64, payloadBase64 or rewrittenBase64 is not base64");
            }
            String d = n.get("dir").asText();
            if (!d.equals("C2S") && !d.equals("S2C")) {
                throw new IOException(where + "dir must be C2S or S2C, not '" + shorten(d) + "'");
            }
            Direction dir = Direction.valueOf(d);
            Long time;
            try {
                time = n.hasNonNull("time") ? parseIso(n.get("time").asText()) : null;
            } catch (RuntimeException e) {
                throw new IOException(where + "time is not an ISO-8601 instant ('" + shorten(n.get("time").asText()) + "')");
            }
            JsonNode seq = n.get("seq");
            Long position = seq != null && seq.isIntegralNumber() && seq.canConvertToLong() ? seq.asLong() : null;
            String session = n.path("session").asText("import");
            String stream = n.path("stream").asText("c1");
            sessions.computeIfAbsent(session, k -> new LinkedHashMap<>()).computeIfAbsent(stream, k -> new ArrayList<>())
                    .add(new JsonFrame(position, new Chunk(dir, time, bytes, forwarded, edit)));
        }
        List<String> ids = new ArrayList<>();
        for (String session : inIdOrder(sessions.keySet(), 's')) {
            Map<String, List<JsonFrame>> streams = sessions.get(session);
            List<RawConnection> conns = new ArrayList<>();
            for (String stream : inIdOrder(streams.keySet(), 'c')) {
                conns.add(new RawConnection(stream, null, null, 0, inSeqOrder(streams.get(stream))));
            }
            ids.addAll(connections(conns, source, false));
        }
        return ids;
    }

    /** One line of a JSON Lines import: its frame and its {@code seq}, null when the line has none. */
    private record JsonFrame(Long seq, Chunk chunk) {
        boolean sameAs(JsonFrame o) {
            return seq != null && seq.equals(o.seq) && chunk.dir() == o.chunk.dir() && Arrays.equals(chunk.data(), o.chunk.data());
        }
    }

    /** Ids like {@code s3}/{@code c2} by their number when every id has that form; else as first seen. */
    private static List<String> inIdOrder(java.util.Set<String> ids, char prefix) {
        List<String> out = new ArrayList<>(ids);
        java.util.regex.Pattern form = java.util.regex.Pattern.compile(prefix + "\\d{1,18}");
        if (out.stream().allMatch(id -> form.matcher(id).matches())) {
            out.sort(java.util.Comparator.comparingLong(id -> Long.parseLong(id.substring(1))));
        }
        return out;
    }

    /**
     * A connection's frames by {@code seq} when every line has one (a stable sort); a frame repeated with the same seq and bytes (two overlapping searches
     * concatenated) is kept once.
     */
    private static List<Chunk> inSeqOrder(List<JsonFrame> frames) {
        List<JsonFrame> sorted = new ArrayList<>(frames);
        if (sorted.stream().allMatch(f -> f.seq() != null)) {
            sorted.sort(java.util.Comparator.comparingLong(JsonFrame::seq));
        }
        List<Chunk> out = new ArrayList<>(sorted.size());
        JsonFrame previous = null;
        for (JsonFrame f : sorted) {
            if (previous == null || !f.sameAs(previous)) {
                out.add(f.chunk());
            }
            previous = f;
        }
        return out;
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /**
     * What the proxy forwarded in place of a frame, from {@code rewrittenBase64}, else {@code rewritten} + CR LF +
     * the frame's payload; null when the line has neither (forwarded unchanged).
     */
    static byte[] forwardedBytes(JsonNode n) {
        if (n.hasNonNull("rewrittenBase64")) {
            return Base64.getDecoder().decode(n.get("rewrittenBase64").asText());
        }
        if (!n.hasNonNull("rewritten")) {
            return null;
        }
        return withPayload(n.get("rewritten").asText(), n);
    }

    /**
     * A JSON Lines frame's {@code edited} object ({@code by}, {@code action}, {@code made}), or null when it has
     * none; anything else under that key is refused in one line rather than silently dropped.
     */
    static Edit edit(JsonNode n, String where) throws IOException {
        JsonNode e = n.get("edited");
        if (e == null || e.isNull()) {
            return null;
        }
        JsonNode by = e.get("by");
        JsonNode action = e.get("action");
        JsonNode made = e.get("made");
        if (!e.isObject() || by != null && !by.isTextual() && !by.isNull() || action != null && !action.isTextual() && !action.isNull()
                || made != null && !made.isBoolean() && !made.isNull()) {
            throw new IOException(where + "edited must be an object {\"by\": text, \"action\": text, \"made\": true|false}");
        }
        return new Edit(by == null || by.isNull() ? null : by.asText(), action == null || action.isNull() ? null : action.asText(),
                made != null && made.asBoolean());
    }

    /** Rebuilds a frame's exact bytes from a JSON Lines object. */
    static byte[] frameBytes(JsonNode n) {
        if (n.hasNonNull("rawBase64")) {
            return Base64.getDecoder().decode(n.get("rawBase64").asText());
        }
        return withPayload(n.get("raw").asText(), n);
    }

    /** {@code line} + CR LF + the object's {@code payload} or {@code payloadBase64}. */
    private static byte[] withPayload(String text, JsonNode n) {
        byte[] line = (text + "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] payload = n.hasNonNull("payload") ? n.get("payload").asText().getBytes(StandardCharsets.UTF_8)
                : n.hasNonNull("payloadBase64") ? Base64.getDecoder().decode(n.get("payloadBase64").asText()) : new byte[0];
        byte[] all = new byte[line.length + payload.length];
        System.arraycopy(line, 0, all, 0, line.length);
        System.arraycopy(payload, 0, all, line.length, payload.length);
        return all;
    }

    /**
     * Imports raw connections (a pcap's MSNP connections): all chunks are fed in time order
     * ({@link #inTimeOrder}) to one assembler, then the connections are stitched into sessions ({@link Stitcher}) when {@code stitch}, else
     * they all form one session.
     */
    public List<String> connections(List<RawConnection> raw, String source, boolean stitch) throws IOException {
        SessionAssembler assembler = new SessionAssembler(dissector, "import", limits);
        Map<RawConnection, ConnectionLog> logs = new IdentityHashMap<>();
        Map<ConnectionLog, ConnectionInfo> infos = new LinkedHashMap<>();
        List<List<Chunk>> perConnection = new ArrayList<>();
        List<ConnectionLog> connectionLogs = new ArrayList<>();
        for (RawConnection rc : raw) {
            ConnectionLog log = assembler.openConnection(rc.server(), rc.client());
            logs.put(rc, log);
            infos.put(log, new ConnectionInfo(rc.id(), null, rc.client(), null, rc.server(), null, null,
                    rc.firstMicros() == 0 ? null : rc.firstMicros()));
            perConnection.add(rc.chunks());
            connectionLogs.add(log);
        }
        List<Dissection> order = new ArrayList<>();
        Map<ConnectionLog, Integer> seen = new HashMap<>();
        for (int[] at : inTimeOrder(perConnection)) {
            ConnectionLog log = connectionLogs.get(at[0]);
            Chunk c = perConnection.get(at[0]).get(at[1]);
            assembler.bytes(log, c.dir(), c.data(), c.timeMicros(), c.forwarded(), c.edit());
            int from = seen.getOrDefault(log, 0);
            order.addAll(log.frames().subList(from, log.frames().size()));
            seen.put(log, log.frames().size());
        }
        for (ConnectionLog log : assembler.connections()) {
            assembler.closeConnection(log);
            int from = seen.getOrDefault(log, 0);
            order.addAll(log.frames().subList(from, log.frames().size()));
        }
        for (Map.Entry<ConnectionLog, ConnectionInfo> e : infos.entrySet()) {
            ConnectionInfo i = e.getValue();
            e.setValue(new ConnectionInfo(i.proxyId(), roleName(e.getKey().role()), i.client(), null, i.upstreamName(), null, null,
                    i.openedMicros()));
        }
        if (!stitch) {
            return List.of(write(assembler.connections(), infos, order, source));
        }
        return stitchAndWrite(assembler.connections(), infos, order, source);
    }

    /**
     * The chunks of all connections as (connection, index) pairs: merged by time when every chunk has one,
     * else connection after connection. A merge, not a sort: each connection keeps its own order even where
     * its times go backwards (clocks, or hand-edited JSON Lines), and equal times keep connection order.
     */
    private static List<int[]> inTimeOrder(List<List<Chunk>> connections) {
        List<int[]> out = new ArrayList<>();
        boolean timed = connections.stream().allMatch(l -> l.stream().allMatch(c -> c.timeMicros() != null));
        if (!timed) {
            for (int c = 0; c < connections.size(); c++) {
                for (int i = 0; i < connections.get(c).size(); i++) {
                    out.add(new int[] {c, i});
                }
            }
            return out;
        }
        java.util.PriorityQueue<int[]> next = new java.util.PriorityQueue<>(
                java.util.Comparator.<int[]>comparingLong(at -> connections.get(at[0]).get(at[1]).timeMicros()).thenComparingInt(at -> at[0]));
        for (int c = 0; c < connections.size(); c++) {
            if (!connections.get(c).isEmpty()) {
                next.add(new int[] {c, 0});
            }
        }
        while (!next.isEmpty()) {
            int[] at = next.poll();
            out.add(at);
            if (at[1] + 1 < connections.get(at[0]).size()) {
                next.add(new int[] {at[0], at[1] + 1});
            }
        }
        return out;
    }

    private List<String> stitchAndWrite(List<ConnectionLog> logs, Map<ConnectionLog, ConnectionInfo> infos, List<Dissection> order,
                                        String source) throws IOException {
        // Which connection each frame belongs to.
        Map<Dissection, ConnectionLog> owner = new IdentityHashMap<>();
        for (ConnectionLog l : logs) {
            for (Dissection d : l.frames()) {
                owner.put(d, l);
            }
        }
        ImportStitching stitching = new ImportStitching();
        for (Dissection d : order) {
            ConnectionLog l = owner.get(d);
            stitching.frame(l, d, infos.get(l).openedMicros());
        }
        stitching.finish();
        Map<ConnectionLog, String> group = stitching.groups();
        Map<String, List<ConnectionLog>> groups = new LinkedHashMap<>();
        for (Map.Entry<ConnectionLog, String> e : group.entrySet()) {
            groups.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
        }
        // Connections that carried no frame at all are left out: an empty session is noise.
        Map<String, List<Dissection>> frames = new HashMap<>();
        for (Dissection d : order) {
            frames.computeIfAbsent(group.get(owner.get(d)), k -> new ArrayList<>()).add(d);
        }
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, List<ConnectionLog>> e : groups.entrySet()) {
            List<ConnectionLog> members = e.getValue();
            List<Dissection> sub = frames.get(e.getKey());
            Map<ConnectionLog, ConnectionInfo> subInfos = new LinkedHashMap<>();
            for (ConnectionLog l : members) {
                subInfos.put(l, infos.get(l));
            }
            ids.add(write(members, subInfos, sub, source));
        }
        return ids;
    }

    /** Writes one session: connections opened at their first frame, frames in {@code order}, closed after their last. */
    private String write(List<ConnectionLog> logs, Map<ConnectionLog, ConnectionInfo> infos, List<Dissection> order, String source)
            throws IOException {
        Map<Dissection, ConnectionLog> owner = new IdentityHashMap<>();
        Map<ConnectionLog, Dissection> last = new IdentityHashMap<>();
        for (ConnectionLog l : logs) {
            for (Dissection d : l.frames()) {
                owner.put(d, l);
                last.put(l, d);
            }
        }
        Long created = null;
        for (Dissection d : order) {
            if (d.timeMicros() != null) {
                created = d.timeMicros();
                break;
            }
        }
        Map<ConnectionLog, String> ids = new IdentityHashMap<>();
        try (CaptureWriter w = store.newSession(created == null ? 0 : created, source, false)) {
            for (ConnectionLog l : logs) {
                if (l.frames().isEmpty()) {
                    open(w, l, infos.get(l), ids);
                    w.append(new CaptureRecord.ConnectionClosed(ids.get(l), 0, "no data"));
                }
            }
            for (Dissection d : order) {
                ConnectionLog l = owner.get(d);
                if (l == null) {
                    continue;
                }
                if (!ids.containsKey(l)) {
                    open(w, l, infos.get(l), ids);
                }
                w.append(new CaptureRecord.FrameRecord(ids.get(l), d.timeMicros(), d.direction(), d.frame(), d.forwarded(), d.edit()));
                if (last.get(l) == d) {
                    w.append(new CaptureRecord.ConnectionClosed(ids.get(l), d.timeMicros() == null ? 0 : d.timeMicros(), "end of import"));
                }
            }
            return CaptureStore.sessionOf(w);
        }
    }

    private static void open(CaptureWriter w, ConnectionLog l, ConnectionInfo info, Map<ConnectionLog, String> ids) throws IOException {
        String id = "c" + (ids.size() + 1);
        ids.put(l, id);
        w.append(new CaptureRecord.ConnectionOpened(id, info));
    }

    private static String roleName(FormSpec.Role r) {
        return r == null ? null : r.name();
    }

    /** Epoch microseconds of an ISO-8601 instant; throws for text that is none, or a year microseconds cannot hold. */
    static long parseIso(String iso) {
        java.time.Instant t = java.time.Instant.parse(iso);
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }
}

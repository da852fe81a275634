package msnscope.export;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.spec.ContentTypeSpec;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ParamSpec;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.wire.Frame;
import msnscope.wire.FramerLimits;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets (and, in {@link RedactMode#MESSAGES}, what people wrote) in a session's frames and gives
 * back new, consistent frames: payload length tokens are recomputed, so the result frames and dissects
 * again without {@code payload-length-mismatch}.
 *
 * <p>What is secret comes from {@code dissectors/}, never from a list in Java: every parameter whose
 * declared type {@link msnscope.dissect.spec.ParamType#isSecret() is secret} (types {@code secret} and
 * {@code cookie}: passwords, MD5 responses, Passport and SSO tickets, switchboard cookies), found by
 * binding the line to the form the dissector chose; and the MIME headers a content type lists as
 * {@code secret-headers} in {@code payloads.yaml} (MSPAuth, AuthCookie). A {@code t=…&p=…} ticket is
 * redacted part by part. Every secret value gets a placeholder named after its parameter or header and
 * numbered in order of first appearance ({@code cookie-1}, {@code ticket-1}, {@code ticket-p-1}), the same
 * everywhere in the session: a reader can still follow which switchboard used which cookie, and that the
 * profile's MSPAuth is the ticket's {@code t=} part. A last sweep replaces any other copy of a known
 * secret (at least {@value #SWEEP_MIN} bytes long) anywhere in lines and payloads.
 *
 * <p>Not thread-safe; {@link #redact} starts fresh each call, so a call is deterministic.
 */
public final class Redactor {

    /** Shortest secret value the sweep looks for outside its declared place (shorter ones match by accident). */
    public static final int SWEEP_MIN = 8;

    private static final Pattern HEADER = Pattern.compile("([A-Za-z0-9][A-Za-z0-9_-]*):([ \t]*)(.*)");
    private static final Pattern KV_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,15}");
    private static final int P2P_HEADER = 48;
    private static final int P2P_FOOTER = 4;

    private final ProtocolSpec spec;
    private final RedactMode mode;
    private final Set<String> anySecretHeader = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    private final Map<String, String> placeholders = new LinkedHashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Map<String, List<String>> notes = new LinkedHashMap<>();
    private List<String> sweepOrder = List.of();

    public Redactor(ProtocolSpec spec, RedactMode mode) {
        this.spec = spec;
        this.mode = mode;
        for (ContentTypeSpec ct : spec.contentTypes().values()) {
            anySecretHeader.addAll(ct.secretHeaders());
        }
    }

    /**
     * The redacted session, dissected again, and what was done to each frame.
     *
     * @param connections re-dissected from the redacted frames: fields, summaries and warnings hold no secret
     * @param notes       per frame ({@link #key}), what was replaced, without the original values
     * @param counts      per placeholder kind ({@code cookie}, {@code ticket}, …), how many distinct values
     */
    public record Result(RedactMode mode, List<ConnectionLog> connections, Map<String, List<String>> notes,
                         Map<String, Integer> counts) {

        public List<String> notes(Dissection d) {
            return notes.getOrDefault(key(d), List.of());
        }

        /** Frames changed by the redaction. */
        public int changedFrames() {
            return notes.size();
        }
    }

    /** The anchor-style key of a frame: {@code c2-14}. */
    public static String key(Dissection d) {
        return d.stream() + "-" + d.seq();
    }

    /**
     * Redacts and dissects the result again with a fresh {@link SessionAssembler}. A session whose frames
     * all have times and clean framing (a pcap import) is fed in capture-time order across connections,
     * as it was first dissected; anything else connection by connection, as a transcript is read.
     */
    public Result redact(List<ConnectionLog> connections, Dissector dissector, String sessionId, FramerLimits limits) {
        List<List<Frame>> frames = redactFrames(connections);
        if (timedAndClean(connections, frames)) {
            SessionAssembler interleaved = new SessionAssembler(dissector, sessionId, limits);
            record Item(long time, int connection, int seq) {
            }
            List<Item> items = new ArrayList<>();
            List<ConnectionLog> logs = new ArrayList<>();
            for (int i = 0; i < connections.size(); i++) {
                for (Dissection d : connections.get(i).frames()) {
                    items.add(new Item(d.timeMicros(), i, d.seq()));
                }
            }
            items.sort(Comparator.comparingLong(Item::time).thenComparingInt(Item::connection).thenComparingInt(Item::seq));
            java.util.Map<Integer, ConnectionLog> opened = new HashMap<>();
            for (Item it : items) {
                ConnectionLog c = connections.get(it.connection);
                ConnectionLog log = opened.computeIfAbsent(it.connection, k -> {
                    ConnectionLog l = interleaved.openConnection(c.server(), c.client());
                    logs.add(l);
                    return l;
                });
                Dissection d = c.frames().get(it.seq);
                interleaved.bytes(log, d.direction(), frames.get(it.connection).get(it.seq).copyBytes(), d.timeMicros());
            }
            for (ConnectionLog l : logs) {
                interleaved.closeConnection(l);
            }
            // connections are numbered in order of their first frame; keep the original order and ids
            List<ConnectionLog> inOrder = new ArrayList<>();
            for (int i = 0; i < connections.size(); i++) {
                if (opened.containsKey(i)) {
                    inOrder.add(opened.get(i));
                }
            }
            if (sameShape(connections, inOrder)) {
                return result(connections, inOrder);
            }
        }
        SessionAssembler again = new SessionAssembler(dissector, sessionId, limits);
        for (int i = 0; i < connections.size(); i++) {
            ConnectionLog c = connections.get(i);
            again.openConnection(c.server(), c.client());
            List<Dissection> ds = c.frames();
            for (int k = 0; k < ds.size(); k++) {
                again.frame(ds.get(k).direction(), frames.get(i).get(k), ds.get(k).timeMicros());
            }
            again.close();
        }
        return result(connections, again.connections());
    }

    private Result result(List<ConnectionLog> original, List<ConnectionLog> connections) {
        carryDeliveries(original, connections);
        Map<String, Integer> counts = new LinkedHashMap<>(new java.util.TreeMap<>(counters));
        return new Result(mode, List.copyOf(connections), Map.copyOf(notes), counts);
    }

    /**
     * Puts on each redacted frame what its original carried beyond its bytes: how a rule or the hook changed it
     * (an edit names no secret) and what the other side received instead, redacted like the frame itself (a
     * rewritten referral still holds its cookie; a rule's replacement may hold a ticket or a message). A dropped
     * frame's empty delivery stays empty: it still says the other side received nothing.
     */
    private void carryDeliveries(List<ConnectionLog> original, List<ConnectionLog> redacted) {
        if (!sameShape(original, redacted)) {
            return;
        }
        for (int i = 0; i < original.size(); i++) {
            List<Dissection> from = original.get(i).frames();
            List<Dissection> to = redacted.get(i).frames();
            for (int k = 0; k < from.size(); k++) {
                Dissection d = from.get(k);
                byte[] forwarded = d.forwarded();
                if (forwarded != null || d.edit() != null) {
                    to.get(k).forwardedAs(forwarded == null || forwarded.length == 0 ? forwarded : delivered(to.get(k), forwarded))
                            .editedAs(d.edit());
                }
            }
        }
    }

    /**
     * Forwarded bytes redacted: the line's tokens and any known secret as in the frame; the payload swept of
     * secrets, or with {@code messages} left out altogether (a replacement's text is what people wrote).
     */
    private byte[] delivered(Dissection redacted, byte[] forwarded) {
        String all = latin1(forwarded);
        int lf = all.indexOf('\n');
        int lineEnd = lf < 0 ? all.length() : lf > 0 && all.charAt(lf - 1) == '\r' ? lf - 1 : lf;
        String[] tokens = all.substring(0, lineEnd).split(" ", -1);
        for (int t = 0; t < tokens.length; t++) {
            tokens[t] = replaceToken(tokens[t]);
        }
        String line = sweep(String.join(" ", tokens));
        String terminator = all.substring(lineEnd, lf < 0 ? all.length() : lf + 1);
        String payload = lf < 0 ? "" : all.substring(lf + 1);
        if (!payload.isEmpty() && mode.hidesMessages()) {
            notes.merge(key(redacted), List.of("delivered payload left out"), (a, b) -> {
                List<String> both = new ArrayList<>(a);
                both.addAll(b);
                return List.copyOf(both);
            });
            payload = "";
        }
        return (line + terminator + sweep(payload)).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Every frame timed, framed without trouble, and its payload complete: re-framing its bytes gives it back. */
    private static boolean timedAndClean(List<ConnectionLog> connections, List<List<Frame>> frames) {
        boolean any = false;
        for (int i = 0; i < connections.size(); i++) {
            for (Dissection d : connections.get(i).frames()) {
                Frame f = frames.get(i).get(d.seq());
                if (d.timeMicros() == null || f.flags() != 0 || f.terminatorLength() != 2
                        || (f.hasPayload() && f.payloadLength() != f.declaredLength())) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    /** Same ids, servers and frame counts: the interleaved re-dissection matches the original layout. */
    private static boolean sameShape(List<ConnectionLog> a, List<ConnectionLog> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).id().equals(b.get(i).id()) || a.get(i).frames().size() != b.get(i).frames().size()) {
                return false;
            }
        }
        return true;
    }

    /** The redacted frames, one list per connection, in the same order as the dissections. */
    public List<List<Frame>> redactFrames(List<ConnectionLog> connections) {
        placeholders.clear();
        counters.clear();
        notes.clear();
        List<List<Frame>> out = new ArrayList<>();
        if (!mode.hidesSecrets()) {
            for (ConnectionLog c : connections) {
                out.add(c.frames().stream().map(Dissection::frame).toList());
            }
            return out;
        }
        for (ConnectionLog c : connections) {
            for (Dissection d : c.frames()) {
                collect(d);
            }
        }
        List<String> order = new ArrayList<>();
        for (String secret : placeholders.keySet()) {
            if (secret.length() >= SWEEP_MIN) {
                order.add(secret);
            }
        }
        order.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        sweepOrder = order;
        for (ConnectionLog c : connections) {
            List<Frame> fs = new ArrayList<>(c.frames().size());
            for (Dissection d : c.frames()) {
                fs.add(rewrite(d));
            }
            out.add(fs);
        }
        return out;
    }

    // ---- pass 1: every secret value of the session, in order of appearance --------------------------

    private void collect(Dissection d) {
        Frame f = d.frame();
        String[] tokens = latin1(f.lineBytes()).split(" ", -1);
        for (SecretToken st : secretTokens(d, tokens)) {
            registerToken(tokens[st.index], st.name);
        }
        if (isMime(d)) {
            String payload = latin1(f.payload());
            Set<String> names = secretHeaders(payload);
            for (String line : payload.split("\r\n", -1)) {
                Matcher m = HEADER.matcher(line);
                if (m.matches() && names.contains(m.group(1)) && !m.group(3).isEmpty()) {
                    placeholder(m.group(3), m.group(1).toLowerCase(Locale.ROOT));
                }
            }
        }
    }

    private void registerToken(String token, String name) {
        List<String[]> parts = kvParts(token);
        if (parts == null) {
            if (!token.isEmpty()) {
                placeholder(token, name);
            }
            return;
        }
        for (String[] kv : parts) {
            if (!kv[1].isEmpty()) {
                placeholder(kv[1], kv[0].equals("t") ? name : name + "-" + kv[0].toLowerCase(Locale.ROOT));
            }
        }
    }

    private String placeholder(String value, String kind) {
        String p = placeholders.get(value);
        if (p == null) {
            int n = counters.merge(kind, 1, Integer::sum);
            p = kind + "-" + n;
            placeholders.put(value, p);
        }
        return p;
    }

    /** {@code t=…&p=…}: the parts, or null when the token is not such a list. */
    private static List<String[]> kvParts(String token) {
        if (token.indexOf('&') < 0 || token.indexOf('=') <= 0) {
            return null;
        }
        List<String[]> out = new ArrayList<>();
        for (String part : token.split("&", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0 || !KV_KEY.matcher(part.substring(0, eq)).matches()) {
                return null;
            }
            out.add(new String[]{part.substring(0, eq), part.substring(eq + 1)});
        }
        return out;
    }

    private record SecretToken(int index, String name) {
    }

    /** Token positions (in the split line, 0 = command) of the secret parameters of the form the dissector chose. */
    private static List<SecretToken> secretTokens(Dissection d, String[] tokens) {
        FormSpec form = d.form();
        if (form == null || d.command() == null || d.frame().has(Frame.LINE_TOO_LONG)) {
            return List.of();
        }
        FormSpec.Binding b = form.bind(tokens, 1);
        List<SecretToken> out = new ArrayList<>();
        List<ParamSpec> ps = form.params();
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i).type().isSecret()) {
                for (int k = 0; k < b.count()[i]; k++) {
                    out.add(new SecretToken(b.start()[i] + k, ps.get(i).name()));
                }
            }
        }
        return out;
    }

    // ---- pass 2: new frames ---------------------------------------------------------------------------

    private Frame rewrite(Dissection d) {
        Frame f = d.frame();
        List<String> said = new ArrayList<>();
        String[] tokens = latin1(f.lineBytes()).split(" ", -1);
        boolean lineChanged = false;
        for (SecretToken st : secretTokens(d, tokens)) {
            String replaced = replaceToken(tokens[st.index]);
            if (!replaced.equals(tokens[st.index])) {
                tokens[st.index] = replaced;
                lineChanged = true;
                said.add(st.name + " → " + replaced);
            }
        }
        String line = String.join(" ", tokens);
        String swept = sweep(line);
        if (!swept.equals(line)) {
            said.add("known secret in the line");
            line = swept;
            lineChanged = true;
        }

        byte[] payload = f.hasPayload() ? f.payload() : null;
        String newPayload = null;
        if (payload != null && payload.length > 0 && !f.has(Frame.PAYLOAD_TOO_LARGE)) {
            String p = latin1(payload);
            String q = isMime(d) ? mime(p, said) : p;
            String r = sweep(q);
            if (!r.equals(q)) {
                said.add("known secret in the payload");
            }
            if (!r.equals(p)) {
                newPayload = r;
            }
        }

        int declared = f.declaredLength();
        if (newPayload != null && newPayload.length() != payload.length) {
            int lengthToken = lengthToken(d, tokens);
            if (lengthToken < 0) {
                // No length token to fix: keep the size, mask the secrets in place instead.
                newPayload = sweepInPlace(latin1(payload));
                said.add("payload length unknown: secrets masked in place");
            } else {
                declared = f.declaredLength() + newPayload.length() - payload.length;
                tokens = line.split(" ", -1);
                tokens[lengthToken] = Integer.toString(declared);
                line = String.join(" ", tokens);
                lineChanged = true;
                said.add("payload length " + f.declaredLength() + " → " + declared);
            }
        }
        if (!lineChanged && newPayload == null) {
            return f;
        }
        notes.put(key(d), List.copyOf(new LinkedHashSet<>(said)));
        byte[] lineBytes = line.getBytes(StandardCharsets.ISO_8859_1);
        byte[] original = f.copyBytes();
        int term = f.terminatorLength();
        byte[] body = newPayload != null ? newPayload.getBytes(StandardCharsets.ISO_8859_1) : payload == null ? new byte[0] : payload;
        byte[] all = new byte[lineBytes.length + term + body.length];
        System.arraycopy(lineBytes, 0, all, 0, lineBytes.length);
        System.arraycopy(original, f.lineLength(), all, lineBytes.length, term);
        System.arraycopy(body, 0, all, lineBytes.length + term, body.length);
        return Frame.ofRaw(all, lineBytes.length, lineBytes.length + term, f.hasPayload() ? declared : -1, f.flags(), f.command());
    }

    private String replaceToken(String token) {
        String whole = placeholders.get(token);
        if (whole != null) {
            return whole;
        }
        List<String[]> parts = kvParts(token);
        if (parts == null) {
            return token;
        }
        StringBuilder sb = new StringBuilder();
        for (String[] kv : parts) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(kv[0]).append('=').append(placeholders.getOrDefault(kv[1], kv[1]));
        }
        return sb.toString();
    }

    /** Index of the payload length token in the split line, or -1. */
    private static int lengthToken(Dissection d, String[] tokens) {
        String declared = Integer.toString(d.frame().declaredLength());
        FormSpec form = d.form();
        if (form != null && form.hasPayload()) {
            FormSpec.Binding b = form.bind(tokens, 1);
            int li = form.lengthIndex();
            if (b.count()[li] == 1 && tokens[b.start()[li]].equals(declared)) {
                return b.start()[li];
            }
        }
        return tokens.length > 1 && tokens[tokens.length - 1].equals(declared) ? tokens.length - 1 : -1;
    }

    private String sweep(String s) {
        for (String secret : sweepOrder) {
            if (s.contains(secret)) {
                s = s.replace(secret, placeholders.get(secret));
            }
        }
        return s;
    }

    private String sweepInPlace(String s) {
        for (String secret : sweepOrder) {
            s = s.replace(secret, "*".repeat(secret.length()));
        }
        return s;
    }

    // ---- MIME payloads --------------------------------------------------------------------------------

    private boolean isMime(Dissection d) {
        Frame f = d.frame();
        if (!f.hasPayload() || f.payloadLength() == 0) {
            return false;
        }
        if (d.form() != null && d.form().payload() != null) {
            return d.form().payload().equals("mime") || d.form().payload().equals("routing");
        }
        byte[] p = f.payload();
        String head = latin1(p.length > 64 ? java.util.Arrays.copyOf(p, 64) : p).toLowerCase(Locale.ROOT);
        return head.startsWith("mime-version:") || head.startsWith("content-type:");
    }

    /** Where the content starts: the header block that says Content-Type, and the body after it. */
    private record Layout(int blockStart, int blockEnd, int bodyStart, String contentType) {
    }

    private static Layout layout(String p) {
        int pos = 0;
        while (pos <= p.length()) {
            int end = p.indexOf("\r\n\r\n", pos);
            int blockEnd = end < 0 ? p.length() : end;
            String type = null;
            for (String line : p.substring(pos, blockEnd).split("\r\n", -1)) {
                Matcher m = HEADER.matcher(line);
                if (m.matches() && m.group(1).equalsIgnoreCase("Content-Type")) {
                    String v = m.group(3);
                    int semi = v.indexOf(';');
                    type = (semi >= 0 ? v.substring(0, semi) : v).trim().toLowerCase(Locale.ROOT);
                }
            }
            if (type != null) {
                return new Layout(pos, blockEnd, end < 0 ? p.length() : end + 4, type);
            }
            if (end < 0) {
                return null;
            }
            pos = end + 4;
        }
        return null;
    }

    private Set<String> secretHeaders(String payload) {
        Layout l = layout(payload);
        ContentTypeSpec ct = l == null ? null : spec.contentType(l.contentType);
        if (ct == null) {
            return anySecretHeader;
        }
        Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        s.addAll(ct.secretHeaders());
        return s;
    }

    private String mime(String p, List<String> said) {
        Set<String> names = secretHeaders(p);
        StringBuilder sb = new StringBuilder(p.length());
        String[] lines = p.split("\r\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            Matcher m = HEADER.matcher(line);
            if (m.matches() && names.contains(m.group(1)) && !m.group(3).isEmpty()) {
                String ph = placeholders.get(m.group(3));
                if (ph != null) {
                    line = m.group(1) + ":" + m.group(2) + ph;
                    said.add(m.group(1) + " → " + ph);
                }
            }
            if (i > 0) {
                sb.append("\r\n");
            }
            sb.append(line);
        }
        String out = sb.toString();
        return mode.hidesMessages() ? messages(out, said) : out;
    }

    private String messages(String p, List<String> said) {
        Layout l = layout(p);
        if (l == null) {
            return p;
        }
        ContentTypeSpec ct = spec.contentType(l.contentType);
        String decode = ct == null ? "" : ct.decode();
        String body = p.substring(l.bodyStart);
        switch (decode) {
            case "text" -> {
                if (!l.contentType.equals("text/plain") || body.isEmpty()) {
                    return p;
                }
                String text = new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
                int chars = text.codePointCount(0, text.length());
                String placeholder = "[redacted " + chars + (chars == 1 ? " char]" : " chars]");
                said.add("message text (" + chars + " chars) replaced");
                String block = contentLength(p.substring(l.blockStart, l.blockEnd), body.length(), placeholder.length());
                return p.substring(0, l.blockStart) + block + p.substring(l.blockEnd, l.bodyStart) + placeholder;
            }
            case "p2p" -> {
                int from = body.length() >= P2P_HEADER + P2P_FOOTER ? P2P_HEADER : 0;
                int to = body.length() >= P2P_HEADER + P2P_FOOTER ? body.length() - P2P_FOOTER : body.length();
                if (to <= from) {
                    return p;
                }
                said.add("P2P data zero-filled (" + (to - from) + " bytes; binary header and footer kept)");
                return p.substring(0, l.bodyStart + from) + "\0".repeat(to - from) + p.substring(l.bodyStart + to);
            }
            case "invite" -> {
                StringBuilder sb = new StringBuilder(p.length());
                String[] lines = p.split("\r\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    String line = lines[i];
                    Matcher m = HEADER.matcher(line);
                    if (m.matches() && m.group(1).equalsIgnoreCase("Application-File") && !m.group(3).isEmpty()) {
                        String name = new String(m.group(3).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
                        int chars = name.codePointCount(0, name.length());
                        line = m.group(1) + ":" + m.group(2) + "[redacted " + chars + " chars]";
                        said.add("offered file name replaced");
                    }
                    if (i > 0) {
                        sb.append("\r\n");
                    }
                    sb.append(line);
                }
                return sb.toString();
            }
            default -> {
                return p;
            }
        }
    }

    /** Keeps a block's Content-Length right when its body changes (SDG/UUM Messaging blocks carry one). */
    private static String contentLength(String block, int oldLength, int newLength) {
        StringBuilder sb = new StringBuilder(block.length());
        String[] lines = block.split("\r\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            Matcher m = HEADER.matcher(line);
            if (m.matches() && m.group(1).equalsIgnoreCase("Content-Length") && m.group(3).trim().equals(Integer.toString(oldLength))) {
                line = m.group(1) + ":" + m.group(2) + newLength;
            }
            if (i > 0) {
                sb.append("\r\n");
            }
            sb.append(line);
        }
        return sb.toString();
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}

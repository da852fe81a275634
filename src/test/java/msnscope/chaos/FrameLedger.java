package msnscope.chaos;

import msnscope.proxy.MsnWorld;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A multiset of frames, each counted under {@code ROLE|ACCOUNT|DIR|LINE|PAYLOAD-DIGEST}, to compare what
 * the peers received with what the store holds.
 *
 * <p>How frames are matched: the same TCP connection is seen by the client, by the server and by the
 * store, but under different names (the store's {@code s3/c2} is not known to the peers). So a connection
 * is named by its role (DS, NS, SB) and its account, which is read the same way on every side from the
 * connection's client-to-server lines ({@code USR n TWN I handle}, {@code USR n handle cookie},
 * {@code ANS n handle ...}); every login of the load uses a new handle, so an account names one login.
 * Within that name frames count per exact line (addresses written as {@code <addr>}, since the proxy
 * rewrites the referrals a client reads) and payload (SHA-256); lines are compared byte for byte (read as
 * ISO-8859-1 on every side, from {@code rawBase64} when the store's text is not exact). A frame a peer
 * received must be in the store at least as many times as peers received it: the store may hold more (a
 * frame recorded just before a kill, never delivered), never fewer. Peers' frames are the clients'
 * server-to-client frames and the servers' client-to-server frames, complete ones only.
 */
final class FrameLedger {

    private static final Pattern ADDRESS = Pattern.compile("(?<=^|\\s)[A-Za-z0-9.\\-]+:\\d{1,5}(?=\\s|$)");
    private static final Pattern LOGIN = Pattern.compile("^USR \\d+ \\S+ I (\\S+)");
    private static final Pattern SB_USR = Pattern.compile("^USR \\d+ (\\S+@\\S+) \\S+");
    private static final Pattern SB_ANS = Pattern.compile("^ANS \\d+ (\\S+) ");

    private final Map<String, Integer> counts = new TreeMap<>();
    private int total;

    void add(String role, String account, String dir, String line, byte[] payload) {
        counts.merge(key(role, account, dir, line, payload), 1, Integer::sum);
        total++;
    }

    int total() {
        return total;
    }

    static String key(String role, String account, String dir, String line, byte[] payload) {
        return role + "|" + account + "|" + dir + "|" + ADDRESS.matcher(line).replaceAll("<addr>") + "|" + digest(payload);
    }

    /**
     * The frames of this ledger that {@code store} lacks, by key with how many are missing; a missing frame
     * whose key is in {@code allowed} uses up one allowance instead (the records of a deliberately damaged
     * file may be lost, and nothing else).
     *
     * <p>A kill can land between a client sending its login line and the proxy recording (or forwarding)
     * it: then one side names the connection's account and the other does not ("?"). So what is still
     * missing after exact matching may be matched, same role and frame, between an account and "?".
     */
    Map<String, Integer> missingFrom(FrameLedger store, Map<String, Integer> allowed) {
        Map<String, Integer> surplus = new HashMap<>(store.counts);
        Map<String, Integer> lacking = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            int left = e.getValue() - take(surplus, e.getKey(), e.getValue());
            if (left > 0) {
                lacking.put(e.getKey(), left);
            }
        }
        Map<String, List<String>> byFrame = new HashMap<>();
        for (String k : surplus.keySet()) {
            byFrame.computeIfAbsent(withoutAccount(k), x -> new ArrayList<>()).add(k);
        }
        Map<String, Integer> missing = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : lacking.entrySet()) {
            String k = e.getKey();
            int left = e.getValue();
            List<String> candidates = new ArrayList<>(account(k).equals("?") ? byFrame.getOrDefault(withoutAccount(k), List.of())
                    : List.of(withoutAccount(k).replaceFirst("\\|", "|?|")));
            if (account(k).equals("?") && (k.startsWith("DS|") || k.startsWith("NS|"))) {
                // A login cut off before its server's XFR NS never showed it was at a dispatch server: the
                // store calls that connection NS, the server it dialled knows it was its DS.
                String other = (k.startsWith("DS|") ? "NS" : "DS") + withoutAccount(k).substring(2);
                candidates.addAll(byFrame.getOrDefault(other, List.of()));
            }
            for (String c : candidates) {
                left -= take(surplus, c, left);
            }
            left -= Math.min(left, allowed.getOrDefault(k, 0));
            if (left > 0) {
                missing.put(k, left);
            }
        }
        return missing;
    }

    /** Takes up to {@code n} of {@code key} from {@code pool}; returns how many it took. */
    private static int take(Map<String, Integer> pool, String key, int n) {
        int have = pool.getOrDefault(key, 0);
        int took = Math.min(have, n);
        if (took > 0) {
            pool.put(key, have - took);
        }
        return took;
    }

    private static String account(String key) {
        int a = key.indexOf('|');
        return key.substring(a + 1, key.indexOf('|', a + 1));
    }

    /** {@code ROLE|DIR|LINE|PAYLOAD}: the key with its account left out. */
    private static String withoutAccount(String key) {
        int a = key.indexOf('|');
        return key.substring(0, a) + key.substring(key.indexOf('|', a + 1));
    }

    /** One paragraph for a failure message: how many were lost of how many, and which (the first 15). */
    static String describe(Map<String, Integer> missing, int received, String where) {
        int lost = missing.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder sb = new StringBuilder().append(lost).append(" of ").append(received)
                .append(" frames that a peer received are missing from ").append(where).append(" (ROLE|ACCOUNT|DIR|LINE|PAYLOAD ×lost):");
        missing.entrySet().stream().limit(15).forEach(e -> sb.append("\n      ").append(shorten(e.getKey())).append(" ×").append(e.getValue()));
        if (missing.size() > 15) {
            sb.append("\n      … and ").append(missing.size() - 15).append(" more kinds");
        }
        return sb.toString();
    }

    static int count(Map<String, Integer> missing) {
        return missing.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** At most 160 characters, bytes that are not printable ASCII as {@code \\xNN}. */
    private static String shorten(String key) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < key.length() && sb.length() < 160; i++) {
            char c = key.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.length() < 160 ? sb.toString() : sb + "…";
    }

    // ---- building ledgers ----

    /** What the peers received: the clients' server-to-client frames and the servers' client-to-server frames. */
    static FrameLedger received(List<ChatLoad.Client> clients, List<MsnWorld.Record> world) {
        FrameLedger l = new FrameLedger();
        for (ChatLoad.Client c : clients) {
            // Read after the load's threads ended: each client is used by one thread only.
            byte[] sent = c.script().sent.toByteArray();
            byte[] got = c.script().received.toByteArray();
            String account = account(c.role(), WireFrames.lines(sent));
            for (WireFrames.Frame f : WireFrames.split(got)) {
                l.add(c.role(), account, "S2C", f.line(), f.payload());
            }
        }
        for (MsnWorld.Record r : world) {
            List<WireFrames.Frame> frames = WireFrames.split(r.receivedBytes());
            String account = account(r.role, frames.stream().map(WireFrames.Frame::line).toList());
            for (WireFrames.Frame f : frames) {
                l.add(r.role, account, "C2S", f.line(), f.payload());
            }
        }
        return l;
    }

    /**
     * What the store holds, from the JSON Lines objects of {@code export} or {@code search} (keys session,
     * stream, role, dir, raw, payload or payloadBase64), grouped into connections by session and stream.
     */
    static FrameLedger stored(List<Map<String, Object>> frames) {
        Map<String, List<Map<String, Object>>> byConnection = new LinkedHashMap<>();
        for (Map<String, Object> f : frames) {
            byConnection.computeIfAbsent(f.get("session") + "/" + f.get("stream"), k -> new ArrayList<>()).add(f);
        }
        FrameLedger l = new FrameLedger();
        for (List<Map<String, Object>> conn : byConnection.values()) {
            String role = conn.stream().map(f -> (String) f.get("role")).filter(r -> r != null).findFirst().orElse("?");
            List<String> c2s = conn.stream().filter(f -> "C2S".equals(f.get("dir"))).map(f -> frame(f).line()).toList();
            String account = account(role, c2s);
            // Each direction's bytes in wire order, cut as a peer reads them: a payload the proxy streamed in
            // pieces (over --max-payload) is stored as a line frame and part frames, and read back whole here.
            for (String dir : List.of("C2S", "S2C")) {
                java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
                conn.stream().filter(f -> dir.equals(f.get("dir")))
                        .sorted(java.util.Comparator.comparingLong(f -> ((Number) f.get("seq")).longValue()))
                        .forEach(f -> wire.writeBytes(bytes(f)));
                for (WireFrames.Frame w : WireFrames.split(wire.toByteArray())) {
                    l.add(role, account, dir, w.line(), w.payload());
                }
            }
        }
        return l;
    }

    /** A JSON Lines frame's exact bytes: {@code rawBase64}, else {@code raw}, CR LF and the payload. */
    static byte[] bytes(Map<String, Object> f) {
        if (f.get("rawBase64") instanceof String b64) {
            return Base64.getDecoder().decode(b64);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes((f.get("raw") + "\r\n").getBytes(StandardCharsets.UTF_8));
        if (f.get("payload") instanceof String text) {
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        } else if (f.get("payloadBase64") instanceof String b64) {
            out.writeBytes(Base64.getDecoder().decode(b64));
        }
        return out.toByteArray();
    }

    /**
     * The frame of a JSON Lines object as a peer's bytes read: from {@code rawBase64} when the text keys
     * are not exact (bytes that are not UTF-8, a bare LF), else from {@code raw} and the payload keys.
     */
    static WireFrames.Frame frame(Map<String, Object> f) {
        if (f.get("rawBase64") instanceof String b64) {
            return WireFrames.one(Base64.getDecoder().decode(b64));
        }
        String line = new String(String.valueOf(f.get("raw")).getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        byte[] payload = null;
        if (f.get("payload") instanceof String text) {
            payload = text.getBytes(StandardCharsets.UTF_8);
        } else if (f.get("payloadBase64") instanceof String b64) {
            payload = Base64.getDecoder().decode(b64);
        }
        return new WireFrames.Frame(line, payload);
    }

    /** The login of a connection, from its client-to-server lines; "?" before any login line. */
    static String account(String role, List<String> c2sLines) {
        for (String line : c2sLines) {
            Matcher m = LOGIN.matcher(line);
            if (!role.equals("SB") && m.find()) {
                return m.group(1);
            }
            if (role.equals("SB")) {
                Matcher usr = SB_USR.matcher(line);
                if (usr.find()) {
                    return usr.group(1);
                }
                Matcher ans = SB_ANS.matcher(line);
                if (ans.find()) {
                    return ans.group(1);
                }
            }
        }
        return "?";
    }

    private static String digest(byte[] payload) {
        if (payload == null) {
            return "-";
        }
        try {
            return payload.length + ":" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

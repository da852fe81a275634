package msnscope.capture;

import msnscope.dissect.Dissection;
import msnscope.wire.Direction;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which session (login story) a connection belongs to. The rules, in order
 * ({@code docs/capture-format.md} § Stitching):
 *
 * <ol>
 *   <li>A connection the proxy opened for a referral joins the session of the connection whose server
 *       sent the referral ({@code XFR NS}, {@code XFR SB}, {@code RNG}).</li>
 *   <li>A switchboard connection (first client line {@code USR trid handle cookie} or
 *       {@code ANS trid handle cookie sessid}) joins the session whose server handed out that cookie in
 *       {@code XFR SB}/{@code RNG}.</li>
 *   <li>A notification-server connection joins the session whose dispatch server referred the same client
 *       host to that server address with {@code XFR NS} (pcap imports, where no proxy saw the referral).</li>
 *   <li>A switchboard connection whose cookie was never seen (the capture started mid-session) joins the
 *       most recent session logged in with the switchboard's account.</li>
 *   <li>Anything else starts a new session.</li>
 * </ol>
 *
 * Accounts are taken from the connections' {@code USR}/{@code CVR}. Memory is bounded: old cookies and
 * referrals are forgotten first.
 */
public final class Stitcher {

    private static final int MAX_ENTRIES = 16_384;

    private final Map<String, String> cookieSession = bounded();
    private final Map<String, String> nsReferral = bounded();
    private final Map<String, String> accountSession = bounded();

    /** Remembers what a dissected server frame says about later connections (referral fields). */
    public void frame(String session, String clientHost, Dissection d) {
        if (d.direction() == Direction.S2C && d.fields().get("referral") instanceof Map<?, ?> ref) {
            Object kind = ref.get("kind");
            Object address = ref.get("address");
            Object cookie = ref.get("cookie");
            if ("SB".equals(kind) && cookie != null) {
                cookieSession.put(cookie.toString(), session);
            } else if ("NS".equals(kind) && address != null && !"0".equals(address)) {
                nsReferral.put(key(clientHost, address.toString()), session);
            }
        }
        if (d.account() != null) {
            accountSession.put(d.account().toLowerCase(java.util.Locale.ROOT), session);
        }
    }

    /** A switchboard cookie the proxy saw in a referral (the proxy may know it before the frame is recorded). */
    public void cookie(String cookie, String session) {
        if (cookie != null) {
            cookieSession.put(cookie, session);
        }
    }

    /** Rule 2 by cookie alone: the session whose server handed out {@code cookie}, or null. */
    public String cookieSession(String cookie) {
        return cookie == null ? null : cookieSession.get(cookie);
    }

    /** Rule 3: the session that referred this client host to this server address, or null. */
    public String notificationServer(String clientHost, String serverAddress) {
        return serverAddress == null ? null : nsReferral.remove(key(clientHost, serverAddress));
    }

    // TEMPORARY (lead's branch): the evidence API, replaced by the stitching branch at merge.
    private final Map<String, java.util.List<String[]>> nsTickets = bounded();

    public void nsReferral(String session, String clientHost, String serverAddress, String account, long micros) {
        nsTickets.computeIfAbsent(key(clientHost, serverAddress), k -> new java.util.ArrayList<>()).add(new String[] {session, account});
    }

    public int nsCandidates(String clientHost, String serverAddress) {
        java.util.List<String[]> l = nsTickets.get(key(clientHost, serverAddress));
        return l == null ? 0 : l.size();
    }

    public String notificationServer(String clientHost, String serverAddress, String account) {
        java.util.List<String[]> l = nsTickets.get(key(clientHost, serverAddress));
        if (l == null || l.isEmpty()) {
            return null;
        }
        for (int i = 0; i < l.size(); i++) {
            if (l.size() == 1 || (account != null && account.equalsIgnoreCase(l.get(i)[1]))) {
                return l.remove(i)[0];
            }
        }
        return null;
    }

    /** Rules 2 and 4 for a switchboard whose first client line is {@code line}, or null. */
    public String switchboard(String line) {
        String[] t = line == null ? new String[0] : line.split(" ");
        String cookie = null;
        String account = null;
        if (t.length >= 4 && (t[0].equals("USR") || t[0].equals("ANS"))) {
            account = t[2];
            cookie = t[3];
        }
        String s = cookie == null ? null : cookieSession.get(cookie);
        if (s == null && account != null) {
            s = accountSession.get(account.toLowerCase(java.util.Locale.ROOT));
        }
        return s;
    }

    /** True when a first client line opens a switchboard connection ({@code USR trid handle cookie}, {@code ANS …}). */
    public static boolean opensSwitchboard(String line) {
        if (line == null) {
            return false;
        }
        List<String> t = List.of(line.split(" "));
        return (t.get(0).equals("ANS") && t.size() >= 4)
                || (t.get(0).equals("USR") && t.size() == 4 && t.get(2).contains("@") && !t.get(3).equals("I") && !t.get(3).equals("S"));
    }

    private static String key(String clientHost, String address) {
        return (clientHost == null ? "" : clientHost) + ">" + address.toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code host} of {@code host:port} ({@code [v6]:port} too), or null. */
    public static String host(String hostPort) {
        if (hostPort == null) {
            return null;
        }
        int colon = hostPort.lastIndexOf(':');
        String h = colon > 0 ? hostPort.substring(0, colon) : hostPort;
        return h.startsWith("/") ? h.substring(1) : h;
    }

    private static <K, V> Map<K, V> bounded() {
        return new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > MAX_ENTRIES;
            }
        };
    }
}

package msnscope.capture;

import msnscope.dissect.Dissection;
import msnscope.wire.Direction;

import java.util.ArrayList;
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
 *   <li>A notification-server connection joins the session whose dispatch server referred it, by evidence:
 *       an {@code XFR NS} that sent the same client host to the server address the connection went to, passed
 *       before the connection opened, from a dispatch connection logged in with the same account. Each referral
 *       is used once; when the evidence does not single one out, the connection is not guessed into any
 *       (pcap imports, where no proxy saw the referral; see {@link #notificationServer(String, String, String, long)}).</li>
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
    /** Unconsumed referrals kept per (client host, server): a host behind NAT may log in many times. */
    private static final int MAX_REFERRALS_PER_KEY = 256;
    /**
     * How long before a connection opened a referral can explain it. A client connects to the notification
     * server the moment the dispatch server refers it (Escargot expires even switchboard cookies after two
     * minutes); an older unclaimed referral is a login that went elsewhere, not evidence.
     */
    private static final long MAX_REFERRAL_AGE_MICROS = 10L * 60 * 1_000_000;

    /** An {@code XFR NS} not yet claimed by a notification-server connection. */
    private record NsReferral(String session, String account, long micros) {
        boolean fits(String other) {
            return account == null || other == null || account.equalsIgnoreCase(other);
        }
    }

    private final Map<String, String> cookieSession = bounded();
    private final Map<String, List<NsReferral>> nsReferrals = bounded();
    private final Map<String, String> accountSession = bounded();

    /** Remembers what a dissected server frame says about later connections (referral fields). */
    public void frame(String session, String clientHost, Dissection d) {
        if (d.direction() == Direction.S2C && d.fields().get("referral") instanceof Map<?, ?> ref) {
            Object kind = ref.get("kind");
            Object address = ref.get("address");
            Object cookie = ref.get("cookie");
            if ("SB".equals(kind) && cookie != null) {
                cookieSession.put(cookie.toString(), session);
            } else if ("NS".equals(kind) && address != null) {
                nsReferral(session, clientHost, address.toString(), d.account(), d.timeMicros() == null ? 0 : d.timeMicros());
            }
        }
        if (d.account() != null) {
            accountSession.put(d.account().toLowerCase(java.util.Locale.ROOT), session);
        }
    }

    /** A connection of {@code session} logged in as {@code account} (rule 4; the proxy's dissector tells it late). */
    public void account(String session, String account) {
        if (session != null && account != null) {
            accountSession.put(account.toLowerCase(java.util.Locale.ROOT), session);
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

    /**
     * An XFR NS referral passed: session {@code session} (logged in as {@code account}, may be null) referred
     * {@code clientHost} to {@code serverAddress} at {@code micros}. The same referral seen twice (as a frame
     * and as a proxy event) counts once.
     */
    public void nsReferral(String session, String clientHost, String serverAddress, String account, long micros) {
        if (session == null || serverAddress == null || "0".equals(serverAddress)) {
            return;
        }
        List<NsReferral> list = nsReferrals.computeIfAbsent(key(clientHost, serverAddress), k -> new ArrayList<>());
        NsReferral r = new NsReferral(session, account, micros);
        if (list.contains(r)) {
            return;
        }
        list.add(r);
        if (list.size() > MAX_REFERRALS_PER_KEY) {
            list.remove(0);
        }
    }

    /** Unconsumed referrals of (clientHost, serverAddress): how many candidates an NS connection from that host has. */
    public int nsCandidates(String clientHost, String serverAddress) {
        List<NsReferral> list = serverAddress == null ? null : nsReferrals.get(key(clientHost, serverAddress));
        return list == null ? 0 : list.size();
    }

    /**
     * Rule 3 with evidence. account == null: not known yet. Returns the session when exactly one unconsumed
     * candidate fits (the only candidate; or the only one whose account equals {@code account},
     * case-insensitive; or, when several fit the account, the oldest), consuming it; otherwise null.
     */
    public String notificationServer(String clientHost, String serverAddress, String account) {
        return notificationServer(clientHost, serverAddress, account, Long.MAX_VALUE);
    }

    /**
     * Rule 3 with evidence and time order: only referrals passed at or before {@code openedMicros} (when the
     * connection opened), and not more than ten minutes before, are candidates. A referral from a login with another account never fits; one
     * whose account is unknown fits any. Of the fitting ones, those with the same account win, the oldest
     * first (two logins of one account from one host are told apart by order: the first referred connects
     * first); without such, a single fitting candidate is taken; anything else is ambiguous and gives null,
     * so the connection starts its own session rather than joining a stranger's.
     */
    public String notificationServer(String clientHost, String serverAddress, String account, long openedMicros) {
        List<NsReferral> list = serverAddress == null ? null : nsReferrals.get(key(clientHost, serverAddress));
        if (list == null) {
            return null;
        }
        NsReferral chosen = null;
        NsReferral onlyFitting = null;
        int fitting = 0;
        for (NsReferral r : list) {
            if (r.micros() > openedMicros || tooOld(r, openedMicros) || !r.fits(account)) {
                continue;
            }
            fitting++;
            onlyFitting = r;
            if (account != null && account.equalsIgnoreCase(r.account())) {
                chosen = r;
                break;
            }
        }
        if (chosen == null && fitting == 1) {
            chosen = onlyFitting;
        }
        if (chosen == null) {
            return null;
        }
        list.remove(chosen);
        if (list.isEmpty()) {
            nsReferrals.remove(key(clientHost, serverAddress));
        }
        return chosen.session();
    }

    /** Only with both times known: 0 is "the referral's time is unknown", MAX_VALUE "the connection's". */
    private static boolean tooOld(NsReferral r, long openedMicros) {
        return r.micros() > 0 && openedMicros != Long.MAX_VALUE && openedMicros - r.micros() > MAX_REFERRAL_AGE_MICROS;
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

package msnscope.dissect;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What connections of one login share: the version the notification server negotiated and the
 * switchboard cookies it handed out. A switchboard never sees {@code VER}; it inherits the version of
 * the session whose referral carried its cookie (MSNP.md §1.6).
 */
public final class SessionContext {

    /** Bound on remembered cookies, so a long session cannot grow this without limit. */
    private static final int MAX_COOKIES = 4096;

    private final String id;
    private int version;
    private String account;
    private final Map<String, Integer> cookieVersions = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > MAX_COOKIES;
        }
    };

    public SessionContext(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The last version negotiated on any connection of the session, 0 if none. */
    public synchronized int version() {
        return version;
    }

    synchronized void negotiated(int version) {
        this.version = version;
    }

    public synchronized String account() {
        return account;
    }

    synchronized void account(String account) {
        if (this.account == null) {
            this.account = account;
        }
    }

    synchronized void referral(String cookie, int version) {
        if (cookie != null && version > 0) {
            cookieVersions.put(cookie, version);
        }
    }

    /** The version of the session that issued a switchboard cookie, or 0. */
    synchronized int versionForCookie(String cookie) {
        Integer v = cookie == null ? null : cookieVersions.get(cookie);
        return v == null ? 0 : v;
    }
}

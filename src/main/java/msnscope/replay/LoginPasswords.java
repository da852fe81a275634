package msnscope.replay;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The passwords given with {@code --password ACCOUNT=PW}, by account (handles compare case-insensitively). */
public final class LoginPasswords {

    private final Map<String, String> byAccount;

    private LoginPasswords(Map<String, String> byAccount) {
        this.byAccount = byAccount;
    }

    public static final LoginPasswords NONE = new LoginPasswords(Map.of());

    /**
     * Parses {@code ACCOUNT=PW} values; the first {@code =} splits (a password may contain {@code =}).
     *
     * @throws IllegalArgumentException with a one-line message for a value without an account
     */
    public static LoginPasswords parse(List<String> values) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--password takes ACCOUNT=PASSWORD, not '" + v + "'");
            }
            map.put(key(v.substring(0, eq)), v.substring(eq + 1));
        }
        return new LoginPasswords(Map.copyOf(map));
    }

    /** The password of an account, or null when none was given. */
    public String of(String account) {
        return account == null ? null : byAccount.get(key(account));
    }

    /** The accounts given a password, lower-case. */
    public java.util.Set<String> accounts() {
        return byAccount.keySet();
    }

    private static String key(String account) {
        return account.trim().toLowerCase(Locale.ROOT);
    }
}

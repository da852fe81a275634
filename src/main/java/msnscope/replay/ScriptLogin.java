package msnscope.replay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One login of a {@link Script}: every connection of one source that named the same account (dispatch,
 * notification server, switchboards), in order of first frame. Connections that never named an account
 * form a login of their own with a null account.
 */
public final class ScriptLogin {

    private final String source;
    private final String account;
    final List<ScriptConnection> connections = new ArrayList<>();

    ScriptLogin(String source, String account) {
        this.source = source;
        this.account = account;
    }

    public String source() {
        return source;
    }

    /** The account, or null. */
    public String account() {
        return account;
    }

    public List<ScriptConnection> connections() {
        return Collections.unmodifiableList(connections);
    }

    @Override
    public String toString() {
        return source + " " + (account == null ? "(no account)" : account);
    }
}

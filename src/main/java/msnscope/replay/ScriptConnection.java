package msnscope.replay;

import msnscope.dissect.spec.FormSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One captured TCP connection of a {@link Script}: its server's role, the address the client dialled in the
 * capture, the account it named, the referral frame that sent the client there and, for a switchboard, the
 * cookie its first client line carried.
 */
public final class ScriptConnection {

    private final String source;
    private final String id;
    private final FormSpec.Role role;
    private final String server;
    private final String account;
    final List<ScriptFrame> frames = new ArrayList<>();
    ScriptLogin login;
    ScriptFrame referral;
    String cookie;

    ScriptConnection(String source, String id, FormSpec.Role role, String server, String account) {
        this.source = source;
        this.id = id;
        this.role = role;
        this.server = server;
        this.account = account;
    }

    /** The source it came from (file name, or stored session id). */
    public String source() {
        return source;
    }

    /** {@code c1}, {@code c2} … in order of first frame within the source. */
    public String id() {
        return id;
    }

    /** How messages name it: {@code msnp11-chat.txt c3 (SB alice@example.com)}. */
    public String name() {
        return source + " " + id + " (" + (role == null ? "?" : role) + (account == null ? "" : " " + account) + ")";
    }

    /** DS, NS or SB as the dissector settled it; null when it could not tell. */
    public FormSpec.Role role() {
        return role;
    }

    /** The server address the client dialled in the capture ({@code host:port}), or null when the source does not say. */
    public String server() {
        return server;
    }

    /** The account the client named on it ({@code USR}/{@code CVR} handle), or null. */
    public String account() {
        return account;
    }

    public ScriptLogin login() {
        return login;
    }

    /**
     * The server frame (on another connection of the same source) whose referral ({@code XFR NS},
     * {@code XFR SB}, {@code RNG}) sent the client here: for a switchboard the one that handed out its
     * cookie, else the last {@code XFR NS} to this server's address before it; null for the first connection.
     */
    public ScriptFrame referral() {
        return referral;
    }

    /** The switchboard cookie of its first client line ({@code USR}/{@code ANS}), or null. */
    public String cookie() {
        return cookie;
    }

    /** Every frame, both directions, in connection order. */
    public List<ScriptFrame> frames() {
        return Collections.unmodifiableList(frames);
    }

    /** The client's frames, in order. */
    public List<ScriptFrame> clientFrames() {
        return frames.stream().filter(ScriptFrame::fromClient).toList();
    }

    /** The first client frame, or null. */
    public ScriptFrame firstClientFrame() {
        for (ScriptFrame f : frames) {
            if (f.fromClient()) {
                return f;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name();
    }
}

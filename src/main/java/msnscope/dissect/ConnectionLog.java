package msnscope.dissect;

import msnscope.dissect.spec.FormSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One connection of a dissected session: where it went and every frame on it, in order. */
public final class ConnectionLog {

    private final String id;
    private final String server;
    private final String client;
    private final StreamDissector stream;
    private final List<Dissection> frames = new ArrayList<>();
    /** Frames of the whole connection when this is a {@link #showing} view of some of them, else -1. */
    private int whole = -1;

    ConnectionLog(String id, String server, String client, StreamDissector stream) {
        this.id = id;
        this.server = server;
        this.client = client;
        this.stream = stream;
    }

    public String id() {
        return id;
    }

    /** The server address ({@code host:port}), or null when the source does not say. */
    public String server() {
        return server;
    }

    /** The client address, or null when the source does not say. */
    public String client() {
        return client;
    }

    public FormSpec.Role role() {
        return stream.role();
    }

    public String account() {
        return stream.account();
    }

    /** Negotiated or inherited version, 0 when unknown. */
    public int version() {
        return stream.version();
    }

    /** How far the login got ({@code TWN challenge}, {@code logged in}, …), or null. */
    public String authStage() {
        return stream.authStage();
    }

    /** The account's own status as last set or echoed ({@code NLN}, {@code HDN}, …), or null. */
    public String status() {
        return stream.status();
    }

    /**
     * The login {@code frame} (one of this connection's) belongs to: the account logged in when it passed, else
     * the one the connection went on to log in as, so the {@code VER} and {@code CVR} opening bob's login are
     * bob's. The index records frames under this account; filters ask about it.
     */
    public String accountOf(Dissection frame) {
        return frame.account() != null ? frame.account() : account();
    }

    public List<Dissection> frames() {
        return Collections.unmodifiableList(frames);
    }

    /**
     * This connection showing only {@code shown} (some of its frames, such as those a {@code --filter} matched):
     * same id, endpoints, role, account and version, so every export format renders it as it would the whole.
     */
    public ConnectionLog showing(List<Dissection> shown) {
        ConnectionLog view = new ConnectionLog(id, server, client, stream);
        view.frames.addAll(shown);
        view.whole = totalFrames();
        return view;
    }

    /** Frames of the whole connection: those of {@link #frames}, or more when this shows only some of them. */
    public int totalFrames() {
        return whole >= 0 ? whole : frames.size();
    }

    StreamDissector stream() {
        return stream;
    }

    void add(Dissection d) {
        frames.add(d);
    }
}

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

    public List<Dissection> frames() {
        return Collections.unmodifiableList(frames);
    }

    StreamDissector stream() {
        return stream;
    }

    void add(Dissection d) {
        frames.add(d);
    }
}

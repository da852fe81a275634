package msnscope.export;

import msnscope.dissect.ConnectionLog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an export knows about a session beyond its frames: its id, whether msnscope sat in the middle as
 * a proxy, and per connection the endpoints. Small on purpose, so the capture store can fill it.
 *
 * @param sessionId   shown in headers and file names
 * @param proxied     true when the traffic went through msnscope's proxy (the sequence diagram then shows it)
 * @param endpoints   per connection id ({@code c1}, …); connections not listed use {@link ConnectionLog#server()}
 */
public record SessionMeta(String sessionId, boolean proxied, Map<String, Endpoints> endpoints) {

    /**
     * @param client   the client's address ({@code host:port}), or null
     * @param proxy    the msnscope address the client connected to, or null (not proxied)
     * @param server   the real server address (the original address of a rewritten referral), or null
     */
    public record Endpoints(String client, String proxy, String server) {
    }

    public SessionMeta {
        endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
    }

    /** An offline session (a transcript or a pcap): nothing known but its id. */
    public static SessionMeta offline(String sessionId) {
        return new SessionMeta(sessionId, false, Map.of());
    }

    /** Endpoints taken from the connections themselves. */
    public static SessionMeta of(String sessionId, boolean proxied, List<ConnectionLog> connections) {
        Map<String, Endpoints> m = new LinkedHashMap<>();
        for (ConnectionLog c : connections) {
            m.put(c.id(), new Endpoints(c.client(), null, c.server()));
        }
        return new SessionMeta(sessionId, proxied, m);
    }

    /** The endpoints of a connection, falling back to what the connection log says. */
    public Endpoints endpoints(ConnectionLog c) {
        Endpoints e = endpoints.get(c.id());
        if (e == null) {
            return new Endpoints(c.client(), null, c.server());
        }
        return new Endpoints(e.client() != null ? e.client() : c.client(), e.proxy(), e.server() != null ? e.server() : c.server());
    }
}

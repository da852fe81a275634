package msnscope.capture;

/**
 * Where one connection of a session really went (STYLE.md lesson 8: original and rewritten endpoints).
 * Any field may be null when the source does not know it (a transcript has no client address).
 *
 * @param proxyId      the proxy's own connection id ({@code c17}) or the pcap connection id, for people
 * @param role         DS, NS or SB as known when it opened (the dissector refines it), or null
 * @param client       client endpoint {@code host:port}
 * @param proxy        the proxy endpoint the client dialled (null when not proxied)
 * @param upstreamName the server as the client would have dialled it without the proxy
 * @param upstream     the address actually connected (after {@code --resolve})
 * @param referral     the referral that created the connection, or null
 * @param openedMicros epoch microseconds when it opened, or null
 */
public record ConnectionInfo(String proxyId, String role, String client, String proxy, String upstreamName,
                             String upstream, StoredReferral referral, Long openedMicros) {

    /** The server address shown to people: the upstream as named, else as connected. */
    public String server() {
        return upstreamName != null ? upstreamName : upstream;
    }

    /**
     * A referral as stored: {@code fromConnection} is the session-local id of the connection whose
     * server sent it.
     */
    public record StoredReferral(String kind, String fromConnection, String account, String original, String rewritten,
                                 String cookie, String sessionId, String line, long timeMicros) {
    }
}

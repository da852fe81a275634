package msnscope.proxy;

/**
 * A server's instruction to connect elsewhere ({@code XFR NS}, {@code XFR SB}, {@code RNG}), as seen and
 * rewritten by the proxy.
 *
 * @param kind             {@code NS} or {@code SB}
 * @param fromConnection   id of the connection whose server sent it
 * @param account          account logged in on that connection, or null
 * @param original         {@code host:port} as the server wrote it
 * @param rewritten        {@code host:port} the proxy wrote instead
 * @param cookie           switchboard cookie, or null
 * @param sessionId        switchboard session id ({@code RNG}), or null
 * @param line             the original command line
 * @param timeMicros       epoch microseconds when it passed
 */
public record Referral(String kind, String fromConnection, String account, String original, String rewritten,
                       String cookie, String sessionId, String line, long timeMicros) {
}

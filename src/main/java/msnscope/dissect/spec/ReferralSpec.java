package msnscope.dissect.spec;

import java.util.List;

/**
 * Declares that a form sends the client to another server: the proxy rewrites {@code address} (and the
 * informational {@code also} addresses) to itself and remembers where the client really wanted to go.
 *
 * @param kind    {@code NS} or {@code SB}
 * @param address parameter holding {@code host:port}
 * @param cookie  parameter holding the switchboard cookie, or null
 * @param session parameter holding the switchboard session id, or null
 * @param also    other {@code hostport} parameters to rewrite
 */
public record ReferralSpec(String kind, String address, String cookie, String session, List<String> also) {
}

package msnscope.proxy;

import msnscope.dissect.spec.FormSpec;

import java.net.InetSocketAddress;

/**
 * One proxied TCP connection and where its traffic really went: the client, the proxy's own endpoint
 * the client dialled, and the upstream server as it was named (e.g. {@code m1.escargot.log1p.xyz:1864})
 * and as it was connected (after {@code --resolve}).
 *
 * @param id           short connection id, unique within the proxy run ({@code c1}, {@code c2}, …)
 * @param role         role known from the listener: {@code NS} for the main listener (DS or NS), {@code SB}
 *                     for switchboard routes; the dissector may refine it
 * @param client       client endpoint
 * @param proxy        the proxy endpoint the client connected to
 * @param upstreamName the server as the client would have dialled it without the proxy ({@code host:port})
 * @param upstream     the address actually connected, or null before the connection is up
 * @param referral     the referral that sent the client here, or null for connections to {@code --upstream}
 * @param openedMicros epoch microseconds when the client connected
 */
public record ProxyConnection(String id, FormSpec.Role role, InetSocketAddress client, InetSocketAddress proxy,
                              String upstreamName, InetSocketAddress upstream, Referral referral, long openedMicros) {
}

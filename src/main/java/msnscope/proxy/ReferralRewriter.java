package msnscope.proxy;

import msnscope.dissect.Dissection;
import msnscope.dissect.SessionContext;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ReferralSpec;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Rewrites the server addresses of a referral line ({@code XFR … NS}, {@code XFR … SB}, {@code RNG}, every
 * form and version) to proxy listeners. Which tokens are addresses comes only from the form the dissector
 * matched: {@link FormSpec#referral()} names the {@code address} parameter, the informational {@code also}
 * ones (MSNP7–12's current-server token) and the cookie and session parameters, as declared in
 * {@code dissectors/commands/*.yaml}. There is no second table of referral forms here.
 *
 * <p>Only the address tokens change, byte for byte; everything else on the line, including its terminator
 * and any bytes that are not valid UTF-8, is kept. Command lines have no length, so nothing else is
 * recomputed. The {@code 0} of {@code XFR 0 NS 0} is left alone; any other address that is not {@code host:port}
 * is left alone too, with a refusal for the log.
 */
final class ReferralRewriter {

    /** The outcome for one referral line: the bytes to forward (null = unchanged) and what happened. */
    record Result(byte[] forwarded, Referral referral, String refusal) {
    }

    /** Who received the referral. */
    record Receiver(String connectionId, String account, String clientIp, String advertiseHost, SessionContext session) {
    }

    /** The {@code hostport} value that means "the server you are on" ({@code XFR 0 NS 0}), per {@code dissectors/README.md}. */
    private static final String SAME_SERVER = "0";

    private final RouteTable routes;
    private final RouteTable.Binder binder;
    private final Resolver resolver;

    ReferralRewriter(RouteTable routes, RouteTable.Binder binder) {
        this(routes, binder, Resolver.system());
    }

    /** @param resolver the connect path's resolver, so the self-relay guard sees the address a connection would reach */
    ReferralRewriter(RouteTable routes, RouteTable.Binder binder, Resolver resolver) {
        this.routes = routes;
        this.binder = binder;
        this.resolver = resolver;
    }

    /** True when the dissected frame is a server referral this class would rewrite. */
    static boolean isReferral(Dissection d) {
        return d != null && d.direction() == Direction.S2C && d.form() != null && d.form().referral() != null;
    }

    /** Rewrites a referral; returns null when the frame is not one or names no address. */
    Result rewrite(Dissection d, Receiver who, long timeMicros) {
        if (!isReferral(d)) {
            return null;
        }
        FormSpec form = d.form();
        ReferralSpec spec = form.referral();
        Frame frame = d.frame();
        String[] tokens = tokensOf(d);
        FormSpec.Binding binding = form.bind(tokens, 1);
        int addressIndex = binding.tokenIndex(spec.address());
        if (addressIndex < 0 || SAME_SERVER.equals(tokens[addressIndex])) {
            return null;
        }
        HostPort target = HostPort.tryParse(tokens[addressIndex]);
        if (target == null) {
            // Not routable (an unbracketed IPv6 address, a port out of range): the client may still make
            // something of it, so the line goes through as sent, and the log says why it was not rewritten.
            return new Result(null, null, "its address '" + tokens[addressIndex] + "' is not HOST:PORT ([brackets] around IPv6)");
        }
        String cookie = spec.cookie() == null ? null : binding.token(spec.cookie());
        String sessionId = spec.session() == null ? null : binding.token(spec.session());
        FormSpec.Role role = "SB".equals(spec.kind()) ? FormSpec.Role.SB : FormSpec.Role.NS;
        String original = tokens[addressIndex];
        String line = frame.line();
        RouteTable.Route route;
        try {
            route = route(target, role);
        } catch (RouteTable.RefusedException e) {
            return new Result(null, null, e.getMessage());
        }
        String rewritten = who.advertiseHost() + ":" + route.listenAddress().getPort();
        Referral referral = new Referral(spec.kind(), who.connectionId(), who.account(), original, rewritten, cookie, sessionId,
                line, timeMicros);
        if (cookie != null && role == FormSpec.Role.SB) {
            try {
                routes.issue(new RouteTable.Ticket(cookie, route, who.session(), who.clientIp(), referral, System.nanoTime()));
            } catch (RouteTable.RefusedException e) {
                return new Result(null, null, e.getMessage());
            }
        }
        java.util.Map<Integer, String> replace = new java.util.TreeMap<>();
        replace.put(addressIndex, rewritten);
        if (spec.also() != null) {
            for (String name : spec.also()) {
                int i = binding.tokenIndex(name);
                HostPort other = i < 0 ? null : HostPort.tryParse(tokens[i]);
                if (other == null) {
                    continue;
                }
                try {
                    RouteTable.Route r = route(other, FormSpec.Role.NS);
                    replace.put(i, who.advertiseHost() + ":" + r.listenAddress().getPort());
                } catch (RouteTable.RefusedException e) {
                    // informational token: left as the server wrote it
                }
            }
        }
        return new Result(msnscope.wire.LineTokens.replace(frame, replace), referral, null);
    }

    /**
     * The route to {@code target}. A new one is checked against the proxy's own listeners with the address
     * resolved as the connect path will resolve it: every spelling of this host ({@code 127.1},
     * {@code 2130706433}, {@code 0.0.0.0}, {@code [::ffff:127.0.0.1]}, {@code localhost}, a {@code --resolve}
     * name) is caught, not just the one the proxy prints. Resolving happens outside the table's lock (it may
     * wait for DNS) and only for servers not routed yet.
     */
    private RouteTable.Route route(HostPort target, FormSpec.Role role) throws RouteTable.RefusedException {
        RouteTable.Route known = routes.existing(target);
        if (known != null) {
            return known;
        }
        InetSocketAddress resolved;
        try {
            resolved = resolver.resolve(target);
        } catch (UnknownHostException e) {
            resolved = null;
        }
        return routes.routeFor(target, resolved, role, binder);
    }

    private static String[] tokensOf(Dissection d) {
        String[] tokens = new String[d.params().size() + 1];
        tokens[0] = d.command();
        for (int i = 0; i < d.params().size(); i++) {
            tokens[i + 1] = d.params().get(i);
        }
        return tokens;
    }
}

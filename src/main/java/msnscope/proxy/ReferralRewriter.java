package msnscope.proxy;

import msnscope.dissect.Dissection;
import msnscope.dissect.SessionContext;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ReferralSpec;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
        int addressIndex = tokenIndex(binding, spec.address());
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
        List<int[]> replace = new ArrayList<>();
        List<String> values = new ArrayList<>();
        replace.add(new int[]{addressIndex});
        values.add(rewritten);
        if (spec.also() != null) {
            for (String name : spec.also()) {
                int i = tokenIndex(binding, name);
                HostPort other = i < 0 ? null : HostPort.tryParse(tokens[i]);
                if (other == null) {
                    continue;
                }
                try {
                    RouteTable.Route r = route(other, FormSpec.Role.NS);
                    replace.add(new int[]{i});
                    values.add(who.advertiseHost() + ":" + r.listenAddress().getPort());
                } catch (RouteTable.RefusedException e) {
                    // informational token: left as the server wrote it
                }
            }
        }
        return new Result(splice(frame, replace, values), referral, null);
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

    /** Position in the token array (command = 0) of a single-token parameter, or -1. */
    private static int tokenIndex(FormSpec.Binding b, String name) {
        List<msnscope.dissect.spec.ParamSpec> ps = b.form().params();
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i).name().equals(name)) {
                return b.count()[i] == 1 ? b.start()[i] : -1;
            }
        }
        return -1;
    }

    /** The frame's bytes with whole space-separated tokens replaced, found by position in the raw line bytes. */
    static byte[] splice(Frame frame, List<int[]> tokenIndexes, List<String> values) {
        byte[] all = frame.copyBytes();
        int lineLength = frame.lineLength();
        int[] starts = new int[lineLength + 2];
        int[] ends = new int[lineLength + 2];
        int n = 0;
        int s = 0;
        for (int i = 0; i <= lineLength; i++) {
            if (i == lineLength || all[i] == ' ') {
                starts[n] = s;
                ends[n] = i;
                n++;
                s = i + 1;
            }
        }
        String[] replacement = new String[n];
        for (int k = 0; k < tokenIndexes.size(); k++) {
            int t = tokenIndexes.get(k)[0];
            if (t < n) {
                replacement[t] = values.get(k);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(all.length + 16);
        for (int t = 0; t < n; t++) {
            if (t > 0) {
                out.write(' ');
            }
            if (replacement[t] != null) {
                out.writeBytes(replacement[t].getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write(all, starts[t], ends[t] - starts[t]);
            }
        }
        out.write(all, lineLength, all.length - lineLength);
        return out.toByteArray();
    }
}

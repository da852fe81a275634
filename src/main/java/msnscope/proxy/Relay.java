package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
import msnscope.dissect.Dissection;
import msnscope.dissect.RawDissections;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.wire.Clock;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.PayloadOracle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * One proxied connection: the client channel, the upstream channel (both on the client channel's event
 * loop, so nothing here needs a lock), the dissector of the connection and the end-of-connection
 * bookkeeping. The two handlers only forward Netty events here.
 *
 * <p>Backpressure: when the channel written to becomes unwritable (its write buffer passed the high
 * water mark), reading from the other channel stops until it drains below the low mark. So a client that
 * never reads pauses the server's socket, and the proxy's memory for the connection stays within the
 * water marks plus one read plus what the framers may hold (a partial line each, and partial payloads
 * paid from the proxy-wide PartialBudget, {@code --max-buffered}).
 *
 * <p>Ending: each side's end (close, FIN, reset) is recorded as an event; what was already received is
 * flushed to the other side before that side is closed (FIN is passed on as a half-close), and when both
 * channels are closed the listeners get one {@code connectionClosed} and the log one line.
 */
final class Relay {

    private static final Logger log = LoggerFactory.getLogger("msnscope.proxy");
    /** A side being closed after its last bytes is closed anyway after this long (a peer that never reads). */
    private static final long CLOSE_GRACE_SECONDS = 30;

    private final ProxyServer server;
    private final RouteTable.Route route;
    private final Channel client;
    private Channel upstream;
    private ProxyConnection conn;

    private SessionContext session;
    private StreamDissector stream;
    private PayloadOracle streamOracle;
    private final PayloadOracle oracle;
    private C2SObserver c2s;
    private S2CForwarder s2c;
    private int frames;
    private boolean dissectorFailed;
    private boolean cookieChecked;

    private boolean clientInputDone;
    private boolean serverInputDone;
    private boolean clientClosed;
    private boolean serverClosed;
    private boolean finished;
    private String firstEvent;
    private String secondEvent;
    private String lastServerOut;
    private long c2sBytes;
    private long s2cBytes;

    Relay(ProxyServer server, RouteTable.Route route, Channel client) {
        this.server = server;
        this.route = route;
        this.client = client;
        this.oracle = (key, dir, tokens) -> streamOracle != null ? streamOracle.expectsPayload(key, dir, tokens)
                : server.spec().expectsPayload(key, dir, tokens, 0);
    }

    ProxyConnection connection() {
        return conn;
    }

    Channel clientChannel() {
        return client;
    }

    Channel upstreamChannel() {
        return upstream;
    }

    long bytesFromServer() {
        return s2cBytes;
    }

    int heldS2C() {
        return s2c == null ? 0 : s2c.held();
    }

    // ---- opening ----

    void start() {
        InetSocketAddress clientAddr = (InetSocketAddress) client.remoteAddress();
        InetSocketAddress proxyAddr = (InetSocketAddress) client.localAddress();
        conn = new ProxyConnection(server.nextConnectionId(), route.role(), clientAddr, proxyAddr, route.upstream().toString(),
                null, null, Clock.nowMicros());
        if (server.config().dissect()) {
            c2s = new C2SObserver(client.alloc(), oracle, server.config().limits(), server.budget(), f -> observed(f, Direction.C2S));
            s2c = new S2CForwarder(client.alloc(), oracle, server.config().limits(), server.budget(), server.holdCommands(route),
                    new S2CForwarder.Sink() {
                        @Override
                        public void forward(ByteBuf bytes) {
                            client.write(bytes);
                        }

                        @Override
                        public byte[] frame(Frame frame, boolean rewritable) {
                            return serverFrame(frame, rewritable);
                        }
                    });
            if (route.role() != FormSpec.Role.SB) {
                openStream(server.newSession(), null);
            }
        }
        client.closeFuture().addListener(f -> {
            clientClosed = true;
            maybeFinish();
        });
        server.listeners().connectionOpened(conn);
        InetSocketAddress target;
        try {
            target = server.config().resolver().resolve(route.upstream());
        } catch (UnknownHostException e) {
            event("upstream " + route.upstream() + " unresolvable (" + e.getMessage() + "; see --resolve)");
            client.close();
            return;
        }
        server.connectUpstream(client, target, this).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                upstreamConnected(f.channel(), target);
            } else {
                upstreamFailed(target, f.cause());
            }
        });
    }

    private void upstreamConnected(Channel ch, InetSocketAddress target) {
        upstream = ch;
        conn = new ProxyConnection(conn.id(), conn.role(), conn.client(), conn.proxy(), conn.upstreamName(), target,
                conn.referral(), conn.openedMicros());
        ch.closeFuture().addListener(f -> {
            serverClosed = true;
            maybeFinish();
        });
        if (client.isActive()) {
            client.config().setAutoRead(true);
        } else {
            ch.close();
        }
    }

    private void upstreamFailed(InetSocketAddress target, Throwable cause) {
        String what = cause instanceof ConnectException && String.valueOf(cause.getMessage()).contains("refused")
                ? "refused" : cause instanceof ConnectException || cause instanceof NoRouteToHostException
                || cause instanceof io.netty.channel.ConnectTimeoutException ? "unreachable" : "failed";
        event("upstream " + route.upstream() + " (" + HostPortText.of(target) + ") " + what + ": " + cause.getMessage());
        client.close();
    }

    // ---- bytes ----

    void fromClient(ByteBuf buf) {
        if (upstream == null || !upstream.isActive()) {
            buf.release();
            return;
        }
        c2sBytes += buf.readableBytes();
        if (c2s != null) {
            c2s.copy(buf);
        }
        upstream.write(buf);
        if (c2s != null) {
            c2s.process();
        }
        if (!upstream.isWritable()) {
            client.config().setAutoRead(false);
        }
    }

    void fromServer(ByteBuf buf) {
        s2cBytes += buf.readableBytes();
        if (s2c != null) {
            s2c.feed(buf);
        } else {
            client.write(buf);
        }
        if (!client.isWritable()) {
            upstream.config().setAutoRead(false);
        }
    }

    void clientReadComplete() {
        if (upstream != null) {
            server.listeners().beforeForward();
            upstream.flush();
        }
    }

    void serverReadComplete() {
        server.listeners().beforeForward();
        client.flush();
    }

    void clientWritabilityChanged() {
        if (client.isWritable() && upstream != null && !serverInputDone) {
            upstream.config().setAutoRead(true);
        }
    }

    void serverWritabilityChanged() {
        if (upstream != null && upstream.isWritable() && !clientInputDone) {
            client.config().setAutoRead(true);
        }
    }

    // ---- frames ----

    private void observed(Frame f, Direction dir) {
        Dissection d = dissect(f, dir);
        if (d != null) {
            server.listeners().frame(conn, d, null);
        }
    }

    /** A complete server frame, before it is forwarded: dissect it and decide whether to rewrite it. */
    private byte[] serverFrame(Frame f, boolean rewritable) {
        Dissection d = dissect(f, Direction.S2C);
        if ("OUT".equals(f.command())) {
            lastServerOut = f.line();
        }
        byte[] out = null;
        if (rewritable && ReferralRewriter.isReferral(d)) {
            out = rewriteReferral(d);
        } else if (rewritable && server.fixer() != null && route.role() != FormSpec.Role.SB && "MSG".equals(f.command())) {
            InetSocketAddress c = conn.client();
            out = server.fixer().fix(f, c.getAddress().getHostAddress(), c.getPort());
        }
        if (d != null) {
            server.listeners().frame(conn, d, out);
        }
        return out;
    }

    private byte[] rewriteReferral(Dissection d) {
        String advertise = server.config().advertise() != null ? server.config().advertise()
                : ((InetSocketAddress) client.localAddress()).getAddress().getHostAddress();
        ReferralRewriter.Receiver who = new ReferralRewriter.Receiver(conn.id(), d.account(),
                conn.client().getAddress().getHostAddress(), advertise, session);
        ReferralRewriter.Result r;
        try {
            r = server.rewriter().rewrite(d, who, Clock.nowMicros());
        } catch (RuntimeException e) {
            log.warn("{} referral NOT rewritten (rewriter failed: {}): {}", conn.id(), e, d.frame().line());
            return null;
        }
        if (r == null) {
            return null;
        }
        if (r.refusal() != null) {
            log.warn("{} referral NOT rewritten: {}; the client will connect to the real server directly, outside msnscope: {}",
                    conn.id(), r.refusal(), d.frame().line());
            return null;
        }
        server.listeners().referral(conn, r.referral());
        return r.forwarded();
    }

    private Dissection dissect(Frame f, Direction dir) {
        if (stream == null) {
            checkCookie(f, dir);
        }
        if (stream == null) {
            return null;
        }
        int seq = frames++;
        long now = Clock.nowMicros();
        try {
            return stream.dissect(f, dir, now);
        } catch (RuntimeException | StackOverflowError e) {
            if (!dissectorFailed) {
                dissectorFailed = true;
                log.warn("{} dissector failed on \"{}\" (a bug: please report it); frames of this connection are still relayed "
                        + "and recorded unchanged", conn.id(), shorten(f.line()));
            }
            return RawDissections.failed(session.id(), conn.id(), seq, now, dir, stream.role(), f, e);
        }
    }

    /**
     * The first frame of a switchboard connection: the cookie in {@code USR TrID handle cookie} or
     * {@code ANS TrID handle cookie sid} (MSNP.md §3.4) ties it to the login that received the referral, so it
     * shares that session (version, account). Unknown or expired cookies are logged, never guessed.
     */
    private void checkCookie(Frame f, Direction dir) {
        if (cookieChecked || route.role() != FormSpec.Role.SB) {
            return;
        }
        cookieChecked = true;
        String cookie = null;
        if (dir == Direction.C2S && f.command() != null) {
            String[] t = f.line().split(" ", -1);
            if ((t[0].equals("USR") && t.length == 4) || (t[0].equals("ANS") && t.length >= 5)) {
                cookie = t[3];
            }
        }
        RouteTable.Lookup lookup = cookie == null ? null : server.routes().present(cookie, route);
        SessionContext s = null;
        Referral referral = null;
        if (lookup == null) {
            log.warn("{} switchboard connection to {} did not start with USR/ANS and a cookie (\"{}\"); relayed to {} anyway",
                    conn.id(), HostPortText.of(conn.proxy()), shorten(f.line()), route.upstream());
        } else if (lookup.status() == RouteTable.Status.KNOWN) {
            s = lookup.ticket().session();
            referral = lookup.ticket().referral();
        } else {
            String why = switch (lookup.status()) {
                case UNKNOWN -> "an unknown cookie";
                case EXPIRED -> "an expired cookie";
                case REUSED -> "a cookie that was already used";
                case OTHER_ROUTE -> "a cookie issued for " + lookup.ticket().route().upstream();
                default -> "cookie " + lookup.status();
            };
            log.warn("{} cannot route by cookie: switchboard connection presented {} ({}); relayed to {} (the listener's server) "
                    + "which decides", conn.id(), why, cookie, route.upstream());
            if (lookup.ticket() != null) {
                s = lookup.ticket().session();
                referral = lookup.ticket().referral();
            }
        }
        if (referral != null) {
            conn = new ProxyConnection(conn.id(), conn.role(), conn.client(), conn.proxy(), conn.upstreamName(), conn.upstream(),
                    referral, conn.openedMicros());
        }
        openStream(s == null ? server.newSession() : s, FormSpec.Role.SB);
    }

    private void openStream(SessionContext s, FormSpec.Role role) {
        session = s;
        stream = server.dissector().stream(s, conn.id(), role);
        streamOracle = stream.oracle();
    }

    // ---- ending ----

    void clientInputShutdown() {
        if (clientInputDone) {
            return;
        }
        clientInputDone = true;
        event("client closed");
        if (c2s != null) {
            c2s.finish();
        }
        server.listeners().beforeForward();
        if (serverInputDone || upstream == null) {
            closeBoth();
        } else {
            upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (upstream.isActive()) {
                    ((SocketChannel) upstream).shutdownOutput();
                }
            });
        }
    }

    void serverInputShutdown() {
        if (serverInputDone) {
            return;
        }
        serverInputDone = true;
        if (s2c != null) {
            s2c.finish();
        }
        server.listeners().beforeForward();
        event(lastServerOut != null ? "server sent " + lastServerOut + " and closed" : "server closed");
        if (clientInputDone) {
            closeBoth();
        } else {
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (client.isActive()) {
                    ((SocketChannel) client).shutdownOutput();
                }
            });
        }
    }

    /** {@code --idle-timeout}: no byte in either direction for that long; the close line gives the reason. */
    void idle(long seconds) {
        event("idle for " + seconds + " s, no bytes either way (--idle-timeout)");
        client.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    void clientInactive() {
        clientInputShutdown();
        closeBoth();
    }

    void serverInactive() {
        serverInputShutdown();
        closeBoth();
    }

    void exception(boolean fromClient, Throwable cause) {
        String side = fromClient ? "client" : "server";
        if (cause instanceof IOException) {
            String m = String.valueOf(cause.getMessage());
            event(side + (m.contains("reset") ? " reset the connection" : " connection failed") + " (" + m + ")");
        } else {
            event(side + " side error: " + cause);
            log.debug("{} {} side error", conn == null ? "?" : conn.id(), side, cause);
        }
        (fromClient ? client : upstream).close();
    }

    /**
     * The proxy is stopping: what was received is flushed to the other side, then both sides are closed
     * ({@code graceful}), or closed at once.
     */
    void shutdown(boolean graceful) {
        event("proxy shut down");
        server.listeners().beforeForward();
        if (graceful) {
            closeBoth();
        } else {
            client.close();
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    private void closeBoth() {
        closeAfterFlush(client);
        if (upstream != null) {
            closeAfterFlush(upstream);
        }
    }

    private static void closeAfterFlush(Channel ch) {
        if (!ch.isOpen()) {
            return;
        }
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        ch.eventLoop().schedule(() -> {
            ch.close();
        }, CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
    }

    private void event(String what) {
        if (firstEvent == null) {
            firstEvent = what;
        } else if (secondEvent == null && !what.equals(firstEvent)) {
            secondEvent = what;
        }
    }

    private void maybeFinish() {
        if (finished || !clientClosed || (upstream != null && !serverClosed)) {
            return;
        }
        if (upstream == null && client.eventLoop() != null && !clientInputDone && firstEvent == null) {
            event("client closed before the upstream connection was up");
        }
        finished = true;
        if (c2s != null) {
            c2s.finish();
        }
        if (s2c != null) {
            s2c.release();
        }
        if (stream != null) {
            try {
                stream.close();
            } catch (RuntimeException e) {
                log.debug("{} dissector close failed", conn.id(), e);
            }
        }
        String reason = firstEvent == null ? "closed" : secondEvent == null ? firstEvent : firstEvent + ", then " + secondEvent;
        String account = stream == null ? null : stream.account();
        FormSpec.Role role = stream != null && stream.role() != null ? stream.role() : conn.role();
        log.info("{} {}{} {} -> {} closed: {} ({} bytes C->S, {} bytes S->C, {} frames)", conn.id(), role,
                account == null ? "" : " " + account, HostPortText.of(conn.client()), conn.upstreamName(), reason, c2sBytes, s2cBytes,
                frames);
        server.listeners().connectionClosed(conn, reason);
        server.ended(this);
    }

    static String shorten(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}

package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
import msnscope.dissect.Dissection;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.intercept.Interceptor;
import msnscope.intercept.Side;
import msnscope.intercept.Verdict;
import msnscope.wire.Clock;
import msnscope.wire.Direction;
import msnscope.wire.Edit;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.PayloadOracle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One proxied connection: the client channel, the upstream channel (both on the client channel's event
 * loop, so nothing here needs a lock), the framing of both directions and the end-of-connection
 * bookkeeping. The two handlers only forward Netty events here.
 *
 * <p>The relay path does only what must happen before bytes move on: framing (payload lengths depend on
 * command, direction and version), recording each frame ({@link WireListener}, before the read's bytes are
 * flushed) and rewriting referrals. Everything else — the full dissection, payload decoding, request
 * pairing, the console — runs on the {@link AnalysisLane} from the same frames. A frame that may be
 * rewritten ({@code XFR}, {@code RNG}) is the one exception: it waits for the lane's decision, and the
 * bytes after it wait with it (reading from the server pauses meanwhile).
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
    /** This connection's analysis on the lane (dissector, console); begun once its session is known. */
    private final AnalysisLane.Stream analysis;
    private boolean begun;
    /**
     * The negotiated version as the relay frames it: from the server's {@code VER} reply, or the login's
     * for a switchboard. The framer needs it now (payload rules differ by version); the dissector, on the
     * lane, follows later.
     */
    private int wireVersion;
    private long readMicros = Long.MIN_VALUE;
    /** Frames of this read not yet handed to the recorder: handed over in one call before the flush. */
    private final java.util.ArrayList<WireListener.WireFrame> toRecord = new java.util.ArrayList<>();
    private final PayloadOracle oracle;
    /** Client bytes framed from a copy after they were forwarded: when nothing may change them. */
    private C2SObserver c2s;
    /** Client bytes framed before they are forwarded: when an interceptor may change them. */
    private Forwarder c2sForwarder;
    private Forwarder s2c;
    private int frames;
    private boolean cookieChecked;
    /** What waits for a held frame's decision: the server side's end and its close. */
    private final java.util.ArrayDeque<Runnable> afterDecision = new java.util.ArrayDeque<>();

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
        this.oracle = (key, dir, tokens) -> server.spec().expectsPayload(key, dir, tokens, wireVersion);
        this.analysis = server.lane().stream();
    }

    ProxyConnection connection() {
        return conn;
    }

    /** Where a direction's forwarder sends bytes (the far side's channel) and its frames (recording, the lane). */
    private Forwarder.Sink sink(Direction dir) {
        return new Forwarder.Sink() {
            @Override
            public void forward(ByteBuf bytes) {
                (dir == Direction.C2S ? upstream : client).write(bytes);
            }

            @Override
            public void observe(Frame frame) {
                if (dir == Direction.C2S) {
                    clientFrame(frame);
                } else {
                    serverFrame(frame);
                }
            }

            @Override
            public void hold(Frame frame) {
                holdFrame(frame, dir);
            }
        };
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
            Interceptor interceptor = server.interceptor();
            if (interceptor == null) {
                c2s = new C2SObserver(client.alloc(), oracle, server.config().limits(), server.budget(), this::clientFrame);
            } else {
                c2sForwarder = new Forwarder(Direction.C2S, client.alloc(), oracle, server.config().limits(), server.budget(),
                        new HoldPolicy(Direction.C2S, List.of(), interceptor), sink(Direction.C2S));
            }
            s2c = new Forwarder(Direction.S2C, client.alloc(), oracle, server.config().limits(), server.budget(),
                    new HoldPolicy(Direction.S2C, server.holdCommands(route), interceptor), sink(Direction.S2C));
        }
        client.closeFuture().addListener(f -> {
            clientClosed = true;
            maybeFinish();
        });
        server.wire().connectionOpened(conn);
        if (server.config().dissect()) {
            server.lane().opened(analysis, conn);
            if (route.role() != FormSpec.Role.SB) {
                begin(server.newSession(), null);
            }
        }
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
        readMicros = Long.MIN_VALUE;
        if (upstream == null || !upstream.isActive()) {
            buf.release();
            return;
        }
        c2sBytes += buf.readableBytes();
        if (c2sForwarder != null) {
            c2sForwarder.feed(buf);
        } else {
            if (c2s != null) {
                c2s.copy(buf);
            }
            upstream.write(buf);
            if (c2s != null) {
                c2s.process();
            }
        }
        if (!upstream.isWritable()) {
            client.config().setAutoRead(false);
        }
    }

    void fromServer(ByteBuf buf) {
        readMicros = Long.MIN_VALUE;
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
            beforeForward();
            upstream.flush();
        }
        server.lane().flush(analysis);
    }

    void serverReadComplete() {
        beforeForward();
        client.flush();
        server.lane().flush(analysis);
    }

    void clientWritabilityChanged() {
        // Not while a held frame waits for its decision: what the server sends meanwhile would pile up.
        if (client.isWritable() && upstream != null && !serverInputDone && !awaiting(Direction.S2C)) {
            upstream.config().setAutoRead(true);
        }
    }

    void serverWritabilityChanged() {
        if (upstream != null && upstream.isWritable() && !clientInputDone && !awaiting(Direction.C2S)) {
            client.config().setAutoRead(true);
        }
    }

    // ---- frames ----

    /** A client frame, framed from a copy after its bytes were written (not yet flushed) upstream. */
    private void clientFrame(Frame f) {
        if (!begun) {
            checkCookie(f, Direction.C2S);
        }
        long now = readMicros();
        frames++;
        toRecord.add(new WireListener.WireFrame(f, Direction.C2S, now, null));
        server.lane().seen(analysis, conn, f, Direction.C2S, now);
    }

    /** A server frame already handed to the client's channel unchanged (not yet flushed). */
    private void serverFrame(Frame f) {
        if (!begun) {
            checkCookie(f, Direction.S2C);
        }
        String cmd = f.command();
        if ("VER".equals(cmd)) {
            wireVersion(f);
        } else if ("OUT".equals(cmd)) {
            lastServerOut = f.line();
        }
        long now = readMicros();
        frames++;
        toRecord.add(new WireListener.WireFrame(f, Direction.S2C, now, null));
        server.lane().seen(analysis, conn, f, Direction.S2C, now);
    }

    /** Write-before-forward: this read's frames to the recorder (one call), then the recorder to the OS. */
    private void beforeForward() {
        recordPending();
        server.wire().beforeForward();
    }

    private void recordPending() {
        if (!toRecord.isEmpty()) {
            server.wire().frames(conn, toRecord);
            toRecord.clear();
        }
    }

    /**
     * The time of the read being framed: one clock reading per read, not per frame (the frames of a read
     * arrived together). Reset when a read starts.
     */
    private long readMicros() {
        if (readMicros == Long.MIN_VALUE) {
            readMicros = Clock.nowMicros();
        }
        return readMicros;
    }

    /** The server's {@code VER} reply: the version the framer applies from now on. */
    private void wireVersion(Frame f) {
        String[] t = f.line().split(" ", 4);
        int v = t.length > 2 ? StreamDissector.versionNumber(t[2]) : 0;
        if (v > 0) {
            wireVersion = v;
        }
    }

    /**
     * A frame that may be changed: a server's referral ({@code XFR}, {@code RNG}) or profile {@code MSG} with
     * {@code --fix-client-ip}, or any frame a rule or the hook may change. The lane dissects it after every
     * frame before it, and the proxy and the interceptor decide; until then nothing after it in its direction
     * moves, and reading from that side pauses.
     */
    private void holdFrame(Frame f, Direction dir) {
        if (!begun) {
            checkCookie(f, dir);
        }
        Channel from = dir == Direction.C2S ? client : upstream;
        if (from != null) {
            from.config().setAutoRead(false);
        }
        long now = readMicros();
        server.lane().hold(analysis, conn, f, dir, now, new AnalysisLane.Decider() {
            @Override
            public byte[] decide(Dissection d, ProxyConnection c) {
                return dir == Direction.S2C ? Relay.this.decide(f, d, c) : null;
            }

            @Override
            public void decided(Frame frame, byte[] replacement, Verdict verdict) {
                try {
                    client.eventLoop().execute(() -> Relay.this.decided(frame, dir, now, replacement, verdict));
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // the proxy is stopping: the connection goes with it
                }
            }
        });
    }

    /** On the lane: what a held frame becomes (null: unchanged). */
    private byte[] decide(Frame f, Dissection d, ProxyConnection c) {
        if (ReferralRewriter.isReferral(d)) {
            return rewriteReferral(d, c);
        }
        if (server.fixer() != null && route.role() != FormSpec.Role.SB && "MSG".equals(f.command())) {
            InetSocketAddress client = c.client();
            return server.fixer().fix(f, client.getAddress().getHostAddress(), client.getPort());
        }
        return null;
    }

    private Forwarder forwarder(Direction dir) {
        return dir == Direction.C2S ? c2sForwarder : s2c;
    }

    /** True while a held frame of that direction waits for its decision (or its delay). */
    private boolean awaiting(Direction dir) {
        Forwarder f = forwarder(dir);
        return f != null && f.awaiting();
    }

    /**
     * Back on the event loop: a held frame's decision. A delay comes first (the frame, and all after it in its
     * direction, wait on a timer); then injections before it, the frame (as it came, replaced or dropped) with
     * the injections after it, the record of all of them, and a close if the verdict says so.
     */
    private void decided(Frame f, Direction dir, long micros, byte[] own, Verdict verdict) {
        if (!awaiting(dir)) {
            return;
        }
        if (verdict.delayMillis() > 0) {
            Verdict rest = new Verdict(verdict.replacement(), verdict.drop(), 0, verdict.injections(), verdict.close(),
                    verdict.by(), verdict.action());
            // The record keeps the delay: the frame's edit is the verdict's, not the remainder's.
            client.eventLoop().schedule(() -> apply(f, dir, micros, own, rest, verdict.edit()), verdict.delayMillis(),
                    TimeUnit.MILLISECONDS);
            return;
        }
        apply(f, dir, micros, own, verdict, verdict.edit());
    }

    private void apply(Frame f, Direction dir, long micros, byte[] own, Verdict verdict, Edit edit) {
        Forwarder fw = forwarder(dir);
        if (fw == null || !fw.awaiting()) {
            return;
        }
        Side toward = dir == Direction.C2S ? Side.SERVER : Side.CLIENT;
        List<byte[]> afterSame = new ArrayList<>();
        List<Verdict.Injection> afterOther = new ArrayList<>();
        for (Verdict.Injection i : verdict.injections()) {
            if (i.before()) {
                inject(i, verdict, micros);
            } else if (i.to() == toward) {
                afterSame.add(i.bytes());
            } else {
                afterOther.add(i);
            }
        }
        byte[] out = verdict.drop() ? new byte[0] : verdict.replacement() != null ? verdict.replacement() : own;
        frames++;
        toRecord.add(new WireListener.WireFrame(f, dir, micros, out, edit));
        fw.decided(out, afterSame);
        for (byte[] b : afterSame) {
            made(b, dir, verdict, micros);
        }
        for (Verdict.Injection i : afterOther) {
            inject(i, verdict, micros);
        }
        beforeForward();
        client.flush();
        if (upstream != null) {
            upstream.flush();
        }
        server.lane().flush(analysis);
        if (verdict.close() != null) {
            closeBy(verdict);
            return;
        }
        while (!awaiting(Direction.C2S) && !awaiting(Direction.S2C) && !afterDecision.isEmpty()) {
            afterDecision.poll().run();
        }
        if (dir == Direction.S2C && !awaiting(dir) && upstream != null && client.isWritable() && !serverInputDone) {
            upstream.config().setAutoRead(true);
        }
        if (dir == Direction.C2S && !awaiting(dir) && upstream != null && upstream.isWritable() && !clientInputDone) {
            client.config().setAutoRead(true);
        }
    }

    /** A frame msnscope sends (a local answer, an injection): into its direction's stream at a frame boundary, and recorded. */
    private void inject(Verdict.Injection i, Verdict verdict, long micros) {
        Direction dir = i.to() == Side.CLIENT ? Direction.S2C : Direction.C2S;
        Forwarder fw = forwarder(dir);
        if (fw == null || (dir == Direction.C2S ? upstream == null : false)) {
            return;
        }
        fw.inject(i.bytes());
        made(i.bytes(), dir, verdict, micros);
    }

    /** Records and dissects the frames of {@code bytes}, which msnscope sent going {@code dir}. */
    private void made(byte[] bytes, Direction dir, Verdict verdict, long micros) {
        Edit edit = new Edit(verdict.by(), verdict.action(), true);
        Framer framer = new Framer(dir, oracle, server.config().limits());
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            for (Frame m; (m = framer.decode(in)) != null || (m = framer.decodeLast(in)) != null; ) {
                frames++;
                toRecord.add(new WireListener.WireFrame(m, dir, micros, null, edit));
                server.lane().seen(analysis, conn, m, dir, micros, edit);
            }
        } finally {
            framer.release();
            in.release();
        }
    }

    /** A verdict's close: the side(s) it names are closed once what was sent to them is flushed. */
    private void closeBy(Verdict verdict) {
        event("closed by " + verdict.by() + " (" + verdict.close().name().toLowerCase(java.util.Locale.ROOT) + ")");
        switch (verdict.close()) {
            case CLIENT -> closeAfterFlush(client);
            case SERVER -> {
                if (upstream != null) {
                    closeAfterFlush(upstream);
                }
            }
            case BOTH -> closeBoth();
        }
    }

    /** Runs {@code r} now, or once no held frame waits (its decision made and forwarded). */
    private void afterHeld(Runnable r) {
        if (awaiting(Direction.C2S) || awaiting(Direction.S2C)) {
            afterDecision.add(r);
        } else {
            r.run();
        }
    }

    private byte[] rewriteReferral(Dissection d, ProxyConnection c) {
        String advertise = server.config().advertise() != null ? server.config().advertise()
                : ((InetSocketAddress) client.localAddress()).getAddress().getHostAddress();
        ReferralRewriter.Receiver who = new ReferralRewriter.Receiver(c.id(), d.account(),
                c.client().getAddress().getHostAddress(), advertise, session);
        ReferralRewriter.Result r;
        try {
            r = server.rewriter().rewrite(d, who, Clock.nowMicros());
        } catch (RuntimeException e) {
            log.warn("{} referral NOT rewritten (rewriter failed: {}): {}", c.id(), e.getMessage(), d.frame().line());
            return null;
        }
        if (r == null) {
            return null;
        }
        if (r.refusal() != null) {
            log.warn("{} referral NOT rewritten: {}; the client will connect to the real server directly, outside msnscope: {}",
                    c.id(), r.refusal(), d.frame().line());
            return null;
        }
        // Before the rewritten line goes out: the recorder knows the cookie and the listener first.
        server.wire().referral(c, r.referral());
        server.listeners().referral(c, r.referral());
        return r.forwarded();
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
        if (s != null) {
            // The login negotiated its version long before it handed out this cookie.
            wireVersion = s.version();
        }
        begin(s == null ? server.newSession() : s, FormSpec.Role.SB);
    }

    private void begin(SessionContext s, FormSpec.Role role) {
        session = s;
        begun = true;
        server.lane().begin(analysis, conn, s, role);
    }

    // ---- ending ----

    void clientInputShutdown() {
        if (clientInputDone) {
            return;
        }
        clientInputDone = true;
        event("client closed");
        readMicros = Long.MIN_VALUE;
        if (c2s != null) {
            c2s.finish();
        }
        if (c2sForwarder != null) {
            c2sForwarder.finish();
        }
        beforeForward();
        afterHeld(this::clientInputEnded);
    }

    /** The client's side ended and everything it sent is decided and handed to the server's channel. */
    private void clientInputEnded() {
        beforeForward();
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
        readMicros = Long.MIN_VALUE;
        if (s2c != null) {
            s2c.finish();
        }
        afterHeld(this::serverInputEnded);
    }

    /** The server's side ended and everything it sent is decided and handed to the client's channel. */
    private void serverInputEnded() {
        beforeForward();
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
        afterHeld(this::closeBoth);
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
        beforeForward();
        if (graceful) {
            afterHeld(this::closeBoth);
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
        if (c2sForwarder != null) {
            c2sForwarder.release();
        }
        if (s2c != null) {
            s2c.release();
        }
        afterDecision.clear();
        String reason = firstEvent == null ? "closed" : secondEvent == null ? firstEvent : firstEvent + ", then " + secondEvent;
        String totals = c2sBytes + " bytes C->S, " + s2cBytes + " bytes S->C, " + frames + " frames";
        recordPending();
        server.wire().connectionClosed(conn, reason);
        beforeForward();
        // Gone from the live set before the lane tells anyone it closed.
        server.ended(this);
        if (server.config().dissect()) {
            // The lane logs the close line: it knows the role and account the dissector found.
            server.lane().closed(analysis, conn, reason, totals);
        } else {
            log.info("{} {} {} -> {} closed: {} ({})", conn.id(), conn.role(), HostPortText.of(conn.client()), conn.upstreamName(), reason,
                    totals);
        }
    }

    static String shorten(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}

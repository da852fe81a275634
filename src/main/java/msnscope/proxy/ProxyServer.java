package msnscope.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.dissect.spec.CommandSpec;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.wire.PartialBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The intercepting proxy: the main listener (route to {@code --upstream}), the referral listeners it opens
 * on demand (see {@link RouteTable}), and the shared parts of every {@link Relay}.
 *
 * <p>Threads: one acceptor thread (all listeners) and a worker group of one thread per core. A client
 * channel and its upstream channel share one worker event loop. Binding a new referral listener happens
 * on the acceptor thread; the worker that saw the referral waits for the bind (well under a millisecond),
 * because the rewritten line must carry the new port.
 *
 * <p>Socket options: TCP_NODELAY (MSNP is request/response), SO_KEEPALIVE, half-close allowed (a FIN is
 * passed on as a FIN), write buffer water marks {@value #LOW_WATER}/{@value #HIGH_WATER} bytes for
 * backpressure. No idle timeout unless {@code --idle-timeout} asks for one: a notification server
 * connection idles for hours between PNG/QNG.
 */
public final class ProxyServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("msnscope.proxy");
    static final int LOW_WATER = 32 * 1024;
    static final int HIGH_WATER = 128 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** After the grace period, how long closing connections get to report their close. */
    private static final long FINISH_MILLIS = 2_000;

    private final ProxyConfig config;
    private final ProtocolSpec spec;
    private final Dissector dissector;
    private final Listeners listeners = new Listeners();
    private final WireListeners wire = new WireListeners();
    private final AnalysisLane lane;
    private final RouteTable routes;
    private final ReferralRewriter rewriter;
    private final ClientIpFixer fixer;
    private final List<String> referralCommands;
    private msnscope.intercept.Interceptor interceptor;
    private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
    /** Shared by every framer of every connection: what partial payloads may hold in total. */
    private final PartialBudget budget;
    private final List<Channel> serverChannels = new CopyOnWriteArrayList<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicLong sessionIds = new AtomicLong();
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Bootstrap upstreamTemplate;
    private final AcceptErrors acceptErrors = new AcceptErrors();
    private InetAddress listenHost;
    private InetSocketAddress address;

    public ProxyServer(ProxyConfig config, ProtocolSpec spec) {
        this(config, spec, 0);
    }

    /** @param workerThreads 0 = one per core */
    public ProxyServer(ProxyConfig config, ProtocolSpec spec, int workerThreads) {
        this.config = config;
        this.spec = spec;
        this.dissector = new Dissector(spec);
        this.lane = new AnalysisLane(dissector, listeners, wire);
        this.budget = new PartialBudget(config.maxBuffered());
        this.routes = new RouteTable(config.portLow(), config.portHigh(), config.maxListeners(), config.maxPendingPerClient(),
                config.cookieTtl());
        this.rewriter = new ReferralRewriter(routes, this::bindListener, config.resolver());
        ClientIpFixer f = config.fixClientIp() ? new ClientIpFixer(spec) : null;
        if (f != null && !f.enabled()) {
            log.warn("--fix-client-ip: dissectors/payloads.yaml declares no address-headers for {}; nothing will be fixed",
                    ClientIpFixer.PROFILE_TYPE);
            f = null;
        }
        this.fixer = f;
        List<String> refs = new ArrayList<>();
        for (CommandSpec c : spec.commands().values()) {
            for (FormSpec form : c.forms()) {
                if (form.referral() != null && !refs.contains(c.name())) {
                    refs.add(c.name());
                }
            }
        }
        this.referralCommands = List.copyOf(refs);
        this.boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(workerThreads, NioIoHandler.newFactory());
        this.upstreamTemplate = new Bootstrap().channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER, HIGH_WATER));
    }

    /** Attaches a listener (console, recorder); best before {@link #start}, so it sees every connection. */
    public ProxyServer addListener(ProxyListener l) {
        listeners.add(l);
        return this;
    }

    /** Attaches what must see each frame before it is forwarded (the recorder); best before {@link #start}. */
    /**
     * Rules and the hook ({@code --rules}, {@code --hook}): every frame the interceptor may change waits for its
     * verdict before it is forwarded. Set before {@link #start}; null: nothing intercepts.
     */
    public ProxyServer intercept(msnscope.intercept.Interceptor i) {
        this.interceptor = i;
        lane.intercept(i);
        return this;
    }

    msnscope.intercept.Interceptor interceptor() {
        return interceptor;
    }

    public ProxyServer addWireListener(WireListener l) {
        wire.add(l);
        return this;
    }

    /** Binds the main listener; returns its address. */
    public InetSocketAddress start() throws Exception {
        listenHost = InetAddress.getByName(config.listen().host());
        Channel ch = serverBootstrap().bind(new InetSocketAddress(listenHost, config.listen().port())).sync().channel();
        serverChannels.add(ch);
        address = (InetSocketAddress) ch.localAddress();
        routes.addMain(config.upstream(), address);
        log.info("listening on {} for {}{}", HostPortText.of(address), config.upstream(),
                config.dissect() ? "" : " (plain relay: no dissection, no rewriting)");
        return address;
    }

    public InetSocketAddress address() {
        return address;
    }

    public RouteTable routes() {
        return routes;
    }

    public ProxyConfig config() {
        return config;
    }

    /** The budget every connection's framers buffer partial payloads from. */
    public PartialBudget budget() {
        return budget;
    }

    /** Connections open right now. */
    public int liveConnections() {
        return relays.size();
    }

    /** Stops at once: {@link #shutdown} with no grace period. */
    @Override
    public void close() {
        shutdown(0);
    }

    /**
     * The one ordered way to stop: stop accepting; end every connection after what it already received is
     * forwarded (each side flushed, then closed); wait up to {@code graceMillis} for them, then close what is
     * left; wait (bounded) until every connection has told the listeners it closed, so the recorder has a
     * close record for each; then stop the threads. The caller closes the recorder and the index after this.
     */
    public void shutdown(long graceMillis) {
        for (Channel ch : serverChannels) {
            ch.close().syncUninterruptibly();
        }
        for (Relay r : relays) {
            r.clientChannel().eventLoop().execute(() -> r.shutdown(graceMillis > 0));
        }
        awaitRelays(graceMillis);
        for (Relay r : relays) {
            r.clientChannel().close();
            if (r.upstreamChannel() != null) {
                r.upstreamChannel().close();
            }
        }
        awaitRelays(FINISH_MILLIS);
        if (!relays.isEmpty()) {
            log.warn("{} connections did not finish closing within the shutdown grace period", relays.size());
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        // Last: what the relays handed to the lane is dissected and shown before the caller closes the rest.
        lane.close();
    }

    private void awaitRelays(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!relays.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * A listener that cannot accept (out of file descriptors) says so in one line, at most every 10 s, with
     * what to do; Netty keeps accepting once descriptors are free again.
     */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class AcceptErrors extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final AtomicLong lastReport = new AtomicLong(Long.MIN_VALUE);
        private final AtomicLong missed = new AtomicLong();

        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            long now = System.nanoTime();
            long last = lastReport.get();
            missed.incrementAndGet();
            if ((last == Long.MIN_VALUE || now - last > 10_000_000_000L) && lastReport.compareAndSet(last, now)) {
                String why = String.valueOf(cause.getMessage());
                log.warn("cannot accept connections on {}: {} ({} times so far){}", HostPortText.of(ctx.channel().localAddress()), why,
                        missed.get(), why.contains("Too many open files") ? "; raise the limit (ulimit -n)" : "");
            }
        }
    }

    // ---- for the relays ----

    private ServerBootstrap serverBootstrap() {
        return new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .handler(acceptErrors)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER, HIGH_WATER))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        RouteTable.Route r = routes.routeAt(ch.localAddress().getPort());
                        if (r == null) {
                            log.warn("connection from {} to {} arrived before its listener was registered; closed",
                                    HostPortText.of(ch.remoteAddress()), HostPortText.of(ch.localAddress()));
                            ch.close();
                            return;
                        }
                        ch.pipeline().addLast(new ClientSideHandler(ProxyServer.this, r));
                    }
                });
    }

    /** Opens a referral listener on the listen host; called by the route table under its lock. */
    private InetSocketAddress bindListener(int port) throws Exception {
        Channel ch = serverBootstrap().bind(new InetSocketAddress(listenHost, port)).sync().channel();
        serverChannels.add(ch);
        InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
        log.info("opened listener {} for a referral", HostPortText.of(bound));
        return bound;
    }

    ChannelFuture connectUpstream(Channel client, InetSocketAddress target, Relay relay) {
        if (routes.isOwn(target)) {
            // Defence in depth behind the referral guard: a route whose server turned out to be this proxy
            // (--upstream, DNS that changed, an OS-chosen port) would relay into itself until descriptors run out.
            return client.newFailedFuture(new SelfRelayException(target));
        }
        return upstreamTemplate.clone(client.eventLoop()).handler(new ServerSideHandler(relay)).connect(target);
    }

    /** Why a relay was not connected: its server is one of the proxy's own listeners. */
    static final class SelfRelayException extends Exception {
        SelfRelayException(InetSocketAddress target) {
            super(HostPortText.of(target) + " is msnscope's own listener; not connected (it would relay into itself)", null, false, false);
        }
    }

    Relay opened(RouteTable.Route route, Channel client) {
        Relay r = new Relay(this, route, client);
        relays.add(r);
        return r;
    }

    void ended(Relay r) {
        relays.remove(r);
    }

    Set<Relay> relays() {
        return relays;
    }

    /**
     * The session and connection ids the listeners are given for {@code connection} (the recorder's when
     * recording): what the console prints, so {@code show}/{@code search} find it by the same ids. Null
     * outside the connection's listener calls.
     */
    public Placement placement(ProxyConnection connection) {
        return lane == null ? null : lane.placement(connection);
    }

    String nextConnectionId() {
        return "c" + connectionIds.incrementAndGet();
    }

    SessionContext newSession() {
        return new SessionContext("s" + sessionIds.incrementAndGet());
    }

    List<String> holdCommands(RouteTable.Route route) {
        if (fixer != null && route.role() != FormSpec.Role.SB) {
            List<String> l = new ArrayList<>(referralCommands);
            l.add("MSG");
            return l;
        }
        return referralCommands;
    }

    ProtocolSpec spec() {
        return spec;
    }

    Dissector dissector() {
        return dissector;
    }

    WireListeners wire() {
        return wire;
    }

    AnalysisLane lane() {
        return lane;
    }

    /**
     * Waits until every frame relayed so far has been dissected and handed to the listeners (tests; the
     * console before it prints a summary); false on timeout.
     */
    public boolean awaitAnalysis(long millis) throws InterruptedException {
        return lane.drain(millis);
    }

    /** Frames relayed (and recorded) but not dissected live because the analysis lane could not keep up. */
    public long framesNotDissected() {
        return lane.skipped();
    }

    Listeners listeners() {
        return listeners;
    }

    ReferralRewriter rewriter() {
        return rewriter;
    }

    ClientIpFixer fixer() {
        return fixer;
    }
}

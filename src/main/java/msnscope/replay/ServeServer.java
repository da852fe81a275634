package msnscope.replay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.proxy.WireListener;
import msnscope.wire.Clock;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.FrameDecoder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code msnscope serve}'s listener: one socket plays every server of the script (dispatch, notification,
 * switchboards), since a client connection is told apart by what it says, not by where it dialled; referrals
 * point back at it. Everything runs on one event loop ({@link ServePlayer} shares state between connections
 * without locks); a played capture is small next to what one thread moves.
 *
 * <p>Socket options as the proxy's client side: TCP_NODELAY (MSNP is request/response), SO_KEEPALIVE.
 */
public final class ServeServer implements AutoCloseable {

    private final ServeConfig config;
    private final Dissector dissector;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final ServePlayer player;
    /** Shared by the live dissectors: a switchboard inherits the version of the referral that carried its cookie. */
    private final SessionContext session = new SessionContext("serve");
    private int ids;
    private Channel server;
    private Channel switchboards;
    private InetSocketAddress address;
    private boolean stopped;

    /**
     * @param recorder what records the served traffic like a proxied session (the capture store's live
     *                 recorder), or null
     * @param console  takes serve's lines: each connection and what it plays, each divergence
     */
    public ServeServer(Script script, ServeConfig config, Dissector dissector, WireListener recorder, Consumer<String> console) {
        this.config = config;
        this.dissector = dissector;
        this.player = new ServePlayer(script, config, recorder, console, loop);
    }

    /**
     * Binds the listener and, beside it on the same host, the switchboards' (an OS-chosen port): referrals to a
     * switchboard point there, so a proxy in between tells switchboard connections from logins by the address
     * they dial, as with a real server. Returns the main listener's address.
     */
    public InetSocketAddress start() throws Exception {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        StreamDissector live = dissector.stream(session, "c" + (++ids), null);
                        ServedConnection c = new ServedConnection("c" + ids, ch, live, Clock.nowMicros());
                        ch.pipeline().addLast(new FrameDecoder(Direction.C2S, live.oracle(), config.limits()), new Handler(c));
                    }
                });
        InetAddress host = InetAddress.getByName(config.listen().host());
        server = b.bind(new InetSocketAddress(host, config.listen().port())).sync().channel();
        address = (InetSocketAddress) server.localAddress();
        switchboards = b.bind(new InetSocketAddress(host, 0)).sync().channel();
        InetSocketAddress sb = (InetSocketAddress) switchboards.localAddress();
        on(() -> {
            player.switchboards(sb);
            return null;
        });
        return address;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Where referrals to a switchboard point (null before {@link #start}). */
    public InetSocketAddress switchboardAddress() {
        return switchboards == null ? null : (InetSocketAddress) switchboards.localAddress();
    }

    /** Client connections accepted so far. */
    public int connections() {
        return on(player::connections);
    }

    /** Captured server frames sent so far. */
    public long answered() {
        return on(player::answered);
    }

    /** Divergences so far. */
    public int divergences() {
        return on(player::divergences);
    }

    /** {@code 3 connections, 41 frames answered, 0 divergences}. */
    public String summary() {
        int c = connections();
        long a = answered();
        int d = divergences();
        return c + (c == 1 ? " connection, " : " connections, ") + a + (a == 1 ? " frame" : " frames") + " answered, "
                + d + (d == 1 ? " divergence" : " divergences");
    }

    /**
     * Stops accepting, lets the connections go after what was sent is flushed (each recorded as closed), waits
     * up to {@code graceMillis} for them, then stops the thread. The caller closes the recorder after this.
     */
    public synchronized void shutdown(long graceMillis) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (switchboards != null) {
            switchboards.close().syncUninterruptibly();
        }
        List<ServedConnection> open = on(() -> List.copyOf(player.live()));
        for (ServedConnection c : open) {
            loop.execute(() -> c.closing = "serve stopped");
            c.channel.close().awaitUninterruptibly(graceMillis, TimeUnit.MILLISECONDS);
        }
        // The close handlers ran on the loop before this task: every close is recorded.
        on(() -> null);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public void close() {
        shutdown(0);
    }

    /** Runs {@code task} on the event loop and waits for it: the player is only touched there. */
    private <T> T on(Callable<T> task) {
        if (loop.inEventLoop()) {
            try {
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        if (loop.isShutdown()) {
            try {
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return loop.submit(task).syncUninterruptibly().getNow();
    }

    private final class Handler extends SimpleChannelInboundHandler<Frame> {
        private final ServedConnection c;

        Handler(ServedConnection c) {
            this.c = c;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            player.opened(c);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            player.received(c, frame);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            player.closed(c, c.closing != null ? c.closing : "client closed");
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset by the client, or a read error: the connection is over, and its close is recorded.
            ctx.close();
        }
    }
}

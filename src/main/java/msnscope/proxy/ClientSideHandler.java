package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The client's channel: hands its events to the connection's {@link Relay}. Accepted channels start with autoRead off. */
final class ClientSideHandler extends ChannelInboundHandlerAdapter {

    private final ProxyServer server;
    private final RouteTable.Route route;
    private Relay relay;

    ClientSideHandler(ProxyServer server, RouteTable.Route route) {
        this.server = server;
        this.route = route;
    }

    /**
     * With {@code --idle-timeout}: an idle watch in front of this handler. On the client channel it sees both
     * directions: reads are the client's bytes, completed writes the server's.
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Duration idle = server.config().idleTimeout();
        if (idle != null) {
            ctx.pipeline().addBefore(ctx.name(), "idle", new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        relay = server.opened(route, ctx.channel());
        relay.start();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        relay.fromClient((ByteBuf) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        relay.clientReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        relay.clientWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            relay.clientInputShutdown();
        } else if (evt instanceof IdleStateEvent && relay != null) {
            relay.idle(server.config().idleTimeout().toSeconds());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (relay != null) {
            relay.clientInactive();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (relay != null) {
            relay.exception(true, cause);
        } else {
            ctx.close();
        }
    }
}

package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/** The client's channel: hands its events to the connection's {@link Relay}. Accepted channels start with autoRead off. */
final class ClientSideHandler extends ChannelInboundHandlerAdapter {

    private final ProxyServer server;
    private final RouteTable.Route route;
    private Relay relay;

    ClientSideHandler(ProxyServer server, RouteTable.Route route) {
        this.server = server;
        this.route = route;
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

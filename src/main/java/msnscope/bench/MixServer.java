package msnscope.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The server of the relay benchmark's mixed workload: answers {@code VER} with the version, {@code PNG}
 * with {@code QNG 60} and {@code MSG t A n} (after its n payload bytes) with {@code ACK t}; replies of one
 * read go out in one flush. Deliberately not msnscope's framer: the server must not share the code it
 * measures.
 */
public final class MixServer implements AutoCloseable {

    private static final byte[] QNG = "QNG 60\r\n".getBytes(StandardCharsets.US_ASCII);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    public MixServer() throws InterruptedException {
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Responder());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Reads lines; skips a MSG's payload by its declared length; answers each command. */
    private static final class Responder extends ChannelInboundHandlerAdapter {
        private final StringBuilder line = new StringBuilder();
        private long skip;
        private String pendingAck;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                while (in.isReadable()) {
                    if (skip > 0) {
                        int n = (int) Math.min(skip, in.readableBytes());
                        in.skipBytes(n);
                        skip -= n;
                        if (skip == 0 && pendingAck != null) {
                            ctx.write(ctx.alloc().buffer().writeBytes(pendingAck.getBytes(StandardCharsets.US_ASCII)));
                            pendingAck = null;
                        }
                        continue;
                    }
                    byte b = in.readByte();
                    if (b == '\n') {
                        answer(ctx, line.toString().strip());
                        line.setLength(0);
                    } else {
                        line.append((char) b);
                    }
                }
            } finally {
                in.release();
            }
        }

        private void answer(ChannelHandlerContext ctx, String l) {
            String[] t = l.split(" ");
            switch (t[0]) {
                case "PNG" -> ctx.write(ctx.alloc().buffer(QNG.length).writeBytes(QNG));
                case "VER" -> ctx.write(ctx.alloc().buffer().writeBytes((t[0] + " " + t[1] + " " + t[2] + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII)));
                case "MSG" -> {
                    skip = Long.parseLong(t[t.length - 1]);
                    pendingAck = "ACK " + t[1] + "\r\n";
                    if (skip == 0) {
                        ctx.write(ctx.alloc().buffer().writeBytes(pendingAck.getBytes(StandardCharsets.US_ASCII)));
                        pendingAck = null;
                    }
                }
                default -> {
                    // not part of the workload
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

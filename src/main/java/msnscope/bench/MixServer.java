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

    /** Reads lines; skips a MSG's payload by its declared length; answers each command. Cheap: it must not be what limits a relay. */
    private static final class Responder extends ChannelInboundHandlerAdapter {
        private final byte[] line = new byte[1024];
        private int length;
        private long skip;
        private final byte[] ack = new byte[64];
        private int ackLength;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            ByteBuf out = ctx.alloc().buffer(256);
            try {
                while (in.isReadable()) {
                    if (skip > 0) {
                        int n = (int) Math.min(skip, in.readableBytes());
                        in.skipBytes(n);
                        skip -= n;
                        if (skip == 0) {
                            out.writeBytes(ack, 0, ackLength);
                        }
                        continue;
                    }
                    byte b = in.readByte();
                    if (b == '\n') {
                        answer(out);
                        length = 0;
                    } else if (b != '\r' && length < line.length) {
                        line[length++] = b;
                    }
                }
            } finally {
                in.release();
            }
            if (out.isReadable()) {
                ctx.write(out);
            } else {
                out.release();
            }
        }

        private void answer(ByteBuf out) {
            if (length < 3) {
                return;
            }
            if (line[0] == 'P' && line[1] == 'N' && line[2] == 'G') {
                out.writeBytes(QNG);
            } else if (line[0] == 'V' && line[1] == 'E' && line[2] == 'R') {
                // VER trid MSNPnn ...: the first two parameters back.
                int spaces = 0;
                int end = length;
                for (int i = 0; i < length; i++) {
                    if (line[i] == ' ' && ++spaces == 3) {
                        end = i;
                        break;
                    }
                }
                out.writeBytes(line, 0, end).writeByte('\r').writeByte('\n');
            } else if (line[0] == 'M' && line[1] == 'S' && line[2] == 'G' && length > 4) {
                int tridEnd = 4;
                while (tridEnd < length && line[tridEnd] != ' ') {
                    tridEnd++;
                }
                ackLength = 0;
                for (byte c : new byte[] {'A', 'C', 'K', ' '}) {
                    ack[ackLength++] = c;
                }
                for (int i = 4; i < tridEnd && ackLength < ack.length - 2; i++) {
                    ack[ackLength++] = line[i];
                }
                ack[ackLength++] = '\r';
                ack[ackLength++] = '\n';
                int last = length - 1;
                while (last > 0 && line[last - 1] != ' ') {
                    last--;
                }
                long declared = 0;
                for (int i = last; i < length; i++) {
                    declared = declared * 10 + (line[i] - '0');
                }
                skip = declared;
                if (skip == 0) {
                    out.writeBytes(ack, 0, ackLength);
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

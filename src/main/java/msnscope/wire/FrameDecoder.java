package msnscope.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Netty decoder around {@link Framer}: bytes of one direction in, {@link Frame}s out. It only frames;
 * one frame per {@code decode} call, so handlers downstream see each frame (and can update the
 * negotiated version) before the next line is framed.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private final Framer framer;

    public FrameDecoder(Direction direction, PayloadOracle oracle, FramerLimits limits) {
        this.framer = new Framer(direction, oracle, limits);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        Frame frame = framer.decode(in);
        if (frame != null) {
            out.add(frame);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        Frame frame = framer.decode(in);
        if (frame == null) {
            frame = framer.decodeLast(in);
        }
        if (frame != null) {
            out.add(frame);
        }
    }
}

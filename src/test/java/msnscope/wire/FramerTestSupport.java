package msnscope.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Drives a {@link Framer} the way a socket does: in arbitrary pieces. */
public final class FramerTestSupport {

    private FramerTestSupport() {
    }

    public static List<Frame> byteByByte(byte[] data, Direction dir, PayloadOracle oracle, FramerLimits limits) {
        int[] cuts = new int[data.length + 1];
        for (int i = 0; i <= data.length; i++) {
            cuts[i] = i;
        }
        return inPieces(data, cuts, dir, oracle, limits);
    }

    /** Frames {@code data} delivered in pieces ending at the given offsets (ascending). */
    public static List<Frame> inPieces(byte[] data, int[] cuts, Direction dir, PayloadOracle oracle, FramerLimits limits) {
        Framer framer = new Framer(dir, oracle, limits);
        ByteBuf buf = Unpooled.buffer();
        List<Frame> frames = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            if (cut > from) {
                buf.writeBytes(data, from, cut - from);
                from = cut;
            }
            for (Frame f; (f = framer.decode(buf)) != null; ) {
                frames.add(f);
            }
            buf.discardReadBytes();
        }
        if (from < data.length) {
            buf.writeBytes(data, from, data.length - from);
            for (Frame f; (f = framer.decode(buf)) != null; ) {
                frames.add(f);
            }
        }
        Frame last = framer.decodeLast(buf);
        if (last != null) {
            frames.add(last);
        }
        buf.release();
        return frames;
    }

    public static byte[] join(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            out.writeBytes(f.copyBytes());
        }
        return out.toByteArray();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}

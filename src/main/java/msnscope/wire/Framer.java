package msnscope.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts one direction of one MSNP connection into {@link Frame}s: a line up to LF, then — when the
 * {@link PayloadOracle} says the command carries one — exactly the declared number of payload bytes.
 * Payload bytes are counted, never scanned, so binary P2P data with CR LF or NUL inside is safe.
 *
 * <p>Sans-I/O: it reads from a {@link ByteBuf} and returns at most one frame per call, so the caller can
 * update the oracle's state (the negotiated version) before the next line is framed. {@link FrameDecoder}
 * runs it in a Netty pipeline; {@link #frameAll} runs it over a byte array.
 *
 * <p>It never throws on input. Bad input becomes flagged frames: lines over the limit are cut into
 * {@link Frame#LINE_TOO_LONG} pieces, absurd payload lengths are refused ({@link Frame#PAYLOAD_TOO_LARGE})
 * and framing resumes at the next line, and at end of stream the remainder is a truncated frame.
 * Buffered bytes never exceed one line plus one payload limit.
 */
public final class Framer {

    private final Direction direction;
    private final PayloadOracle oracle;
    private final FramerLimits limits;

    /** Bytes after the reader index already searched for LF, so a slow line is never rescanned. */
    private int scanned;
    /** Inside a line longer than the limit: the next LF ends it, and what is before it is not a command. */
    private boolean discarding;

    /** While waiting for a payload: the line's length with terminator, else -1. */
    private int pendingHead = -1;
    private int pendingLineLength;
    private int pendingDeclared;
    private int pendingFlags;
    private String pendingCommand;

    public Framer(Direction direction, PayloadOracle oracle, FramerLimits limits) {
        this.direction = direction;
        this.oracle = oracle;
        this.limits = limits;
    }

    public Direction direction() {
        return direction;
    }

    /** Frames a whole byte array with a fixed oracle, including the truncated remainder. */
    public static List<Frame> frameAll(byte[] data, Direction direction, PayloadOracle oracle, FramerLimits limits) {
        Framer framer = new Framer(direction, oracle, limits);
        ByteBuf in = Unpooled.wrappedBuffer(data);
        List<Frame> frames = new ArrayList<>();
        for (Frame f; (f = framer.decode(in)) != null; ) {
            frames.add(f);
        }
        Frame last = framer.decodeLast(in);
        if (last != null) {
            frames.add(last);
        }
        return frames;
    }

    /** Returns the next complete frame from {@code in}, consuming its bytes, or null if more are needed. */
    public Frame decode(ByteBuf in) {
        if (pendingHead >= 0) {
            return completePayload(in);
        }
        int start = in.readerIndex();
        int end = in.writerIndex();
        int lf = in.indexOf(start + scanned, end, (byte) '\n');
        if (lf < 0) {
            int readable = end - start;
            if (readable > limits.maxLineLength()) {
                return overLongPiece(in);
            }
            scanned = readable;
            return null;
        }
        scanned = 0;
        boolean bareLf = lf == start || in.getByte(lf - 1) != '\r';
        int lineLength = (bareLf ? lf : lf - 1) - start;
        if (lineLength > limits.maxLineLength()) {
            return overLongPiece(in);
        }
        int head = lf + 1 - start;
        int flags = bareLf ? Frame.BARE_LF : 0;
        if (discarding) {
            discarding = false;
            return new Frame(read(in, head), lineLength, head, -1, flags | Frame.LINE_TOO_LONG | Frame.NOT_A_COMMAND, null);
        }
        String command = null;
        int key = CommandKeys.NONE;
        if (lineLength >= 3 && (lineLength == 3 || in.getByte(start + 3) == ' ')) {
            key = CommandKeys.of(in.getByte(start), in.getByte(start + 1), in.getByte(start + 2));
        }
        if (key == CommandKeys.NONE) {
            return new Frame(read(in, head), lineLength, head, -1, flags | Frame.NOT_A_COMMAND, null);
        }
        command = in.toString(start, 3, java.nio.charset.StandardCharsets.US_ASCII);
        long declared = payloadLength(in, start, lineLength, key);
        if (declared < 0) {
            return new Frame(read(in, head), lineLength, head, -1, flags, command);
        }
        if (declared > limits.maxPayloadLength()) {
            return new Frame(read(in, head), lineLength, head, -1, flags | Frame.PAYLOAD_TOO_LARGE, command);
        }
        pendingHead = head;
        pendingLineLength = lineLength;
        pendingDeclared = (int) declared;
        pendingFlags = flags;
        pendingCommand = command;
        return completePayload(in);
    }

    /**
     * At end of stream, after {@link #decode} returned null: the incomplete remainder as one truncated
     * frame, or null when nothing is left.
     */
    public Frame decodeLast(ByteBuf in) {
        int readable = in.readableBytes();
        if (pendingHead >= 0) {
            Frame f = new Frame(read(in, readable), pendingLineLength, pendingHead, pendingDeclared,
                    pendingFlags | Frame.PAYLOAD_TRUNCATED, pendingCommand);
            pendingHead = -1;
            return f;
        }
        if (readable == 0) {
            return null;
        }
        int start = in.readerIndex();
        int flags = Frame.LINE_TRUNCATED;
        String command = null;
        if (discarding) {
            flags |= Frame.LINE_TOO_LONG | Frame.NOT_A_COMMAND;
            discarding = false;
        } else if (readable >= 3 && (readable == 3 || in.getByte(start + 3) == ' ')
                && CommandKeys.of(in.getByte(start), in.getByte(start + 1), in.getByte(start + 2)) != CommandKeys.NONE) {
            command = in.toString(start, 3, java.nio.charset.StandardCharsets.US_ASCII);
        } else {
            flags |= Frame.NOT_A_COMMAND;
        }
        int lineLength = readable > 0 && in.getByte(start + readable - 1) == '\r' ? readable - 1 : readable;
        scanned = 0;
        return new Frame(read(in, readable), lineLength, readable, -1, flags, command);
    }

    private Frame completePayload(ByteBuf in) {
        int total = pendingHead + pendingDeclared;
        if (in.readableBytes() < total) {
            return null;
        }
        Frame f = new Frame(read(in, total), pendingLineLength, pendingHead, pendingDeclared, pendingFlags, pendingCommand);
        pendingHead = -1;
        pendingCommand = null;
        return f;
    }

    private Frame overLongPiece(ByteBuf in) {
        int n = limits.maxLineLength();
        int flags = Frame.LINE_TOO_LONG | Frame.NOT_A_COMMAND;
        String command = null;
        if (!discarding) {
            int s = in.readerIndex();
            if (in.getByte(s + 3) == ' ' && CommandKeys.of(in.getByte(s), in.getByte(s + 1), in.getByte(s + 2)) != CommandKeys.NONE) {
                command = in.toString(s, 3, java.nio.charset.StandardCharsets.US_ASCII);
                flags &= ~Frame.NOT_A_COMMAND;
            }
        }
        discarding = true;
        scanned = 0;
        return new Frame(read(in, n), n, n, -1, flags, command);
    }

    /**
     * The payload length this line declares, or -1 when it has none: only lines whose declared form has a
     * length parameter, and only when the last token is all digits ({@code ADL 8 OK} is an ack, not a payload).
     */
    private long payloadLength(ByteBuf in, int start, int lineLength, int key) {
        int tokens = 1;
        int lastSpace = -1;
        int end = start + lineLength;
        for (int i = start + 3; i < end; i++) {
            if (in.getByte(i) == ' ') {
                tokens++;
                lastSpace = i;
            }
        }
        if (lastSpace < 0 || !oracle.expectsPayload(key, direction, tokens)) {
            return -1;
        }
        int digits = end - lastSpace - 1;
        if (digits < 1 || digits > 10) {
            return digits > 10 && allDigits(in, lastSpace + 1, end) ? Long.MAX_VALUE : -1;
        }
        long value = 0;
        for (int i = lastSpace + 1; i < end; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    private static boolean allDigits(ByteBuf in, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
    }

    private static byte[] read(ByteBuf in, int n) {
        byte[] bytes = new byte[n];
        in.readBytes(bytes);
        return bytes;
    }
}

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

    /** While waiting for a payload: the line with its terminator, else null. */
    private byte[] pendingLine;
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
        if (pendingLine != null) {
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
        int head = lf + 1 - start;
        boolean bareLf = head == 1 || in.getByte(lf - 1) != '\r';
        int lineLength = bareLf ? head - 1 : head - 2;
        if (lineLength > limits.maxLineLength()) {
            return overLongPiece(in);
        }
        // One bulk copy of the line; everything else reads the array, not the buffer.
        byte[] line = read(in, head);
        int flags = bareLf ? Frame.BARE_LF : 0;
        if (discarding) {
            discarding = false;
            return new Frame(line, lineLength, head, -1, flags | Frame.LINE_TOO_LONG | Frame.NOT_A_COMMAND, null);
        }
        int key = lineLength >= 3 && (lineLength == 3 || line[3] == ' ') ? CommandKeys.of(line[0], line[1], line[2]) : CommandKeys.NONE;
        if (key == CommandKeys.NONE) {
            return new Frame(line, lineLength, head, -1, flags | Frame.NOT_A_COMMAND, null);
        }
        String command = CommandKeys.name(key, line);
        long declared = payloadLength(line, lineLength, key);
        if (declared < 0) {
            return new Frame(line, lineLength, head, -1, flags, command);
        }
        if (declared > limits.maxPayloadLength()) {
            return new Frame(line, lineLength, head, -1, flags | Frame.PAYLOAD_TOO_LARGE, command);
        }
        pendingLine = line;
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
        if (pendingLine != null) {
            byte[] all = new byte[pendingLine.length + readable];
            System.arraycopy(pendingLine, 0, all, 0, pendingLine.length);
            in.readBytes(all, pendingLine.length, readable);
            Frame f = new Frame(all, pendingLineLength, pendingLine.length, pendingDeclared,
                    pendingFlags | Frame.PAYLOAD_TRUNCATED, pendingCommand);
            pendingLine = null;
            return f;
        }
        if (readable == 0) {
            return null;
        }
        byte[] rest = read(in, readable);
        int flags = Frame.LINE_TRUNCATED;
        String command = null;
        if (discarding) {
            flags |= Frame.LINE_TOO_LONG | Frame.NOT_A_COMMAND;
            discarding = false;
        } else {
            int key = readable >= 3 && (readable == 3 || rest[3] == ' ') ? CommandKeys.of(rest[0], rest[1], rest[2]) : CommandKeys.NONE;
            if (key == CommandKeys.NONE) {
                flags |= Frame.NOT_A_COMMAND;
            } else {
                command = CommandKeys.name(key, rest);
            }
        }
        int lineLength = rest[readable - 1] == '\r' ? readable - 1 : readable;
        scanned = 0;
        return new Frame(rest, lineLength, readable, -1, flags, command);
    }

    private Frame completePayload(ByteBuf in) {
        if (in.readableBytes() < pendingDeclared) {
            return null;
        }
        int head = pendingLine.length;
        byte[] all = new byte[head + pendingDeclared];
        System.arraycopy(pendingLine, 0, all, 0, head);
        in.readBytes(all, head, pendingDeclared);
        Frame f = new Frame(all, pendingLineLength, head, pendingDeclared, pendingFlags, pendingCommand);
        pendingLine = null;
        pendingCommand = null;
        return f;
    }

    private Frame overLongPiece(ByteBuf in) {
        int n = limits.maxLineLength();
        byte[] piece = read(in, n);
        int flags = Frame.LINE_TOO_LONG | Frame.NOT_A_COMMAND;
        String command = null;
        if (!discarding && piece[3] == ' ') {
            int key = CommandKeys.of(piece[0], piece[1], piece[2]);
            if (key != CommandKeys.NONE) {
                command = CommandKeys.name(key, piece);
                flags &= ~Frame.NOT_A_COMMAND;
            }
        }
        discarding = true;
        scanned = 0;
        return new Frame(piece, n, n, -1, flags, command);
    }

    /**
     * The payload length this line declares, or -1 when it has none: only lines whose declared form has a
     * length parameter, and only when the last token is all digits ({@code ADL 8 OK} is an ack, not a payload).
     */
    private long payloadLength(byte[] line, int lineLength, int key) {
        int tokens = 1;
        int lastSpace = -1;
        for (int i = 3; i < lineLength; i++) {
            if (line[i] == ' ') {
                tokens++;
                lastSpace = i;
            }
        }
        if (lastSpace < 0 || !oracle.expectsPayload(key, direction, tokens)) {
            return -1;
        }
        int digits = lineLength - lastSpace - 1;
        if (digits < 1) {
            return -1;
        }
        long value = 0;
        for (int i = lastSpace + 1; i < lineLength; i++) {
            byte b = line[i];
            if (b < '0' || b > '9') {
                return -1;
            }
            // Saturate: any length this long is refused as too large anyway.
            value = value > Integer.MAX_VALUE ? value : value * 10 + (b - '0');
        }
        return value;
    }

    private static byte[] read(ByteBuf in, int n) {
        byte[] bytes = new byte[n];
        in.readBytes(bytes);
        return bytes;
    }
}

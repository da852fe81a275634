package msnscope.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.Arrays;
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
 * {@link Frame#LINE_TOO_LONG} pieces, and at end of stream the remainder is a truncated frame.
 *
 * <p><b>A payload is always the payload it declares</b>, whatever its size: that is what the server reads
 * too, and a payload must never be read as commands (a chat peer chooses its bytes). A payload above
 * the payload limit, or one the shared {@link PartialBudget} has no room to buffer, is <em>streamed</em>:
 * its line comes out as a frame flagged {@link Frame#PAYLOAD_STREAMED} (and {@link Frame#PAYLOAD_TOO_LARGE}
 * when over the limit), then its bytes as {@link Frame#PAYLOAD_PART} frames of at most
 * {@link FramerLimits#partLength()} bytes each, as they arrive, and framing resumes exactly after the
 * declared length. Lengths are counted in longs, saturating at {@link Long#MAX_VALUE}.
 *
 * <p>Memory: a partial line stays in the caller's buffer (at most one line limit); a partial payload is
 * moved into the framer's own array, grown as bytes arrive and paid for from the budget, so what a
 * silent peer holds is what it sent, and all of it together is bounded by the budget.
 */
public final class Framer {

    /** First array for a partial payload; it doubles from there up to the declared size. */
    private static final int FIRST_CAPACITY = 4096;

    private final Direction direction;
    private final PayloadOracle oracle;
    private final FramerLimits limits;
    private final PartialBudget budget;

    /** Bytes after the reader index already searched for LF, so a slow line is never rescanned. */
    private int scanned;
    /** Inside a line longer than the limit: the next LF ends it, and what is before it is not a command. */
    private boolean discarding;

    /** A payload being buffered: line, terminator and the payload bytes so far; null when none. */
    private byte[] pending;
    private int pendingFill;
    private int pendingHead;
    private int pendingLineLength;
    private int pendingDeclared;
    private int pendingFlags;
    private String pendingCommand;
    /** Budget held for {@link #pending} (its capacity). */
    private long pendingTaken;

    /** Payload bytes already buffered when streaming started, still to come out as parts. */
    private byte[] streamHeld;
    private int streamHeldFrom;
    private int streamHeldTo;
    /** Bytes of a streamed payload still to come from the input. */
    private long streamRemaining;

    /** A framer with no shared budget (offline framing: the whole input is in memory anyway). */
    public Framer(Direction direction, PayloadOracle oracle, FramerLimits limits) {
        this(direction, oracle, limits, PartialBudget.unlimited());
    }

    public Framer(Direction direction, PayloadOracle oracle, FramerLimits limits, PartialBudget budget) {
        this.direction = direction;
        this.oracle = oracle;
        this.limits = limits;
        this.budget = budget;
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
        if (streamHeld != null) {
            return heldPart();
        }
        if (streamRemaining > 0) {
            return streamedPart(in);
        }
        if (pending != null) {
            return continuePayload(in);
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
        int key = CommandKeys.ofLine(line, lineLength);
        if (key == CommandKeys.NONE) {
            return new Frame(line, lineLength, head, -1, flags | Frame.NOT_A_COMMAND, null);
        }
        String command = CommandKeys.name(key, line);
        long declared = payloadLength(line, lineLength, key);
        if (declared < 0) {
            return new Frame(line, lineLength, head, -1, flags, command);
        }
        if (declared > limits.maxPayloadLength()) {
            streamRemaining = declared;
            return new Frame(line, lineLength, head, -1, flags | Frame.PAYLOAD_TOO_LARGE | Frame.PAYLOAD_STREAMED, command);
        }
        int length = (int) declared;
        if (in.readableBytes() >= length) {
            // The common case: the whole payload is here, nothing is buffered, no budget is taken.
            byte[] all = Arrays.copyOf(line, head + length);
            in.readBytes(all, head, length);
            return new Frame(all, lineLength, head, length, flags, command);
        }
        pending = line;
        pendingFill = head;
        pendingHead = head;
        pendingLineLength = lineLength;
        pendingDeclared = length;
        pendingFlags = flags;
        pendingCommand = command;
        if (!budget.tryTake(line.length)) {
            return startStreaming();
        }
        pendingTaken = line.length;
        return continuePayload(in);
    }

    /**
     * At end of stream, after {@link #decode} returned null: the incomplete remainder as one truncated
     * frame, or null when nothing is left. Gives back any budget the framer held.
     */
    public Frame decodeLast(ByteBuf in) {
        if (streamHeld != null || streamRemaining > 0) {
            Frame part = decode(in);
            if (part == null) {
                // The stream ended inside a streamed payload: its parts so far are all there is.
                streamRemaining = 0;
            }
            return part;
        }
        int readable = in.readableBytes();
        if (pending != null) {
            int n = Math.min(readable, pendingHead + pendingDeclared - pendingFill);
            byte[] all = Arrays.copyOf(pending, pendingFill + n);
            in.readBytes(all, pendingFill, n);
            Frame f = new Frame(all, pendingLineLength, pendingHead, pendingDeclared,
                    pendingFlags | Frame.PAYLOAD_TRUNCATED, pendingCommand);
            dropPending();
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
            int key = CommandKeys.ofLine(rest, readable);
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

    /** The connection is gone without a last frame: gives back the budget of a partial payload. Idempotent. */
    public void release() {
        dropPending();
        streamHeld = null;
        streamRemaining = 0;
    }

    /** True between a payload's line and its last byte: what comes next is payload, not a line. */
    public boolean insidePayload() {
        return pending != null || streamHeld != null || streamRemaining > 0;
    }

    /** Bytes of a partial payload this framer holds right now (line included). */
    public int buffered() {
        return pending == null ? 0 : pending.length;
    }

    /** Moves what arrived of the pending payload into its array; the frame once it is complete. */
    private Frame continuePayload(ByteBuf in) {
        int total = pendingHead + pendingDeclared;
        int n = Math.min(in.readableBytes(), total - pendingFill);
        if (n > 0) {
            int needed = pendingFill + n;
            if (needed > pending.length && !grow(needed, total)) {
                return startStreaming();
            }
            in.readBytes(pending, pendingFill, n);
            pendingFill = needed;
        }
        if (pendingFill < total) {
            return null;
        }
        // grow() never goes past the declared size, so the array is exactly the frame.
        Frame f = new Frame(pending, pendingLineLength, pendingHead, pendingDeclared, pendingFlags, pendingCommand);
        dropPending();
        return f;
    }

    /** Doubles the pending array (at least to {@code needed}, at most to {@code total}), paid from the budget. */
    private boolean grow(int needed, int total) {
        int now = pending.length;
        int capacity = (int) Math.min(total, Math.max(needed, Math.max(FIRST_CAPACITY, 2L * now)));
        if (!budget.tryTake(capacity - now)) {
            capacity = needed;
            if (!budget.tryTake(capacity - now)) {
                return false;
            }
        }
        pendingTaken += capacity - now;
        pending = Arrays.copyOf(pending, capacity);
        return true;
    }

    /**
     * No budget for the pending payload: its line goes out now, flagged, the bytes buffered so far follow
     * as parts, and the rest is streamed; the budget is given back.
     */
    private Frame startStreaming() {
        Frame line = new Frame(Arrays.copyOf(pending, pendingHead), pendingLineLength, pendingHead, -1,
                pendingFlags | Frame.PAYLOAD_STREAMED, pendingCommand);
        if (pendingFill > pendingHead) {
            streamHeld = pending;
            streamHeldFrom = pendingHead;
            streamHeldTo = pendingFill;
        }
        streamRemaining = pendingDeclared - (long) (pendingFill - pendingHead);
        dropPending();
        return line;
    }

    private Frame heldPart() {
        int n = Math.min(limits.partLength(), streamHeldTo - streamHeldFrom);
        byte[] part = Arrays.copyOfRange(streamHeld, streamHeldFrom, streamHeldFrom + n);
        streamHeldFrom += n;
        if (streamHeldFrom == streamHeldTo) {
            streamHeld = null;
        }
        return Frame.part(part);
    }

    private Frame streamedPart(ByteBuf in) {
        int n = (int) Math.min(Math.min(in.readableBytes(), limits.partLength()), streamRemaining);
        if (n == 0) {
            return null;
        }
        streamRemaining -= n;
        return Frame.part(read(in, n));
    }

    private void dropPending() {
        if (pending != null) {
            budget.release(pendingTaken);
            pendingTaken = 0;
            pending = null;
            pendingCommand = null;
        }
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
            // Exact up to Long.MAX_VALUE, then saturated: such a payload is streamed until the connection ends.
            value = value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + (b - '0');
        }
        return value;
    }

    private static byte[] read(ByteBuf in, int n) {
        byte[] bytes = new byte[n];
        in.readBytes(bytes);
        return bytes;
    }
}

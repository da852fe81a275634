package msnscope.capture;

import msnscope.wire.CommandKeys;
import msnscope.wire.Direction;
import msnscope.wire.Edit;
import msnscope.wire.Frame;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The capture file format, version 1 ({@code docs/capture-format.md} is the reference):
 *
 * <pre>
 * file    = magic record*
 * magic   = "MSNCAP1\n"                                  (8 bytes)
 * record  = u32 length | u8 type | body | u32 crc32      (big-endian; length counts type + body;
 *                                                          crc32 covers type + body)
 * </pre>
 *
 * A record is valid only when its length fits the file, is at most {@link #MAX_RECORD}, its CRC matches
 * and its body decodes to exactly its fields: {@link CaptureReader} skips invalid records to the next valid
 * one, and stops at a torn tail (a crash); the writer truncates a torn tail before appending. Strings are
 * {@code i32 length | UTF-8} with length -1 for null.
 */
public final class CaptureFormat {

    public static final byte[] MAGIC = "MSNCAP1\n".getBytes(StandardCharsets.US_ASCII);
    /** Largest record accepted: a frame is at most a line limit plus a payload limit, twice (rewritten). */
    public static final int MAX_RECORD = 64 << 20;
    /** Bytes around a record body: length, type and CRC. */
    public static final int OVERHEAD = 4 + 1 + 4;

    public static final int SESSION = 1;
    public static final int OPEN = 2;
    public static final int FRAME = 3;
    public static final int CLOSE = 4;
    /**
     * A frame with varint lengths (what is written since the relay-speed work: a 5-byte {@code PNG} takes
     * 35 bytes instead of 64, and the recorder's cost is the bytes it hands the kernel). {@link #FRAME} is
     * still read.
     */
    public static final int FRAME_COMPACT = 5;
    /**
     * A compact frame that a rule or the hook changed, or that msnscope made: the body of {@link #FRAME_COMPACT}
     * followed by the {@link Edit}. A record type of its own, so an unedited frame (nearly all) costs not a byte more.
     */
    public static final int FRAME_EDITED = 6;
    /**
     * A run of frames: consecutive frames of one connection and direction that arrived in one read, unchanged
     * and framed plainly (what the recorder writes for nearly every frame). Each frame is its size and its bytes;
     * the reader derives the rest (where the line ends, its command, a bare LF) from the bytes as the framer did,
     * so the relay pays a varint and a copy per frame, and one header and CRC per run. A frame the framer flagged
     * otherwise (cut short, over-long, streamed), or that was changed, is written as {@link #FRAME_COMPACT} or
     * {@link #FRAME_EDITED}.
     */
    public static final int FRAME_RUN = 7;
    /** The highest record type this version reads. */
    static final int LAST_TYPE = FRAME_RUN;
    /**
     * Frame bytes after which a run ends and the next frame starts a new one: damage to one record then loses
     * a few dozen frames at most, while the header and CRC are still paid once per dozens of frames.
     */
    static final int RUN_BYTES = 4096;
    /** The framer's flags a frame in a run may have: the reader derives them from the bytes. */
    private static final int RUN_FLAGS = Frame.BARE_LF | Frame.NOT_A_COMMAND;

    private CaptureFormat() {
    }

    /** The whole record, framing included, ready to append. */
    public static byte[] encode(CaptureRecord r) {
        if (r instanceof CaptureRecord.FrameRecord f) {
            byte[] connection = f.connection().getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(frameRecordBound(connection, f.frame(), f.rewritten(), f.edit()));
            encodeFrame(out, new CRC32(), connection, f.timeMicros() == null ? Long.MIN_VALUE : f.timeMicros(), f.direction(), f.frame(),
                    f.rewritten(), f.edit());
            return java.util.Arrays.copyOf(out.array(), out.position());
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream(r instanceof CaptureRecord.FrameRecord f ? f.frame().size() + 64 : 128);
        DataOutputStream out = new DataOutputStream(buf);
        try {
            out.writeInt(0);
            out.writeByte(r.type());
            if (r instanceof CaptureRecord.SessionStarted s) {
                str(out, s.session());
                out.writeLong(s.createdMicros());
                str(out, s.source());
            } else if (r instanceof CaptureRecord.ConnectionOpened o) {
                str(out, o.connection());
                ConnectionInfo i = o.info();
                str(out, i.proxyId());
                str(out, i.role());
                str(out, i.client());
                str(out, i.proxy());
                str(out, i.upstreamName());
                str(out, i.upstream());
                out.writeLong(i.openedMicros() == null ? Long.MIN_VALUE : i.openedMicros());
                ConnectionInfo.StoredReferral ref = i.referral();
                out.writeBoolean(ref != null);
                if (ref != null) {
                    str(out, ref.kind());
                    str(out, ref.fromConnection());
                    str(out, ref.account());
                    str(out, ref.original());
                    str(out, ref.rewritten());
                    str(out, ref.cookie());
                    str(out, ref.sessionId());
                    str(out, ref.line());
                    out.writeLong(ref.timeMicros());
                }
            } else if (r instanceof CaptureRecord.ConnectionClosed c) {
                str(out, c.connection());
                out.writeLong(c.timeMicros());
                str(out, c.reason());
            }
            out.writeInt(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] all = buf.toByteArray();
        int length = all.length - OVERHEAD;
        putInt(all, 0, length + 1);
        CRC32 crc = new CRC32();
        crc.update(all, 4, length + 1);
        putInt(all, all.length - 4, (int) crc.getValue());
        return all;
    }

    /**
     * Decodes the records of a record's body (CRC already checked): one, or the frames of a {@link #FRAME_RUN}.
     * Damage as in {@link #decode}.
     */
    public static List<CaptureRecord> decodeAll(int type, byte[] body) throws IOException {
        if (type != FRAME_RUN) {
            return List.of(decode(type, body));
        }
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        String conn = varString(in);
        long time = in.readLong();
        int dir = in.readUnsignedByte();
        if (dir > 1) {
            throw new IOException("a run's direction is " + dir);
        }
        Long timeMicros = time == Long.MIN_VALUE ? null : time;
        Direction direction = dir == 0 ? Direction.C2S : Direction.S2C;
        List<CaptureRecord> frames = new ArrayList<>();
        do {
            int sizeAndPayload = varint(in);
            int size = sizeAndPayload >>> 1;
            if (size == 0 || size > in.available()) {
                throw new IOException("a run's frame of " + size + " bytes in " + in.available());
            }
            byte[] raw = new byte[size];
            in.readFully(raw);
            frames.add(new CaptureRecord.FrameRecord(conn, timeMicros, direction, runFrame(raw, (sizeAndPayload & 1) == 1), null));
        } while (in.available() > 0);
        return frames;
    }

    /** A frame of a run from its bytes, derived as the framer framed it: the line ends at the first LF. */
    private static Frame runFrame(byte[] raw, boolean declaresPayload) throws IOException {
        int lf = 0;
        while (lf < raw.length && raw[lf] != '\n') {
            lf++;
        }
        if (lf == raw.length) {
            throw new IOException("a run's frame without a line end");
        }
        boolean bareLf = lf == 0 || raw[lf - 1] != '\r';
        int lineLength = bareLf ? lf : lf - 1;
        int head = lf + 1;
        int key = CommandKeys.ofLine(raw, lineLength);
        int flags = (bareLf ? Frame.BARE_LF : 0) | (key == CommandKeys.NONE ? Frame.NOT_A_COMMAND : 0);
        if (declaresPayload ? key == CommandKeys.NONE : raw.length != head) {
            throw new IOException("a run's frame whose bytes do not frame as recorded");
        }
        int declared = declaresPayload ? raw.length - head : -1;
        return Frame.ofRaw(raw, lineLength, head, declared, flags, key == CommandKeys.NONE ? null : CommandKeys.name(key, raw));
    }

    /**
     * True when a frame can go into a {@link #FRAME_RUN}: the framer flagged nothing the bytes do not show, and
     * its fields are what the reader will derive (a frame built by other means than the framer, with fields that
     * disagree with its bytes, is written whole instead).
     */
    static boolean fitsRun(Frame f) {
        int flags = f.flags();
        int terminator = f.terminatorLength();
        if ((flags & ~RUN_FLAGS) != 0 || terminator != ((flags & Frame.BARE_LF) != 0 ? 1 : 2)
                || (f.command() == null) != ((flags & Frame.NOT_A_COMMAND) != 0)) {
            return false;
        }
        int declared = f.declaredLength();
        return declared < 0 || f.command() != null && f.size() == f.lineLength() + terminator + declared;
    }

    /** Room a run's header takes at most, with its record's length and type before it and the CRC after it. */
    static int runHeaderBound(byte[] connection) {
        return OVERHEAD + 5 + connection.length + 8 + 1;
    }

    /** Room a frame takes at most in a run. */
    static int runFrameBound(Frame f) {
        return 5 + f.size();
    }

    /** Starts a {@link #FRAME_RUN} record at the buffer's position; {@link #endRecord} finishes it. */
    static void startRun(ByteBuffer out, byte[] connection, long timeMicros, Direction direction) {
        out.putInt(0);
        out.put((byte) FRAME_RUN);
        putVarint(out, connection.length);
        out.put(connection);
        out.putLong(timeMicros);
        out.put((byte) (direction == Direction.C2S ? 0 : 1));
    }

    /** Appends a frame ({@link #fitsRun}) to the run being written. */
    static void putRunFrame(ByteBuffer out, Frame frame) {
        putVarint(out, frame.size() << 1 | (frame.declaredLength() >= 0 ? 1 : 0));
        frame.copyTo(out);
    }

    /**
     * Decodes a record from its type and body (CRC already checked). A body with fields left over, or a
     * field longer than the body, is not a record: a reader resynchronising on damage must not accept a
     * lucky CRC, nor allocate what a damaged length claims.
     */
    public static CaptureRecord decode(int type, byte[] body) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        CaptureRecord r = fields(type, in);
        if (in.available() != 0) {
            throw new IOException(in.available() + " bytes left after a record of type " + type);
        }
        return r;
    }

    private static CaptureRecord fields(int type, DataInputStream in) throws IOException {
        return switch (type) {
            case SESSION -> new CaptureRecord.SessionStarted(str(in), in.readLong(), str(in));
            case OPEN -> {
                String conn = str(in);
                String proxyId = str(in);
                String role = str(in);
                String client = str(in);
                String proxy = str(in);
                String upstreamName = str(in);
                String upstream = str(in);
                long opened = in.readLong();
                ConnectionInfo.StoredReferral ref = null;
                if (in.readBoolean()) {
                    ref = new ConnectionInfo.StoredReferral(str(in), str(in), str(in), str(in), str(in), str(in), str(in), str(in),
                            in.readLong());
                }
                yield new CaptureRecord.ConnectionOpened(conn, new ConnectionInfo(proxyId, role, client, proxy, upstreamName, upstream,
                        ref, opened == Long.MIN_VALUE ? null : opened));
            }
            case FRAME -> {
                String conn = str(in);
                long time = in.readLong();
                Direction dir = in.readByte() == 0 ? Direction.C2S : Direction.S2C;
                int lineLength = in.readInt();
                int payloadOffset = in.readInt();
                int declared = in.readInt();
                int flags = in.readInt();
                String command = str(in);
                byte[] raw = bytes(in);
                if (raw == null) {
                    throw new IOException("frame without bytes");
                }
                byte[] rewritten = bytes(in);
                yield new CaptureRecord.FrameRecord(conn, time == Long.MIN_VALUE ? null : time, dir,
                        Frame.ofRaw(raw, lineLength, payloadOffset, declared, flags, command), rewritten);
            }
            case FRAME_COMPACT, FRAME_EDITED -> {
                String conn = varString(in);
                long time = in.readLong();
                int dirAndFlags = varint(in);
                int lineLength = varint(in);
                int payloadOffset = lineLength + varint(in);
                int zigzag = varint(in, true);
                int declared = zigzag >>> 1 ^ -(zigzag & 1);
                byte[] commandBytes = varBytes(in, true);
                String command = commandBytes == null ? null : new String(commandBytes, StandardCharsets.UTF_8);
                byte[] raw = varBytes(in, false);
                byte[] rewritten = varBytes(in, true);
                if (payloadOffset < lineLength) {
                    throw new IOException("frame lengths out of range");
                }
                Edit edit = type == FRAME_EDITED ? edit(in) : null;
                yield new CaptureRecord.FrameRecord(conn, time == Long.MIN_VALUE ? null : time,
                        (dirAndFlags & 1) == 0 ? Direction.C2S : Direction.S2C,
                        Frame.ofRaw(raw, lineLength, payloadOffset, declared, dirAndFlags >>> 1, command), rewritten, edit);
            }
            case CLOSE -> new CaptureRecord.ConnectionClosed(str(in), in.readLong(), str(in));
            case FRAME_RUN -> throw new IOException("a run of frames is several records: decodeAll");
            default -> throw new IOException("unknown record type " + type);
        };
    }

    /** Room {@link #encodeFrame} needs at most for a frame record. */
    public static int frameRecordBound(byte[] connection, Frame frame, byte[] rewritten, Edit edit) {
        String cmd = frame.command();
        int bound = OVERHEAD + 4 + connection.length + 8 + 1 + 16 + 4 + (cmd == null ? 0 : cmd.length() * 3) + 4 + frame.size() + 4
                + (rewritten == null ? 0 : rewritten.length);
        return edit == null ? bound : bound + 5 + utf8Bound(edit.by()) + 5 + utf8Bound(edit.action()) + 1;
    }

    private static int utf8Bound(String s) {
        return s == null ? 0 : s.length() * 3;
    }

    /** The edit of a {@link #FRAME_EDITED} record: {@code by}, {@code action} (each varint n + 1, 0 = null, then n bytes), {@code made:u8}. */
    private static Edit edit(DataInputStream in) throws IOException {
        byte[] by = varBytes(in, true);
        byte[] action = varBytes(in, true);
        int made = in.readUnsignedByte();
        if (made > 1) {
            throw new IOException("an edit's made flag is " + made);
        }
        return new Edit(by == null ? null : new String(by, StandardCharsets.UTF_8),
                action == null ? null : new String(action, StandardCharsets.UTF_8), made == 1);
    }

    private static void putNullable(ByteBuffer out, String s) {
        if (s == null) {
            putVarint(out, 0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putVarint(out, b.length + 1);
        out.put(b);
    }

    /**
     * Appends a {@link #FRAME_COMPACT} record (a {@link #FRAME_EDITED} one when {@code edit} is not null) to a
     * buffer with room for it ({@link #frameRecordBound}), written in place (the recorder's per-frame path on the
     * relay: no intermediate arrays for an unedited frame); {@link #encode} of a {@link CaptureRecord.FrameRecord}
     * gives the same bytes.
     */
    public static void encodeFrame(ByteBuffer out, CRC32 crc, byte[] connection, long timeMicros, Direction direction, Frame frame,
                                   byte[] rewritten, Edit edit) {
        int start = out.position();
        out.putInt(0);
        out.put((byte) (edit == null ? FRAME_COMPACT : FRAME_EDITED));
        putVarint(out, connection.length);
        out.put(connection);
        out.putLong(timeMicros);
        putVarint(out, frame.flags() << 1 | (direction == Direction.C2S ? 0 : 1));
        putVarint(out, frame.lineLength());
        putVarint(out, frame.terminatorLength());
        // Zigzag: -1 (no payload) and every declared length up to Integer.MAX_VALUE (a hostile line's) fit.
        int declared = frame.declaredLength();
        putVarint(out, declared << 1 ^ declared >> 31);
        putCommand(out, frame.command());
        putVarint(out, frame.size());
        frame.copyTo(out);
        if (rewritten == null) {
            putVarint(out, 0);
        } else {
            putVarint(out, rewritten.length + 1);
            out.put(rewritten);
        }
        if (edit != null) {
            putNullable(out, edit.by());
            putNullable(out, edit.action());
            out.put((byte) (edit.made() ? 1 : 0));
        }
        endRecord(out, start, crc);
    }

    /**
     * Finishes the record that starts at {@code start} and ends at the buffer's position (a frame, or a run once its
     * last frame is in): its length, and its CRC appended.
     */
    static void endRecord(ByteBuffer out, int start, CRC32 crc) {
        int end = out.position();
        int length = end - start - 4;
        out.putInt(start, length);
        crc.reset();
        crc.update(out.position(start + 4).limit(end));
        out.limit(out.capacity());
        out.putInt((int) crc.getValue());
    }

    /** Unsigned LEB128, as protobuf writes it. */
    private static void putVarint(ByteBuffer out, int v) {
        while ((v & ~0x7F) != 0) {
            out.put((byte) (v & 0x7F | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    /** A varint of at most five bytes that fits a non-negative int; anything else is damage. */
    private static int varint(DataInputStream in) throws IOException {
        return varint(in, false);
    }

    /** {@code all32}: any 32-bit pattern (a zigzag value); else only a non-negative int. */
    private static int varint(DataInputStream in, boolean all32) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (shift == 28 && b > (all32 ? 0x0F : 0x07)) {
                    throw new IOException("varint out of range");
                }
                return v;
            }
        }
        throw new IOException("varint longer than five bytes");
    }

    /** {@code varint length + 1} (0 = null) and the bytes, or {@code varint length} and the bytes. */
    private static byte[] varBytes(DataInputStream in, boolean nullable) throws IOException {
        int n = varint(in);
        if (nullable) {
            if (n == 0) {
                return null;
            }
            n--;
        }
        if (n > in.available()) {
            throw new IOException("field longer than its record");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static String varString(DataInputStream in) throws IOException {
        byte[] b = varBytes(in, false);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A command as UTF-8 bytes without an intermediate array: the framer's commands are ASCII but for hostile lines. */
    private static void putCommand(ByteBuffer out, String cmd) {
        if (cmd == null) {
            putVarint(out, 0);
            return;
        }
        for (int i = 0; i < cmd.length(); i++) {
            if (cmd.charAt(i) >= 0x80) {
                byte[] b = cmd.getBytes(StandardCharsets.UTF_8);
                putVarint(out, b.length + 1);
                out.put(b);
                return;
            }
        }
        putVarint(out, cmd.length() + 1);
        for (int i = 0; i < cmd.length(); i++) {
            out.put((byte) cmd.charAt(i));
        }
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        bytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static String str(DataInputStream in) throws IOException {
        byte[] b = bytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.available()) {
            throw new IOException("a field of " + n + " bytes in a record of " + in.available());
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }
}

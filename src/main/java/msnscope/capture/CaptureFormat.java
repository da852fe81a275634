package msnscope.capture;

import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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

    private CaptureFormat() {
    }

    /** The whole record, framing included, ready to append. */
    public static byte[] encode(CaptureRecord r) {
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
            } else if (r instanceof CaptureRecord.FrameRecord f) {
                str(out, f.connection());
                out.writeLong(f.timeMicros() == null ? Long.MIN_VALUE : f.timeMicros());
                out.writeByte(f.direction() == Direction.C2S ? 0 : 1);
                Frame fr = f.frame();
                out.writeInt(fr.lineLength());
                out.writeInt(fr.lineLength() + fr.terminatorLength());
                out.writeInt(fr.declaredLength());
                out.writeInt(fr.flags());
                str(out, fr.command());
                byte[] raw = fr.copyBytes();
                out.writeInt(raw.length);
                out.write(raw);
                bytes(out, f.rewritten());
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
            case CLOSE -> new CaptureRecord.ConnectionClosed(str(in), in.readLong(), str(in));
            default -> throw new IOException("unknown record type " + type);
        };
    }

    /** Room {@link #encodeFrame} needs at most for a frame record. */
    public static int frameRecordBound(byte[] connection, Frame frame, byte[] rewritten) {
        String cmd = frame.command();
        return OVERHEAD + 4 + connection.length + 8 + 1 + 16 + 4 + (cmd == null ? 0 : cmd.length() * 3) + 4 + frame.size() + 4
                + (rewritten == null ? 0 : rewritten.length);
    }

    /**
     * Appends a frame record to a buffer (heap or direct) with room for it ({@link #frameRecordBound}): the same bytes as
     * {@link #encode} of a {@link CaptureRecord.FrameRecord}, written in place (the recorder's per-frame path
     * on the relay: no intermediate arrays).
     */
    public static void encodeFrame(ByteBuffer out, CRC32 crc, byte[] connection, long timeMicros, Direction direction, Frame frame,
                                   byte[] rewritten) {
        int start = out.position();
        out.putInt(0);
        out.put((byte) FRAME);
        putBytes(out, connection);
        out.putLong(timeMicros);
        out.put((byte) (direction == Direction.C2S ? 0 : 1));
        out.putInt(frame.lineLength());
        out.putInt(frame.lineLength() + frame.terminatorLength());
        out.putInt(frame.declaredLength());
        out.putInt(frame.flags());
        putCommand(out, frame.command());
        out.putInt(frame.size());
        frame.copyTo(out);
        putBytes(out, rewritten);
        int end = out.position();
        int length = end - start - 4;
        out.putInt(start, length);
        crc.reset();
        crc.update(out.position(start + 4).limit(end));
        out.limit(out.capacity());
        out.putInt((int) crc.getValue());
    }

    /** A command as UTF-8 bytes without an intermediate array: the framer's commands are ASCII but for hostile lines. */
    private static void putCommand(ByteBuffer out, String cmd) {
        if (cmd == null) {
            out.putInt(-1);
            return;
        }
        for (int i = 0; i < cmd.length(); i++) {
            if (cmd.charAt(i) >= 0x80) {
                putBytes(out, cmd.getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        out.putInt(cmd.length());
        for (int i = 0; i < cmd.length(); i++) {
            out.put((byte) cmd.charAt(i));
        }
    }

    private static void putBytes(ByteBuffer out, byte[] b) {
        if (b == null) {
            out.putInt(-1);
        } else {
            out.putInt(b.length);
            out.put(b);
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

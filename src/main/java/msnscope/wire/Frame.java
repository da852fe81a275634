package msnscope.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One MSNP frame exactly as it crossed the wire: a command line, its terminator, and for payload
 * commands the payload bytes. Immutable; {@link #copyBytes()} gives back the original bytes, so
 * encoding a frame is the identity.
 *
 * <p>A frame is also the unit the framer uses to report trouble without throwing: garbage, an
 * over-long line, a payload cut short by the end of the stream. Those conditions are {@link #flags()};
 * the dissector turns them into warnings.
 */
public final class Frame {

    /** The line ended with a bare LF instead of CR LF (accepted, but peers may frame it differently). */
    public static final int BARE_LF = 1;
    /** The stream ended before the line's terminator. */
    public static final int LINE_TRUNCATED = 1 << 1;
    /** The stream ended before the declared payload was complete; the payload holds what arrived. */
    public static final int PAYLOAD_TRUNCATED = 1 << 2;
    /** A piece of a line longer than the line limit; the line is split into several such frames. */
    public static final int LINE_TOO_LONG = 1 << 3;
    /**
     * The line declared a payload above the payload limit. The payload was still taken as the payload it
     * declares (also flagged {@link #PAYLOAD_STREAMED}), never read as commands.
     */
    public static final int PAYLOAD_TOO_LARGE = 1 << 4;
    /** The line does not start with a command (three upper-case letters or a three-digit error code). */
    public static final int NOT_A_COMMAND = 1 << 5;
    /**
     * A payload line whose payload was not buffered but streamed through: it follows as {@link #PAYLOAD_PART}
     * frames. Either the length is above the payload limit ({@link #PAYLOAD_TOO_LARGE}) or the shared budget
     * for partial payloads had no room. The frame itself holds only the line ({@link #hasPayload()} is false).
     */
    public static final int PAYLOAD_STREAMED = 1 << 6;
    /**
     * A piece of a streamed payload: payload bytes only, no line and no command ({@link #lineLength()} 0, the
     * whole frame is {@link #payload()}). Never a command, never rewritten, never decoded as a payload.
     */
    public static final int PAYLOAD_PART = 1 << 7;

    private final byte[] bytes;
    private final int lineLength;
    private final int payloadOffset;
    private final int declaredLength;
    private final int flags;
    private final String command;
    /**
     * The decoded line, made on first use: the dissector, the index and the JSON writer each ask for it. A
     * race only decodes it twice (Strings are immutable), so no lock is needed.
     */
    private String line;

    Frame(byte[] bytes, int lineLength, int payloadOffset, int declaredLength, int flags, String command) {
        this.bytes = bytes;
        this.lineLength = lineLength;
        this.payloadOffset = payloadOffset;
        this.declaredLength = declaredLength;
        this.flags = flags;
        this.command = command;
    }

    /** The three-character command or error code, or null when the line does not start with one. */
    public String command() {
        return command;
    }

    /** True when the command is a three-digit error code. */
    public boolean isError() {
        return command != null && command.charAt(0) >= '0' && command.charAt(0) <= '9';
    }

    public int flags() {
        return flags;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Total size in bytes: line, terminator and payload. */
    public int size() {
        return bytes.length;
    }

    /** The line's length in bytes, without its terminator. */
    public int lineLength() {
        return lineLength;
    }

    /** The command line decoded as UTF-8 (malformed bytes become U+FFFD), without its terminator. */
    public String line() {
        String l = line;
        if (l == null) {
            l = new String(bytes, 0, lineLength, StandardCharsets.UTF_8);
            line = l;
        }
        return l;
    }

    /**
     * The line split at each space, as {@code line().split(" ", -1)} gives it. An ASCII line (nearly every
     * one) is split from the frame's bytes, so the dissector does not decode the whole line first.
     */
    public String[] lineTokens() {
        int n = 1;
        boolean ascii = true;
        for (int i = 0; i < lineLength; i++) {
            byte b = bytes[i];
            if (b == ' ') {
                n++;
            } else if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (!ascii || line != null) {
            return split(line());
        }
        String[] out = new String[n];
        int from = 0;
        int k = 0;
        for (int i = 0; i < lineLength; i++) {
            if (bytes[i] == ' ') {
                out[k++] = new String(bytes, from, i - from, StandardCharsets.ISO_8859_1);
                from = i + 1;
            }
        }
        out[k] = new String(bytes, from, lineLength - from, StandardCharsets.ISO_8859_1);
        return out;
    }

    /** {@code line.split(" ", -1)}, without the intermediate list. */
    public static String[] split(String line) {
        int n = 1;
        int len = line.length();
        for (int i = 0; i < len; i++) {
            if (line.charAt(i) == ' ') {
                n++;
            }
        }
        String[] out = new String[n];
        if (n == 1) {
            out[0] = line;
            return out;
        }
        int from = 0;
        int k = 0;
        for (int i = 0; i < len; i++) {
            if (line.charAt(i) == ' ') {
                out[k++] = line.substring(from, i);
                from = i + 1;
            }
        }
        out[k] = line.substring(from);
        return out;
    }

    /** True when the line is well-formed UTF-8 (checked on the frame's own bytes, no copy). */
    public boolean lineIsUtf8() {
        return isUtf8(bytes, 0, lineLength);
    }

    /**
     * Whether the bytes are well-formed UTF-8, exactly as the JDK's UTF-8 decoder judges them (the Unicode
     * table of well-formed sequences: no overlong forms, no surrogates, nothing above U+10FFFF). A scan
     * instead of a decoder: every line, payload and header of the dissector is checked, and setting up a
     * decoder with its buffers cost more than the check itself.
     */
    public static boolean isUtf8(byte[] b, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xFF;
            if (c < 0xC2) {
                return false; // a continuation byte first, or an overlong two-byte form
            }
            if (c < 0xE0) {
                if (i + 1 >= end || !continuation(b[i + 1])) {
                    return false;
                }
                i += 2;
            } else if (c < 0xF0) {
                if (i + 2 >= end) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                boolean second = c == 0xE0 ? c1 >= 0xA0 && c1 <= 0xBF : c == 0xED ? c1 >= 0x80 && c1 <= 0x9F : continuation(b[i + 1]);
                if (!second || !continuation(b[i + 2])) {
                    return false;
                }
                i += 3;
            } else if (c < 0xF5) {
                if (i + 3 >= end) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                boolean second = c == 0xF0 ? c1 >= 0x90 && c1 <= 0xBF : c == 0xF4 ? c1 >= 0x80 && c1 <= 0x8F : continuation(b[i + 1]);
                if (!second || !continuation(b[i + 2]) || !continuation(b[i + 3])) {
                    return false;
                }
                i += 4;
            } else {
                return false;
            }
        }
        return true;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    /** The length the line declared for its payload, or -1 when the line carries none. */
    public int declaredLength() {
        return declaredLength;
    }

    /** True for a payload command, even one whose declared length is 0. */
    public boolean hasPayload() {
        return declaredLength >= 0;
    }

    /** Bytes of payload actually present (less than declared only when truncated). */
    public int payloadLength() {
        return declaredLength < 0 ? 0 : bytes.length - payloadOffset;
    }

    public byte[] payload() {
        return declaredLength < 0 ? new byte[0] : Arrays.copyOfRange(bytes, payloadOffset, bytes.length);
    }

    public byte[] lineBytes() {
        return Arrays.copyOf(bytes, lineLength);
    }

    /** The terminator as it arrived: CR LF, a bare LF, or nothing. */
    public int terminatorLength() {
        return (declaredLength < 0 ? bytes.length : payloadOffset) - lineLength;
    }

    /** The frame's exact original bytes (a copy). */
    public byte[] copyBytes() {
        return bytes.clone();
    }

    /** Read-only access for encoders that copy straight into a buffer. */
    public byte byteAt(int index) {
        return bytes[index];
    }

    /** Copies the original bytes to {@code dst}; used by encoders to avoid an extra array. */
    public void copyTo(int srcOffset, byte[] dst, int dstOffset, int length) {
        System.arraycopy(bytes, srcOffset, dst, dstOffset, length);
    }

    /** Puts the original bytes into {@code dst} (a capture writer's direct buffer: one copy, no array). */
    public void copyTo(java.nio.ByteBuffer dst) {
        dst.put(bytes);
    }

    byte[] array() {
        return bytes;
    }

    /** A piece of a streamed payload (see {@link #PAYLOAD_PART}). */
    static Frame part(byte[] bytes) {
        return new Frame(bytes, 0, 0, bytes.length, PAYLOAD_PART, null);
    }

    /** Builds a frame from already-framed parts, e.g. a transcript line and its payload. */
    public static Frame of(byte[] line, boolean bareLf, byte[] payload, int declaredLength, String command, int extraFlags) {
        int terminator = bareLf ? 1 : 2;
        int payloadLength = payload == null ? 0 : payload.length;
        byte[] all = new byte[line.length + terminator + payloadLength];
        System.arraycopy(line, 0, all, 0, line.length);
        if (bareLf) {
            all[line.length] = '\n';
        } else {
            all[line.length] = '\r';
            all[line.length + 1] = '\n';
        }
        if (payloadLength > 0) {
            System.arraycopy(payload, 0, all, line.length + terminator, payloadLength);
        }
        int flags = extraFlags | (bareLf ? BARE_LF : 0) | (command == null ? NOT_A_COMMAND : 0);
        return new Frame(all, line.length, line.length + terminator, payload == null ? -1 : declaredLength, flags, command);
    }

    /** Rebuilds a frame from its exact bytes by framing them again (for stored or base64 frames). */
    public static Frame ofRaw(byte[] raw, int lineLength, int payloadOffset, int declaredLength, int flags, String command) {
        return new Frame(raw.clone(), lineLength, payloadOffset, declaredLength, flags, command);
    }

    @Override
    public String toString() {
        return hasPayload() ? line() + " [+" + payloadLength() + " bytes]" : line();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.flags == flags && f.lineLength == lineLength
                && f.declaredLength == declaredLength && Arrays.equals(f.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + flags;
    }
}

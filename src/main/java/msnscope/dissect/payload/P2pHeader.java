package msnscope.dissect.payload;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 48-byte MSNC1 P2P binary header (§7.5), every field little-endian. Unsigned 32-bit fields are held in
 * a {@code long} so they never turn negative; the three 64-bit fields (offset, total size, ack data size)
 * are held as the raw bits and a value above 2^63−1 would read negative (reported by {@link P2pMessage}).
 *
 * @param sessionId    0 for SLP signalling
 * @param messageId    message (base) identifier
 * @param offset       byte offset of this chunk in the whole message
 * @param totalSize    bytes in the whole message
 * @param chunkSize    bytes of data in this chunk
 * @param flags        raw flag bits (0 normal/SLP, 0x2 ACK, 0x20 MSNObject data, …; names live in the
 *                     dissector tables, not here)
 * @param ackSessionId ack session id / ack identifier
 * @param ackUniqueId  ack unique id
 * @param ackDataSize  ack data size
 */
public record P2pHeader(long sessionId, long messageId, long offset, long totalSize, long chunkSize, long flags,
                        long ackSessionId, long ackUniqueId, long ackDataSize) {

    /** Header length in bytes. */
    public static final int LENGTH = 48;

    /** Reads a header at {@code off}, or returns {@code null} when fewer than {@value #LENGTH} bytes remain. */
    public static P2pHeader parse(byte[] b, int off) {
        if (b == null || off < 0 || b.length - off < LENGTH) {
            return null;
        }
        return new P2pHeader(u32(b, off), u32(b, off + 4), u64(b, off + 8), u64(b, off + 16), u32(b, off + 24),
                u32(b, off + 28), u32(b, off + 32), u32(b, off + 36), u64(b, off + 40));
    }

    /**
     * Fields: {@code session-id}, {@code message-id}, {@code offset}, {@code total-size}, {@code chunk-size},
     * {@code flags}, {@code ack-session-id}, {@code ack-unique-id}, {@code ack-data-size}; all numbers.
     */
    public Map<String, Object> toFields() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("session-id", sessionId);
        f.put("message-id", messageId);
        f.put("offset", offset);
        f.put("total-size", totalSize);
        f.put("chunk-size", chunkSize);
        f.put("flags", flags);
        f.put("ack-session-id", ackSessionId);
        f.put("ack-unique-id", ackUniqueId);
        f.put("ack-data-size", ackDataSize);
        return f;
    }

    static long u32(byte[] b, int off) {
        return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
    }

    static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }

    /** The 4-byte footer is the one big-endian field of the P2P layer. */
    static long u32BigEndian(byte[] b, int off) {
        return (b[off] & 0xFFL) << 24 | (b[off + 1] & 0xFFL) << 16 | (b[off + 2] & 0xFFL) << 8 | (b[off + 3] & 0xFFL);
    }
}

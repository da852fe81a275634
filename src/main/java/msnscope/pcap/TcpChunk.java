package msnscope.pcap;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import msnscope.wire.Direction;

/**
 * Contiguous payload bytes of one direction of a TCP connection, as they became available in the
 * capture. Chunks of one direction follow each other without gaps or overlaps, except where the
 * connection's {@link TcpConnection#problems()} report missing bytes: then nothing stands in for them.
 *
 * <p>Immutable: {@link #data()} returns a copy; {@link #buffer()} gives a read-only view without
 * copying for large imports.
 */
public final class TcpChunk {
    private final Direction dir;
    private final long timeMicros;
    private final byte[] data;

    /** Takes ownership of {@code data}: callers must not change the array afterwards. */
    TcpChunk(Direction dir, long timeMicros, byte[] data) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.timeMicros = timeMicros;
        this.data = Objects.requireNonNull(data, "data");
    }

    /** A chunk holding a copy of {@code data}. */
    public static TcpChunk of(Direction dir, long timeMicros, byte[] data) {
        return new TcpChunk(dir, timeMicros, data.clone());
    }

    public Direction dir() {
        return dir;
    }

    /**
     * When these bytes became contiguous, in microseconds since the Unix epoch (UTC): the capture time of
     * the packet that carried them, or later if they arrived out of order and had to wait for a gap to
     * fill. Never earlier than the previous chunk of the same direction.
     */
    public long timeMicros() {
        return timeMicros;
    }

    /** A copy of the bytes. */
    public byte[] data() {
        return data.clone();
    }

    /** The bytes as a read-only buffer, without copying. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /** The array itself, for this package's readers that promise not to change it. */
    byte[] raw() {
        return data;
    }

    /** Number of payload bytes. */
    public int size() {
        return data.length;
    }

    /** Copies the bytes into {@code dest} at {@code destPos}; saves the copy that {@link #data()} makes. */
    public void copyTo(byte[] dest, int destPos) {
        System.arraycopy(data, 0, dest, destPos, data.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpChunk c
                && c.dir == dir && c.timeMicros == timeMicros && Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dir, timeMicros, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "TcpChunk[" + dir + " @" + timeMicros + " " + data.length + " bytes]";
    }
}

package msnscope.capture;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import msnscope.wire.Direction;
import msnscope.wire.Edit;
import msnscope.wire.Frame;

/**
 * Appends records to one capture file. Records are collected in a buffer by {@link #append} and handed
 * to the operating system by {@link #flush()}; a flushed record survives the process being killed
 * ({@code kill -9}), and with {@code fsync} also a power cut. Opening an existing file first drops a
 * torn tail left by a crash, so new records always follow the last valid one.
 *
 * <p>Failure, the way a write-ahead log treats it: a flush that fails (disk full, I/O error) cuts the file
 * back to the end of the last whole record it knows is written ({@link #length()}), so a partial record can
 * never hide the records written after space comes back, and keeps the buffered records for the next
 * flush. Every write is positional at that end, so a retry never leaves a gap or a duplicate.
 *
 * <p>The file descriptor is opened on the first flush and can be given back with {@link #release()} (a
 * recorder with more sessions than it may keep open); the next flush opens it again at the same end.
 *
 * <p>Not thread-safe: one owner at a time.
 */
public final class CaptureWriter implements Closeable {

    private static final int INITIAL_BUFFER = 1 << 16;

    private final Path file;
    private final boolean fsync;
    private FileChannel channel;
    private ByteBuffer buffer = ByteBuffer.allocate(INITIAL_BUFFER);
    /** End of the last record known to be handed to the operating system. */
    private long written;
    private boolean closed;
    private final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    /** Where the {@link CaptureFormat#FRAME_RUN} being written starts in the buffer, or -1 when none is open. */
    private int runStart = -1;
    private byte[] runConnection;
    private long runTime;
    private Direction runDirection;

    private CaptureWriter(Path file, FileChannel channel, long written, boolean fsync) {
        this.file = file;
        this.channel = channel;
        this.written = written;
        this.fsync = fsync;
    }

    /** Creates a new file (fails if it exists) and writes the magic. */
    public static CaptureWriter create(Path file, boolean fsync) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        CaptureWriter w = new CaptureWriter(file, ch, 0, fsync);
        w.buffer.put(CaptureFormat.MAGIC);
        return w;
    }

    /** Opens an existing file for appending, truncating a torn tail. */
    public static CaptureWriter append(Path file, boolean fsync) throws IOException {
        long good = CaptureReader.validEnd(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        try {
            if (ch.size() > good) {
                ch.truncate(good);
            }
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        CaptureWriter w = new CaptureWriter(file, ch, good, fsync);
        if (good == 0) {
            // Killed before its magic reached the disk: start the file again.
            w.buffer.put(CaptureFormat.MAGIC);
        }
        return w;
    }

    /** Opens {@code file} for appending, creating it when it does not exist. */
    public static CaptureWriter open(Path file, boolean fsync) throws IOException {
        return Files.exists(file) ? append(file, fsync) : create(file, fsync);
    }

    public void append(CaptureRecord r) {
        endRun();
        byte[] b = CaptureFormat.encode(r);
        room(b.length);
        buffer.put(b);
    }

    /**
     * Appends a frame, encoded in place; {@code edit} null for an unedited frame. A frame that arrived unchanged
     * with the frames before it (same connection, direction and read time) joins their {@link CaptureFormat#FRAME_RUN}
     * (what the relay's frames nearly all are); any other is a record of its own ({@link CaptureFormat#encodeFrame}).
     */
    public void appendFrame(byte[] connection, long timeMicros, Direction direction, Frame frame, byte[] rewritten, Edit edit) {
        if (rewritten != null || edit != null || !CaptureFormat.fitsRun(frame)) {
            endRun();
            room(CaptureFormat.frameRecordBound(connection, frame, rewritten, edit));
            CaptureFormat.encodeFrame(buffer, crc, connection, timeMicros, direction, frame, rewritten, edit);
            return;
        }
        int need = CaptureFormat.runFrameBound(frame) + 4;
        if (runStart < 0 || !sameConnection(connection) || runTime != timeMicros || runDirection != direction
                || buffer.position() - runStart > CaptureFormat.RUN_BYTES) {
            endRun();
            room(CaptureFormat.runHeaderBound(connection) + need);
            runStart = buffer.position();
            runConnection = connection;
            runTime = timeMicros;
            runDirection = direction;
            CaptureFormat.startRun(buffer, connection, timeMicros, direction);
        } else {
            room(need);
        }
        CaptureFormat.putRunFrame(buffer, frame);
    }

    /** The recorder passes one array per connection; anyone else may pass an equal one. */
    private boolean sameConnection(byte[] connection) {
        return runConnection == connection || java.util.Arrays.equals(runConnection, connection);
    }

    /** Finishes the open run: its length and CRC. Before any other record, and before the buffer is written. */
    private void endRun() {
        if (runStart >= 0) {
            CaptureFormat.endRecord(buffer, runStart, crc);
            runStart = -1;
            runConnection = null;
        }
    }

    private void room(int n) {
        if (buffer.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + n));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }

    /**
     * Hands everything appended to the operating system (and the disk, with fsync). On failure the file is
     * cut back to {@link #length()} and the records stay buffered for the next call.
     */
    public void flush() throws IOException {
        endRun();
        if (buffer.position() == 0) {
            if (fsync && channel != null) {
                channel.force(false);
            }
            return;
        }
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
        }
        try {
            buffer.flip();
            long at = written;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
            if (fsync) {
                channel.force(false);
            }
            written = at;
            buffer.clear();
            if (buffer.capacity() > 16 * INITIAL_BUFFER) {
                buffer = ByteBuffer.allocate(INITIAL_BUFFER);
            }
        } catch (IOException | RuntimeException e) {
            buffer.position(buffer.limit());
            buffer.limit(buffer.capacity());
            cutBack();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** After a failed write: no partial record may stay after the last whole one. */
    private void cutBack() {
        if (channel == null) {
            return;
        }
        try {
            if (channel.size() > written) {
                channel.truncate(written);
            }
        } catch (IOException ignored) {
            // The next successful write starts at the same offset and overwrites what is left.
        }
    }

    /** Bytes appended but not yet handed to the operating system (an open run counted with its CRC to come). */
    public int buffered() {
        return buffer.position() + (runStart >= 0 ? 4 : 0);
    }

    /** Drops what is buffered (a recorder over its memory bound while the disk refuses writes). */
    public void discard() {
        buffer.clear();
        runStart = -1;
        runConnection = null;
    }

    /** Closes the file descriptor; the next flush opens it again. */
    public void release() throws IOException {
        if (channel != null) {
            FileChannel c = channel;
            channel = null;
            c.close();
        }
    }

    /** True while the file descriptor is open. */
    public boolean holdsFile() {
        return channel != null;
    }

    /** Length of the file once everything appended is flushed. */
    public long length() {
        return written + buffered();
    }

    /** Length of what has been handed to the operating system. */
    public long written() {
        return written;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            release();
        }
    }
}

package msnscope.capture;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends records to one capture file. Records are collected in a buffer by {@link #append} and handed
 * to the operating system by {@link #flush()}; a flushed record survives the process being killed
 * ({@code kill -9}), and with {@code fsync} also a power cut. Opening an existing file first drops a
 * torn tail left by a crash, so new records always follow the last valid one.
 *
 * <p>Not thread-safe: the recorder's writer thread owns its writers.
 */
public final class CaptureWriter implements Closeable {

    private final Path file;
    private final FileChannel channel;
    private final boolean fsync;
    private ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private long length;

    private CaptureWriter(Path file, FileChannel channel, long length, boolean fsync) {
        this.file = file;
        this.channel = channel;
        this.length = length;
        this.fsync = fsync;
    }

    /** Creates a new file (fails if it exists) and writes the magic. */
    public static CaptureWriter create(Path file, boolean fsync) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        CaptureWriter w = new CaptureWriter(file, ch, 0, fsync);
        w.buffer.put(CaptureFormat.MAGIC);
        w.length = CaptureFormat.MAGIC.length;
        return w;
    }

    /** Opens an existing file for appending, truncating a torn tail. */
    public static CaptureWriter append(Path file, boolean fsync) throws IOException {
        long good;
        try (CaptureReader r = CaptureReader.open(file, 0)) {
            while (r.next() != null) {
                // scan to the end of the valid records
            }
            good = r.offset();
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        if (ch.size() > good) {
            ch.truncate(good);
        }
        ch.position(good);
        CaptureWriter w = new CaptureWriter(file, ch, good, fsync);
        if (good == 0) {
            // Killed before its magic reached the disk: start the file again.
            w.buffer.put(CaptureFormat.MAGIC);
            w.length = CaptureFormat.MAGIC.length;
        }
        return w;
    }

    /** Opens {@code file} for appending, creating it when it does not exist. */
    public static CaptureWriter open(Path file, boolean fsync) throws IOException {
        return Files.exists(file) ? append(file, fsync) : create(file, fsync);
    }

    public void append(CaptureRecord r) throws IOException {
        byte[] b = CaptureFormat.encode(r);
        if (buffer.remaining() < b.length) {
            writeBuffer();
            if (buffer.capacity() < b.length) {
                buffer = ByteBuffer.allocate(b.length);
            }
        }
        buffer.put(b);
        length += b.length;
    }

    /** Hands everything appended to the operating system (and the disk, with fsync). */
    public void flush() throws IOException {
        writeBuffer();
        if (fsync) {
            channel.force(false);
        }
    }

    private void writeBuffer() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    /** Length of the file once everything appended is flushed. */
    public long length() {
        return length;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}

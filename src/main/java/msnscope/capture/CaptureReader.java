package msnscope.capture;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Reads the records of one capture file in order, from the start or from a byte offset a previous read
 * stopped at. Never throws on damage: the first record that is cut short, too long or fails its CRC
 * ends the read, and {@link #tornBytes()} says how many bytes after the last good record were ignored.
 * A file being appended to by a recorder can be read while it grows: a record still being written looks
 * like a torn tail and is read the next time.
 */
public final class CaptureReader implements Closeable {

    private final InputStream in;
    private final long size;
    private long offset;
    private boolean torn;

    private CaptureReader(Path file, long from) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        this.size = ch.size();
        int n = (int) Math.min(size, CaptureFormat.MAGIC.length);
        java.nio.ByteBuffer mb = java.nio.ByteBuffer.allocate(n);
        while (mb.hasRemaining() && ch.read(mb, mb.position()) > 0) {
            // read the whole magic (or what a crash left of it)
        }
        if (!Arrays.equals(Arrays.copyOf(mb.array(), n), Arrays.copyOf(CaptureFormat.MAGIC, n))) {
            ch.close();
            throw new IOException(file + " is not a capture file (bad magic)");
        }
        // A file cut inside its magic (killed right after it was created) is an empty capture.
        this.torn = size < CaptureFormat.MAGIC.length;
        long start = Math.max(from, CaptureFormat.MAGIC.length);
        ch.position(Math.min(start, size));
        this.in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
        this.offset = torn ? 0 : start;
    }

    /** Opens {@code file} and positions after the magic, or at {@code from} when it is past it. */
    public static CaptureReader open(Path file, long from) throws IOException {
        return new CaptureReader(file, from);
    }

    /** Every valid record of the file. */
    public static List<CaptureRecord> readAll(Path file) throws IOException {
        try (CaptureReader r = open(file, 0)) {
            List<CaptureRecord> out = new ArrayList<>();
            for (CaptureRecord rec; (rec = r.next()) != null; ) {
                out.add(rec);
            }
            return out;
        }
    }

    /** The next valid record, or null at the end of the file or at the first damaged record. */
    public CaptureRecord next() throws IOException {
        if (torn || offset >= size) {
            return null;
        }
        byte[] head = new byte[5];
        if (!readFully(head)) {
            return tear();
        }
        int length = CaptureFormat.getInt(head, 0);
        if (length < 1 || length > CaptureFormat.MAX_RECORD || offset + 4 + length + 4 > size) {
            return tear();
        }
        byte[] body = new byte[length - 1];
        byte[] crcBytes = new byte[4];
        if (!readFully(body) || !readFully(crcBytes)) {
            return tear();
        }
        CRC32 crc = new CRC32();
        crc.update(head[4]);
        crc.update(body);
        if ((int) crc.getValue() != CaptureFormat.getInt(crcBytes, 0)) {
            return tear();
        }
        CaptureRecord r;
        try {
            r = CaptureFormat.decode(head[4] & 0xff, body);
        } catch (IOException | RuntimeException e) {
            return tear();
        }
        offset += 4 + length + 4;
        return r;
    }

    /** Offset just after the last valid record of {@code file}: where an appender continues. */
    public static long validEnd(Path file) throws IOException {
        try (CaptureReader r = open(file, 0)) {
            while (r.next() != null) {
                // scan to the end of the valid records
            }
            return r.offset();
        }
    }

    /** Byte offset just after the last valid record read: where an appender continues. */
    public long offset() {
        return offset;
    }

    /** Bytes after {@link #offset()} that could not be read as a record (0 for a clean end). */
    public long tornBytes() {
        return torn ? size - offset : 0;
    }

    private CaptureRecord tear() {
        torn = true;
        return null;
    }

    private boolean readFully(byte[] b) throws IOException {
        int n = 0;
        while (n < b.length) {
            int k = in.read(b, n, b.length - n);
            if (k < 0) {
                return false;
            }
            n += k;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

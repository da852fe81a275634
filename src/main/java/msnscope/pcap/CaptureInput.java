package msnscope.pcap;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A window onto a capture file (or a pipe: standard input) that is read front to back: the caller asks for the next {@code n}
 * bytes with {@link #ensure(int)} and reads them in place from {@link #array()} at {@link #pos()}.
 *
 * <p>Only the window is in memory (1 MiB, grown for a larger record up to {@link #MAX_RECORD}), so a
 * file of any size streams; records are decoded in place and only TCP payload is copied out.
 */
final class CaptureInput implements Closeable {
    /** Largest single record (pcap packet or pcapng block) held at once: 256 MiB; larger means damage. */
    static final int MAX_RECORD = 256 << 20;

    private static final int WINDOW = 1 << 20;

    private final ReadableByteChannel channel;
    /** Size when opened, or -1 for a pipe. */
    private final long size;
    private byte[] buf = new byte[WINDOW];
    private ByteBuffer view = ByteBuffer.wrap(buf);
    private int pos;
    private int limit;
    /** File offset of {@code buf[0]}. */
    private long base;
    private boolean eof;

    CaptureInput(Path file) throws IOException {
        FileChannel c = FileChannel.open(file, StandardOpenOption.READ);
        this.channel = c;
        this.size = c.size();
    }

    /** A stream that cannot seek (standard input, or a file read through a digest); {@code size} -1 when unknown. */
    CaptureInput(ReadableByteChannel pipe, long size) {
        this.channel = pipe;
        this.size = size;
    }

    /** File size when opened, in bytes; -1 when not known (a pipe). */
    long size() {
        return size;
    }

    /** File offset of the next unread byte. */
    long offset() {
        return base + pos;
    }

    byte[] array() {
        return buf;
    }

    /** Index in {@link #array()} of the next unread byte; valid until the next {@link #ensure}. */
    int pos() {
        return pos;
    }

    /** Bytes readable at {@link #pos()} without touching the file. */
    int available() {
        return limit - pos;
    }

    /**
     * Makes {@code n} bytes readable at {@link #pos()}. Returns false if the file ends first; then
     * {@link #available()} tells how many there are, so a truncated record can still be salvaged.
     */
    boolean ensure(int n) throws IOException {
        if (limit - pos >= n) {
            return true;
        }
        if (n > MAX_RECORD) {
            throw new IllegalArgumentException("record larger than " + MAX_RECORD + " bytes");
        }
        if (n > buf.length) {
            int cap = buf.length;
            while (cap < n) {
                cap = Math.min(MAX_RECORD, cap * 2);
            }
            byte[] bigger = new byte[cap];
            System.arraycopy(buf, pos, bigger, 0, limit - pos);
            buf = bigger;
            view = ByteBuffer.wrap(buf);
        } else if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
        }
        base += pos;
        limit -= pos;
        pos = 0;
        while (limit < n && !eof) {
            view.limit(buf.length).position(limit);
            int r = channel.read(view);
            if (r < 0) {
                eof = true;
            } else {
                limit += r;
            }
        }
        return limit >= n;
    }

    /** Consumes {@code n} bytes already made readable by {@link #ensure}. */
    void advance(int n) {
        pos += n;
    }

    /**
     * Consumes {@code n} bytes, most of them possibly not yet read (a large block nobody needs) without
     * loading them. Throws {@link EOFException} if the file is shorter.
     */
    void skip(long n) throws IOException {
        long inWindow = Math.min(n, limit - pos);
        pos += (int) inWindow;
        long rest = n - inWindow;
        if (rest == 0) {
            return;
        }
        if (!(channel instanceof SeekableByteChannel seekable)) {
            skipByReading(rest);
            return;
        }
        long target = base + pos + rest;
        if (target > size) {
            base = size;
            pos = 0;
            limit = 0;
            eof = true;
            throw new EOFException();
        }
        seekable.position(target);
        base = target;
        pos = 0;
        limit = 0;
    }

    /** A pipe cannot seek: the skipped bytes are read through the window and dropped. */
    private void skipByReading(long rest) throws IOException {
        base += pos;
        pos = 0;
        limit = 0;
        while (rest > 0) {
            view.limit((int) Math.min(buf.length, rest)).position(0);
            int r = channel.read(view);
            if (r < 0) {
                eof = true;
                throw new EOFException();
            }
            base += r;
            rest -= r;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

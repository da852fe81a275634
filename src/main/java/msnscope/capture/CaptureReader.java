package msnscope.capture;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Reads the records of one capture file in order, from the start or from a byte offset a previous read
 * stopped at. Never throws on damage (the rules are in {@code docs/capture-format.md}, "Damage"):
 *
 * <ul>
 * <li>A record whose length is plausible but runs past the end of the file is an <b>incomplete tail</b>
 * (still being written, or cut short by a crash): the read ends before it and {@link #tornBytes()} counts
 * it. Unless reading on from the next valid record after it ends exactly at the end of the file: then
 * the length was damaged in the middle of the file, and the read skips to that record.</li>
 * <li>A record with an impossible length, a wrong CRC, an unknown type or a body that does not decode is
 * <b>damage</b>: the read skips to the next offset where a valid record starts and counts what it
 * skipped ({@link #damage()}); with no valid record after it, it is a torn tail.</li>
 * <li>A damaged magic is damage too: the records after it are read; a file with neither is
 * {@link NotACaptureFile}.</li>
 * </ul>
 *
 * Scanning byte by byte only happens at damage; memory stays bounded by one record. A file being appended
 * to can be read while it grows: a record still being written looks like a torn tail and is read the next
 * time.
 */
public final class CaptureReader implements Closeable {

    /** The file has no capture magic and no valid record anywhere: it is something else. */
    public static final class NotACaptureFile extends IOException {
        public NotACaptureFile(Path file) {
            super(file.getFileName() + " is not a capture file (no MSNCAP1 header and no valid record)");
        }
    }

    private static final int WINDOW = 1 << 16;
    /**
     * Bytes one scan may spend on the CRCs of false starts. Random bytes almost never pass the cheap checks,
     * but a peer's payload can be full of fake record headers, each claiming the rest of the payload: past
     * this budget only short candidates are checked, so a scan stays linear (a long record right after such
     * a payload is then skipped as damage, and the records after it are still read).
     */
    private static final long SCAN_BUDGET = 256L << 20;
    private static final int SHORT_RECORD = 4096;
    /** The smallest record: length, type and CRC around a body that starts with a string length. */
    private static final int MIN_RECORD = CaptureFormat.OVERHEAD + 4;

    private final FileChannel ch;
    /** Where the file ends for this read: its size at open, less if it shrank while being read. */
    private long size;
    /** Validity only, for {@link #validEnd}: a length past the end is damage like any other, not a tail. */
    private final boolean thorough;
    private long offset;
    private boolean torn;
    private long skipped;
    private int rangeCount;
    private long lastSkipEnd = -1;
    private final List<FileDamage.Range> ranges = new ArrayList<>();
    /** A read from this offset (or any later valid record) was found to end exactly at the end of the file. */
    private long cleanEndFrom = Long.MAX_VALUE;
    private final byte[] window = new byte[WINDOW];
    /** The records of the last record read not yet returned: the frames of a run after its first. */
    private final java.util.ArrayDeque<CaptureRecord> pending = new java.util.ArrayDeque<>();
    /** Where a candidate's records go while a scan checks it. */
    private final List<CaptureRecord> scratch = new ArrayList<>();
    private long windowStart;
    private int windowLength;

    private CaptureReader(Path file, FileChannel ch, long from, boolean thorough) throws IOException {
        this.ch = ch;
        this.size = ch.size();
        this.thorough = thorough;
        if (from > CaptureFormat.MAGIC.length) {
            offset = Math.min(from, size);
            return;
        }
        int n = (int) Math.min(size, CaptureFormat.MAGIC.length);
        byte[] head = new byte[n];
        if (readAt(0, head, 0, n) && Arrays.equals(head, Arrays.copyOf(CaptureFormat.MAGIC, n))) {
            // A file cut inside its magic (killed right after it was created) is an empty capture.
            torn = size < CaptureFormat.MAGIC.length;
            offset = torn ? 0 : CaptureFormat.MAGIC.length;
            return;
        }
        long first = findValid(0);
        if (first < 0) {
            throw new NotACaptureFile(file);
        }
        skip(0, first);
        offset = first;
    }

    /** Opens {@code file} and positions after the magic, or at {@code from} when it is past it. */
    public static CaptureReader open(Path file, long from) throws IOException {
        return open(file, from, false);
    }

    private static CaptureReader open(Path file, long from, boolean thorough) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new CaptureReader(file, ch, from, thorough);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Every valid record of the file. */
    public static List<CaptureRecord> readAll(Path file) throws IOException {
        return read(file).records();
    }

    /** A whole file read: its valid records, the damage stepped over and the torn tail left. */
    public record Contents(List<CaptureRecord> records, FileDamage damage, long tornBytes) {
    }

    /** Reads the whole file. */
    public static Contents read(Path file) throws IOException {
        try (CaptureReader r = open(file, 0)) {
            List<CaptureRecord> out = new ArrayList<>();
            for (CaptureRecord rec; (rec = r.next()) != null; ) {
                out.add(rec);
            }
            return new Contents(out, r.damage(), r.tornBytes());
        }
    }

    /**
     * The offset just after the last valid record anywhere in the file, after stepping over damage: where
     * an appender reopening the file cuts and continues. Unlike a read, a length running past the end is
     * not trusted to be a tail when valid records follow it, so cutting there never loses a valid record
     * (at worst, damaged bytes stay in the middle and readers skip them). 0 for an empty file or one killed
     * inside its magic (the appender writes the magic again).
     *
     * @throws NotACaptureFile when the file has no magic and no valid record: it must not be overwritten
     */
    public static long validEnd(Path file) throws IOException {
        try (CaptureReader r = open(file, 0, true)) {
            while (r.next() != null) {
                // to the end of the valid records
            }
            return r.offset();
        }
    }

    /** The next valid record (each frame of a run on its own), or null at the end of the file or at a torn tail. */
    public CaptureRecord next() throws IOException {
        if (!pending.isEmpty()) {
            return pending.poll();
        }
        while (!torn && offset < size) {
            if (size - offset < MIN_RECORD) {
                torn = true;
                break;
            }
            int length = intAt(offset);
            if (length >= 1 && length <= CaptureFormat.MAX_RECORD) {
                long end = offset + 8L + length;
                if (end > size) {
                    long resume = thorough ? findValid(offset + 1) : afterDamagedLength(offset);
                    if (resume < 0) {
                        torn = true;
                        break;
                    }
                    skip(offset, resume);
                    offset = resume;
                    continue;
                }
                if (recordAt(offset, length, pending)) {
                    offset = end;
                    return pending.poll();
                }
            }
            long resume = findValid(offset + 1);
            if (resume < 0) {
                torn = true;
                break;
            }
            skip(offset, resume);
            offset = resume;
        }
        return null;
    }

    /**
     * Byte offset just after the last valid record read: where the next read continues, once
     * {@link #midRecord()} is false (before, the frames of a run left to return would be skipped).
     */
    public long offset() {
        return offset;
    }

    /** True while frames of the last record read (a run) are still to be returned: {@link #offset()} is past them. */
    public boolean midRecord() {
        return !pending.isEmpty();
    }

    /** The length of the file this read covers (taken when it was opened). */
    public long size() {
        return size;
    }

    /** Bytes after {@link #offset()} that could not be read as a record (0 for a clean end). */
    public long tornBytes() {
        return torn ? size - offset : 0;
    }

    /** The damaged bytes this read skipped so far. */
    public FileDamage damage() {
        return skipped == 0 ? FileDamage.NONE : new FileDamage(skipped, rangeCount, ranges, false);
    }

    /**
     * Where to resume when the record at {@code at} claims more bytes than the file has: the next valid
     * record, if reading on from it ends exactly at the end of the file (the length was damaged in the
     * middle); else -1, a real tail. A tail being written practically never holds such a chain.
     */
    private long afterDamagedLength(long at) throws IOException {
        long next = findValid(at + 1);
        if (next < 0) {
            return -1;
        }
        if (next >= cleanEndFrom || endsAtEndOfFile(next)) {
            cleanEndFrom = Math.min(cleanEndFrom, next);
            return next;
        }
        return -1;
    }

    /** True when valid records from {@code at} (stepping over damage) end exactly at the end of the file. */
    private boolean endsAtEndOfFile(long at) throws IOException {
        while (at < size) {
            int length = size - at < MIN_RECORD ? 0 : intAt(at);
            if (length >= 1 && length <= CaptureFormat.MAX_RECORD && at + 8L + length <= size && validAt(at, length)) {
                at += 8L + length;
                continue;
            }
            at = findValid(at + 1);
            if (at < 0) {
                return false;
            }
        }
        return at == size;
    }

    /** The first offset at or after {@code from} where a valid record starts, or -1. */
    private long findValid(long from) throws IOException {
        long budget = SCAN_BUDGET;
        for (long at = from; at + MIN_RECORD <= size; at++) {
            int length = intAt(at);
            if (length < 5 || length > CaptureFormat.MAX_RECORD || at + 8L + length > size) {
                continue;
            }
            int type = byteAt(at + 4);
            if (type < CaptureFormat.SESSION || type > CaptureFormat.LAST_TYPE) {
                continue;
            }
            // Every body starts with a string whose length must fit the body: an i32, or in a compact frame (edited
            // or not) and a run a varint (a connection id is short: one byte).
            if (type >= CaptureFormat.FRAME_COMPACT) {
                int first = byteAt(at + 5);
                if (first < 0 || first >= 0x80 || first > length - 2) {
                    continue;
                }
            } else {
                int first = intAt(at + 5);
                if (first < -1 || first > length - 5) {
                    continue;
                }
            }
            if (budget <= 0 && length > SHORT_RECORD) {
                continue;
            }
            if (validAt(at, length)) {
                return at;
            }
            budget -= length;
        }
        return -1;
    }

    /** The CRC matches and the body decodes; the CRC is checked first, streaming, so a false start costs no allocation. */
    private boolean validAt(long at, int length) throws IOException {
        CRC32 crc = new CRC32();
        long pos = at + 4;
        long end = pos + length;
        while (pos < end) {
            if (pos < windowStart || pos >= windowStart + windowLength) {
                fill(pos);
                if (windowLength == 0) {
                    return false;
                }
            }
            int n = (int) Math.min(end - pos, windowStart + windowLength - pos);
            crc.update(window, (int) (pos - windowStart), n);
            pos += n;
        }
        if ((int) crc.getValue() != intAt(end)) {
            return false;
        }
        scratch.clear();
        boolean valid = recordAt(at, length, scratch);
        scratch.clear();
        return valid;
    }

    /** Adds the records of the record at {@code at} of the given length to {@code out}; false (nothing added) when its CRC or body is wrong. */
    private boolean recordAt(long at, int length, java.util.Collection<CaptureRecord> out) throws IOException {
        int type = byteAt(at + 4);
        byte[] body = new byte[length - 1];
        if (!readAt(at + 5, body, 0, body.length)) {
            return false;
        }
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(body);
        if ((int) crc.getValue() != intAt(at + 4 + length)) {
            return false;
        }
        try {
            out.addAll(CaptureFormat.decodeAll(type, body));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void skip(long from, long to) {
        if (to <= from) {
            return;
        }
        skipped += to - from;
        if (from == lastSkipEnd) {
            if (ranges.size() == rangeCount) {
                FileDamage.Range last = ranges.remove(ranges.size() - 1);
                ranges.add(new FileDamage.Range(last.from(), to));
            }
        } else {
            rangeCount++;
            if (ranges.size() < FileDamage.MAX_RANGES) {
                ranges.add(new FileDamage.Range(from, to));
            }
        }
        lastSkipEnd = to;
    }

    private int byteAt(long pos) throws IOException {
        if (pos < windowStart || pos >= windowStart + windowLength) {
            fill(pos);
            if (windowLength == 0) {
                return -1;
            }
        }
        return window[(int) (pos - windowStart)] & 0xff;
    }

    /** The big-endian int at {@code pos}; the callers never ask past {@link #size} - 4. */
    private int intAt(long pos) throws IOException {
        if (pos < windowStart || pos + 4 > windowStart + windowLength) {
            fill(pos);
            if (windowLength < 4) {
                return -1;
            }
        }
        return CaptureFormat.getInt(window, (int) (pos - windowStart));
    }

    private void fill(long pos) throws IOException {
        windowStart = pos;
        windowLength = 0;
        ByteBuffer b = ByteBuffer.wrap(window, 0, (int) Math.max(0, Math.min(WINDOW, size - pos)));
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                // The file shrank while being read (an appender cut a torn tail): it ends here now.
                size = pos + b.position();
                break;
            }
        }
        windowLength = b.position();
    }

    private boolean readAt(long pos, byte[] dst, int off, int len) throws IOException {
        if (pos >= windowStart && pos + len <= windowStart + windowLength) {
            System.arraycopy(window, (int) (pos - windowStart), dst, off, len);
            return true;
        }
        if (len <= WINDOW / 2) {
            fill(pos);
            if (windowLength < len) {
                return false;
            }
            System.arraycopy(window, 0, dst, off, len);
            return true;
        }
        ByteBuffer b = ByteBuffer.wrap(dst, off, len);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + (b.position() - off)) < 0) {
                size = Math.min(size, pos + (b.position() - off));
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}

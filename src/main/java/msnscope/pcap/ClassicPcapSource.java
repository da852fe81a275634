package msnscope.pcap;

import java.io.IOException;

/**
 * Classic libpcap files: a 24-byte header, then a 16-byte record header before each frame. Either byte
 * order (the magic tells which the writer used) and either microsecond ({@code a1b2c3d4}) or nanosecond
 * ({@code a1b23c4d}) timestamps.
 */
final class ClassicPcapSource implements PacketSource {
    static final int MAGIC_MICROS = 0xA1B2C3D4;
    static final int MAGIC_NANOS = 0xA1B23C4D;

    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;

    private final CaptureInput in;
    private final ProblemLog problems;
    private final boolean bigEndian;
    private final boolean nanos;
    private final int linkType;
    private long number;
    private boolean done;

    /** Reads the file header; {@code magicAsBigEndian} is the first four bytes read big-endian. */
    ClassicPcapSource(CaptureInput in, ProblemLog problems, int magicAsBigEndian) throws IOException, PcapFormatException {
        this.in = in;
        this.problems = problems;
        this.bigEndian = magicAsBigEndian == MAGIC_MICROS || magicAsBigEndian == MAGIC_NANOS;
        int magic = bigEndian ? magicAsBigEndian : Integer.reverseBytes(magicAsBigEndian);
        this.nanos = magic == MAGIC_NANOS;
        if (!in.ensure(FILE_HEADER)) {
            throw new PcapFormatException("pcap file header truncated: " + in.available() + " of 24 bytes");
        }
        byte[] b = in.array();
        int p = in.pos();
        // The top bits of the link-type field carry FCS information in newer writers.
        this.linkType = Bytes.i32(b, p + 20, bigEndian) & 0xFFFF;
        in.advance(FILE_HEADER);
    }

    @Override
    public boolean next(RawPacket into) throws IOException {
        if (done) {
            return false;
        }
        if (!in.ensure(RECORD_HEADER)) {
            done = true;
            if (in.available() > 0) {
                problems.add("file ends inside the header of packet " + (number + 1) + " (capture cut short?)");
            }
            return false;
        }
        byte[] b = in.array();
        int p = in.pos();
        long sec = Bytes.u32(b, p, bigEndian);
        long frac = Bytes.u32(b, p + 4, bigEndian);
        long capLen = Bytes.u32(b, p + 8, bigEndian);
        long origLen = Bytes.u32(b, p + 12, bigEndian);
        number++;
        if (capLen > CaptureInput.MAX_RECORD) {
            done = true;
            problems.add("packet " + number + " claims " + capLen + " captured bytes at offset " + in.offset()
                    + ": file damaged, stopped reading there");
            return false;
        }
        in.advance(RECORD_HEADER);
        int len = (int) capLen;
        into.cutByFileEnd = !in.ensure(len);
        if (into.cutByFileEnd) {
            done = true;
            len = in.available();
            problems.add("file ends inside packet " + number + ": " + len + " of " + capLen
                    + " bytes present (capture cut short?)");
        }
        into.number = number;
        into.linkType = linkType;
        into.timeMicros = sec * 1_000_000L + (nanos ? frac / 1000 : frac);
        into.buf = in.array();
        into.offset = in.pos();
        into.capLen = len;
        into.origLen = Math.max(origLen, capLen);
        in.advance(len);
        return true;
    }
}

package msnscope.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng files: a sequence of blocks {@code type, length, body, length}. Understood: Section Header
 * (either byte order; a new section resets the interfaces), Interface Description (link type,
 * {@code if_tsresol}, {@code if_tsoffset}), Enhanced Packet, Simple Packet and the obsolete Packet
 * block. Every other block is skipped by its length without being loaded.
 *
 * <p>Simple Packet Blocks carry no timestamp: they get the time of the previous packet, so they keep
 * their place in the timeline.
 */
final class PcapNgSource implements PacketSource {
    static final int SHB_TYPE = 0x0A0D0D0A;

    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int IDB = 1;
    private static final int OPB = 2;
    private static final int SPB = 3;
    private static final int EPB = 6;
    private static final int OPT_ENDOFOPT = 0;
    private static final int IF_TSRESOL = 9;
    private static final int IF_TSOFFSET = 14;

    private record Interface(int linkType, TimestampResolution resolution, long offsetSeconds) {
    }

    private final CaptureInput in;
    private final ProblemLog problems;
    private final List<Interface> interfaces = new ArrayList<>();
    private boolean bigEndian;
    private long number;
    private long lastMicros;
    private boolean done;

    /** Expects the Section Header Block at the input's position; checks its byte-order magic. */
    PcapNgSource(CaptureInput in, ProblemLog problems) throws IOException, PcapFormatException {
        this.in = in;
        this.problems = problems;
        if (!in.ensure(12)) {
            throw new PcapFormatException("pcapng section header truncated: " + in.available() + " of 12+ bytes");
        }
        if (!readByteOrder()) {
            throw new PcapFormatException(String.format("not a pcapng file: bad byte-order magic 0x%08x",
                    Bytes.i32(in.array(), in.pos() + 8)));
        }
    }

    private boolean readByteOrder() {
        int bom = Bytes.i32(in.array(), in.pos() + 8);
        if (bom == BYTE_ORDER_MAGIC) {
            bigEndian = true;
            return true;
        }
        if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
            bigEndian = false;
            return true;
        }
        return false;
    }

    @Override
    public boolean next(RawPacket into) throws IOException {
        while (!done) {
            long blockOffset = in.offset();
            if (!in.ensure(12)) {
                if (in.available() > 0) {
                    problems.add("file ends inside a block header at offset " + blockOffset + " (capture cut short?)");
                }
                done = true;
                return false;
            }
            byte[] b = in.array();
            int type = Bytes.i32(b, in.pos(), bigEndian);
            if (type == SHB_TYPE && !readByteOrder()) {
                return stop("section header at offset " + blockOffset + " has a bad byte-order magic");
            }
            long len = Bytes.u32(b, in.pos() + 4, bigEndian);
            if (len < 12 || (len & 3) != 0) {
                return stop("block at offset " + blockOffset + " has an impossible length " + len);
            }
            boolean packet = type == EPB || type == SPB || type == OPB;
            if (!packet && type != SHB_TYPE && type != IDB) {
                // Unknown, statistics, name resolution, custom blocks…: never loaded, whatever their size.
                try {
                    in.skip(len);
                } catch (EOFException e) {
                    return stop("file ends inside a block at offset " + blockOffset + " (capture cut short?)");
                }
                continue;
            }
            if (len > CaptureInput.MAX_RECORD) {
                return stop("block at offset " + blockOffset + " claims " + len + " bytes: file damaged");
            }
            boolean whole = in.ensure((int) len);
            b = in.array();
            int p = in.pos();
            if (!whole) {
                if (packet && packetTruncated(into, type, b, p, (int) len, in.available(), blockOffset)) {
                    in.advance(in.available());
                    done = true;
                    return true;
                }
                return stop("file ends inside a block at offset " + blockOffset + " (capture cut short?)");
            }
            if (Bytes.i32(b, p + (int) len - 4, bigEndian) != (int) len) {
                return stop("block at offset " + blockOffset + ": trailing length differs from leading length");
            }
            boolean delivered = false;
            switch (type) {
                case SHB_TYPE -> interfaces.clear();
                case IDB -> readInterface(b, p, (int) len);
                default -> delivered = readPacket(into, type, b, p, (int) len, blockOffset);
            }
            in.advance((int) len);
            if (delivered) {
                return true;
            }
        }
        return false;
    }

    private boolean stop(String problem) {
        problems.add(problem);
        done = true;
        return false;
    }

    private void readInterface(byte[] b, int p, int len) {
        if (len < 20) {
            problems.add("interface description block too short (" + len + " bytes): interface ignored");
            interfaces.add(new Interface(-1, TimestampResolution.MICROS, 0));
            return;
        }
        int linkType = Bytes.u16(b, p + 8, bigEndian);
        TimestampResolution res = TimestampResolution.MICROS;
        long offsetSeconds = 0;
        int o = p + 16;
        int end = p + len - 4;
        while (o + 4 <= end) {
            int code = Bytes.u16(b, o, bigEndian);
            int olen = Bytes.u16(b, o + 2, bigEndian);
            if (code == OPT_ENDOFOPT || o + 4 + olen > end) {
                break;
            }
            if (code == IF_TSRESOL && olen >= 1) {
                res = TimestampResolution.fromOption(b[o + 4]);
            } else if (code == IF_TSOFFSET && olen >= 8) {
                offsetSeconds = Bytes.i64(b, o + 4, bigEndian);
            }
            o += 4 + ((olen + 3) & ~3);
        }
        interfaces.add(new Interface(linkType, res, offsetSeconds));
    }

    /** Fills {@code into} from a whole packet block; false if it cannot be used (already reported). */
    private boolean readPacket(RawPacket into, int type, byte[] b, int p, int len, long blockOffset) {
        if (len < (type == SPB ? 16 : 32)) {
            problems.add("packet block at offset " + blockOffset + " is too short (" + len + " bytes): skipped");
            return false;
        }
        return fill(into, type, b, p, len, len, blockOffset);
    }

    /** The file ended inside a packet block: salvage the part that is there, if the header is. */
    private boolean packetTruncated(RawPacket into, int type, byte[] b, int p, int declared, int available,
            long blockOffset) {
        boolean ok = fill(into, type, b, p, declared, available, blockOffset);
        if (ok) {
            problems.add("file ends inside packet " + number + ": " + into.capLen + " bytes present (capture cut short?)");
        } else {
            problems.add("file ends inside a block at offset " + blockOffset + " (capture cut short?)");
        }
        return ok;
    }

    /**
     * @param len       the block's declared length
     * @param available bytes of the block actually present (equal to {@code len} unless the file ends)
     */
    private boolean fill(RawPacket into, int type, byte[] b, int p, int len, int available, long blockOffset) {
        int ifId;
        long ticks;
        long capLen;
        long origLen;
        int dataOff;
        boolean timed = true;
        int maxData;
        if (type == SPB) {
            if (available < 12) {
                return false;
            }
            ifId = 0;
            ticks = 0;
            timed = false;
            origLen = Bytes.u32(b, p + 8, bigEndian);
            dataOff = 12;
            maxData = len - 16;
            capLen = Math.min(origLen, maxData);
        } else {
            if (available < 28) {
                return false;
            }
            ifId = type == OPB ? Bytes.u16(b, p + 8, bigEndian) : Bytes.i32(b, p + 8, bigEndian);
            ticks = (Bytes.u32(b, p + 12, bigEndian) << 32) | Bytes.u32(b, p + 16, bigEndian);
            capLen = Bytes.u32(b, p + 20, bigEndian);
            origLen = Bytes.u32(b, p + 24, bigEndian);
            dataOff = 28;
            maxData = len - 32;
        }
        number++;
        if (capLen > maxData || capLen < 0) {
            problems.add("packet " + number + " at offset " + blockOffset + " claims more data than its block holds: cut to the block");
            capLen = Math.max(0, maxData);
        }
        if (ifId < 0 || ifId >= interfaces.size()) {
            problems.add("packet " + number + " refers to undeclared interface " + ifId + ": skipped");
            return false;
        }
        Interface itf = interfaces.get(ifId);
        if (itf.linkType < 0) {
            return false;
        }
        int present = (int) Math.min(capLen, Math.max(0, available - dataOff));
        into.number = number;
        into.linkType = itf.linkType;
        into.timeMicros = timed ? itf.resolution.toMicros(ticks) + itf.offsetSeconds * 1_000_000L : lastMicros;
        lastMicros = into.timeMicros;
        into.buf = b;
        into.offset = p + dataOff;
        into.capLen = present;
        into.origLen = Math.max(origLen, present);
        into.cutByFileEnd = available < len;
        return true;
    }
}

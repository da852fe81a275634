package msnscope.pcap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Test-only capture writer: classic pcap (either byte order, micro- or nanosecond) and pcapng (either
 * byte order, interface options, EPB/SPB/OPB and arbitrary extra blocks).
 */
final class PcapTestWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteOrder order;
    private final boolean ng;
    private final boolean nanos;
    private int snapLen = 65535;

    private PcapTestWriter(ByteOrder order, boolean ng, boolean nanos) {
        this.order = order;
        this.ng = ng;
        this.nanos = nanos;
    }

    static PcapTestWriter pcap(int linkType) {
        return pcap(ByteOrder.LITTLE_ENDIAN, false, linkType);
    }

    static PcapTestWriter pcap(ByteOrder order, boolean nanos, int linkType) {
        PcapTestWriter w = new PcapTestWriter(order, false, nanos);
        ByteBuffer b = w.buf(24);
        b.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4)
                .putInt(0).putInt(0).putInt(65535).putInt(linkType);
        w.out.writeBytes(b.array());
        return w;
    }

    /** A pcapng file with its Section Header Block; add interfaces before packets. */
    static PcapTestWriter pcapng(ByteOrder order) {
        PcapTestWriter w = new PcapTestWriter(order, true, false);
        ByteBuffer body = w.buf(16);
        body.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
        w.block(0x0A0D0D0A, body.array());
        return w;
    }

    /** Only the snap length of a classic pcap's records: frames longer than it are cut. */
    PcapTestWriter snapLen(int snapLen) {
        this.snapLen = snapLen;
        return this;
    }

    /** An Interface Description Block; {@code tsresol} is the raw option byte, or -1 for none. */
    PcapTestWriter interfaceBlock(int linkType, int tsresol) {
        ByteBuffer body = buf(tsresol >= 0 ? 16 : 8);
        body.putShort((short) linkType).putShort((short) 0).putInt(0);
        if (tsresol >= 0) {
            body.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]);
        }
        block(1, body.array());
        return this;
    }

    /**
     * A frame at {@code timeMicros} (epoch microseconds): a record in classic pcap; in pcapng an
     * Enhanced Packet Block on interface 0 whose ticks are microseconds.
     */
    PcapTestWriter packet(long timeMicros, byte[] frame) {
        if (ng) {
            return enhancedPacket(0, timeMicros, frame);
        }
        int capLen = Math.min(frame.length, snapLen);
        ByteBuffer b = buf(16);
        long seconds = timeMicros / 1_000_000;
        long fraction = timeMicros % 1_000_000 * (nanos ? 1000 : 1);
        b.putInt((int) seconds).putInt((int) fraction).putInt(capLen).putInt(frame.length);
        out.writeBytes(b.array());
        out.write(frame, 0, capLen);
        return this;
    }

    /** An Enhanced Packet Block with the timestamp given in the interface's own ticks. */
    PcapTestWriter enhancedPacket(int interfaceId, long ticks, byte[] frame) {
        ByteBuffer body = buf(20 + pad(frame.length));
        body.putInt(interfaceId).putInt((int) (ticks >>> 32)).putInt((int) ticks).putInt(frame.length).putInt(frame.length);
        body.put(frame);
        block(6, body.array());
        return this;
    }

    PcapTestWriter simplePacket(byte[] frame) {
        ByteBuffer body = buf(4 + pad(frame.length));
        body.putInt(frame.length).put(frame);
        block(3, body.array());
        return this;
    }

    /** The obsolete Packet Block. */
    PcapTestWriter obsoletePacket(int interfaceId, long ticks, byte[] frame) {
        ByteBuffer body = buf(20 + pad(frame.length));
        body.putShort((short) interfaceId).putShort((short) 0).putInt((int) (ticks >>> 32)).putInt((int) ticks)
                .putInt(frame.length).putInt(frame.length).put(frame);
        block(2, body.array());
        return this;
    }

    /** Any block, for unknown types; {@code body} is padded to 4 bytes. */
    PcapTestWriter block(int type, byte[] body) {
        int len = 12 + pad(body.length);
        ByteBuffer b = buf(len);
        b.putInt(type).putInt(len).put(body).position(len - 4);
        b.putInt(len);
        out.writeBytes(b.array());
        return this;
    }

    /** Raw bytes, for damage. */
    PcapTestWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        Files.write(file, out.toByteArray());
        return file;
    }

    /** Writes all but the last {@code cut} bytes, as a capture killed mid-write. */
    Path writeTruncated(Path file, int cut) throws IOException {
        byte[] all = out.toByteArray();
        Files.write(file, Arrays.copyOf(all, all.length - cut));
        return file;
    }

    private ByteBuffer buf(int n) {
        return ByteBuffer.allocate(n).order(order);
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }
}

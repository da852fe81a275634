package msnscope.pcap;

/**
 * One decoded TCP segment, handed to {@link TcpReassembler#accept}. A mutable holder that the reader
 * reuses for every packet: the reassembler copies the payload bytes it keeps and never holds on to
 * the holder or its array.
 *
 * <p>Addresses are numbers, not {@code InetAddress}, so decoding allocates nothing: an IPv4 address is
 * in {@code srcLo}/{@code dstLo} (unsigned, {@code Hi} zero); an IPv6 address is split into its high
 * and low 64 bits.
 */
public final class TcpSegment {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    public boolean ipv6;
    public long srcHi;
    public long srcLo;
    public int srcPort;
    public long dstHi;
    public long dstLo;
    public int dstPort;
    /** Sequence and acknowledgement numbers, 32 bits unsigned held in an int. */
    public int seq;
    public int ack;
    /** TCP flag bits ({@link #FIN}, {@link #SYN}, …). */
    public int flags;
    public byte[] buf;
    public int payloadOffset;
    /** Payload bytes present in {@link #buf}. */
    public int payloadLength;
    /** Payload bytes that were on the wire but not captured (snap length, file cut short). */
    public int missingLength;
    /** Capture time, microseconds since the Unix epoch. */
    public long timeMicros;
    /** Record number in the capture file, from 1. */
    public long packetNumber;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sets an IPv4 segment's addressing, for tests and other producers than the file reader. */
    public TcpSegment ipv4(int src, int srcPort, int dst, int dstPort) {
        this.ipv6 = false;
        this.srcHi = 0;
        this.srcLo = src & 0xFFFFFFFFL;
        this.srcPort = srcPort;
        this.dstHi = 0;
        this.dstLo = dst & 0xFFFFFFFFL;
        this.dstPort = dstPort;
        return this;
    }
}

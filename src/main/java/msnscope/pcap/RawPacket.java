package msnscope.pcap;

/**
 * One captured frame as a file format hands it over: a view into the reader's window, reused for
 * every packet so the hot loop allocates nothing. Valid only until the source's next call.
 */
final class RawPacket {
    /** Record number in the file, from 1, for problem messages. */
    long number;
    /** LINKTYPE_* value of the interface the frame was captured on. */
    int linkType;
    /** Capture time, microseconds since the Unix epoch. */
    long timeMicros;
    byte[] buf;
    int offset;
    /** Bytes present in {@link #buf}; less than {@link #origLen} when the snap length or the file's end cut it. */
    int capLen;
    /** Length of the frame on the wire. */
    long origLen;
    /** The file ended inside this frame: the source has said so, so a cut header is not reported again. */
    boolean cutByFileEnd;
}

package msnscope.pcap;

import java.io.IOException;

/** The frames of one capture file format, in file order. */
interface PacketSource {
    /**
     * Fills {@code into} with the next frame. Returns false at the end of the file or at damage that
     * makes the rest unreadable (reported to the {@link ProblemLog} first).
     */
    boolean next(RawPacket into) throws IOException;
}

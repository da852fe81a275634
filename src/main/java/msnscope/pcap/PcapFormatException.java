package msnscope.pcap;

/**
 * The file cannot be read as a capture at all: wrong magic, unreadable, or a header too short to
 * tell. The message is one line meant for the user (for example
 * {@code "not a pcap or pcapng file: bad magic 0x7f454c46"}); damage found after a valid header is
 * never thrown but reported in {@link PcapResult#problems()} with everything read up to it kept.
 */
public final class PcapFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public PcapFormatException(String message) {
        super(message);
    }

    public PcapFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package msnscope.pcap;

/**
 * Told how far {@link PcapReader} has got, for an import progress bar. Called on the reading thread
 * about once per mebibyte and once at the end; keep it cheap.
 */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param bytesRead  bytes of the file consumed so far
     * @param totalBytes the file's size in bytes when it was opened
     */
    void progress(long bytesRead, long totalBytes);

    /** A listener that ignores everything. */
    ProgressListener NONE = (read, total) -> { };
}

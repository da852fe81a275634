package msnscope.cli;

import msnscope.pcap.ProgressListener;

import java.io.PrintStream;

/** A one-line progress bar on the terminal for long imports: {@code file [#####.....] 52% 104.2 MB}. */
final class ProgressBar implements ProgressListener {

    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String name;

    ProgressBar(PrintStream out, String name) {
        this.out = out;
        this.name = name;
    }

    @Override
    public void progress(long bytesRead, long totalBytes) {
        if (totalBytes < 0) {
            // A pipe: no size to measure against, only how much has come through.
            out.print("\r" + name + " " + String.format("%.1f MB", bytesRead / 1e6));
            out.flush();
            return;
        }
        double f = totalBytes == 0 ? 1 : Math.min(1, (double) bytesRead / totalBytes);
        int filled = (int) Math.round(f * WIDTH);
        out.print("\r" + name + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + Math.round(f * 100) + "% "
                + String.format("%.1f MB", bytesRead / 1e6));
        out.flush();
    }
}

package msnscope.intercept;

import java.io.IOException;
import java.io.Reader;

/**
 * The lines a hook writes, each cut at a maximum length: a hook is someone's script, and one that writes
 * without ever ending a line must not fill msnscope's heap. A line ends at LF (a CR before it is dropped).
 */
final class HookLines {

    private final Reader in;
    private final int max;
    private final char[] buf = new char[8192];
    private int pos;
    private int len;
    private boolean cut;

    HookLines(Reader in, int max) {
        this.in = in;
        this.max = max;
    }

    /** The next line, at most {@code max} characters of it; null at the end of the stream. */
    String next() throws IOException {
        StringBuilder line = new StringBuilder();
        cut = false;
        while (true) {
            if (pos == len) {
                int n = in.read(buf, 0, buf.length);
                pos = 0;
                len = Math.max(n, 0);
                if (n <= 0) {
                    return line.length() > 0 || cut ? finish(line) : null;
                }
            }
            int start = pos;
            while (pos < len && buf[pos] != '\n') {
                pos++;
            }
            int n = pos - start;
            if (!cut) {
                int room = max - line.length();
                line.append(buf, start, Math.min(n, room));
                cut = n > room;
            }
            if (pos < len) {
                pos++;
                return finish(line);
            }
        }
    }

    /** True when the last line returned was longer than {@code max} and is only its beginning. */
    boolean cut() {
        return cut;
    }

    private String finish(StringBuilder line) {
        int n = line.length();
        if (!cut && n > 0 && line.charAt(n - 1) == '\r') {
            line.setLength(n - 1);
        }
        return line.toString();
    }
}

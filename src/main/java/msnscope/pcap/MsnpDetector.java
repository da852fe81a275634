package msnscope.pcap;

import java.util.regex.Pattern;
import msnscope.wire.Direction;

/**
 * Tells MSNP connections from the rest of a capture by their content, never by port: switchboards
 * listen on whatever port the server hands out in {@code XFR}/{@code RNG} (1864 in the Escargot
 * captures), and a capture holds HTTP, DNS… next to them.
 *
 * <p>A connection looks like MSNP when the first line of either direction, up to its CR LF (at most
 * {@value #MAX_LINE} bytes), starts with a command ({@code ^[A-Z]{3}( |\r\n)}) or an error reply
 * ({@code ^\d{3} \d+}), and at least 90% of its bytes are printable ASCII. HTTP is excluded explicitly,
 * because a request line ({@code GET /x HTTP/1.1}) also starts with three capitals and a space.
 */
public final class MsnpDetector {
    /** Longest first line looked at, in bytes: MSNP command lines are far shorter. */
    static final int MAX_LINE = 2048;

    private static final Pattern COMMAND = Pattern.compile("^[A-Z]{3}( |\\r\\n)");
    private static final Pattern ERROR = Pattern.compile("^\\d{3} \\d+");
    private static final Pattern HTTP_REQUEST = Pattern.compile("^[A-Z]+ \\S+ HTTP/\\d\\.\\d\\r?$");

    private MsnpDetector() {
    }

    public static boolean looksLikeMsnp(TcpConnection connection) {
        String client = firstLine(connection.head(Direction.C2S, MAX_LINE));
        String server = firstLine(connection.head(Direction.S2C, MAX_LINE));
        if (isHttp(client) || isHttp(server)) {
            return false;
        }
        return looksLikeMsnpLine(client) || looksLikeMsnpLine(server);
    }

    /** Whether the first bytes of one direction open like an MSNP command line. */
    public static boolean looksLikeMsnp(byte[] firstBytes) {
        String line = firstLine(firstBytes);
        return !isHttp(line) && looksLikeMsnpLine(line);
    }

    private static boolean looksLikeMsnpLine(String line) {
        if (line == null || !(COMMAND.matcher(line).find() || ERROR.matcher(line).find())) {
            return false;
        }
        int printable = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if ((ch >= 0x20 && ch < 0x7F) || ch == '\r' || ch == '\n' || ch == '\t') {
                printable++;
            }
        }
        return printable * 10 >= line.length() * 9;
    }

    private static boolean isHttp(String line) {
        return line != null && (line.startsWith("HTTP/") || HTTP_REQUEST.matcher(line).find());
    }

    /**
     * The bytes up to and including the first CR LF (all of them if there is none), one char per byte;
     * null if there are none.
     */
    private static String firstLine(byte[] bytes) {
        if (bytes.length == 0) {
            return null;
        }
        int end = bytes.length;
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                end = i + 2;
                break;
            }
        }
        char[] chars = new char[end];
        for (int i = 0; i < end; i++) {
            chars[i] = (char) (bytes[i] & 0xFF);
        }
        return new String(chars);
    }
}

package msnscope.wire;

/**
 * Dense integer keys for three-letter commands, so per-frame lookups are an array index instead of
 * a hash of a fresh String (the framer runs at millions of frames per second).
 */
public final class CommandKeys {
    /** Number of keys for letter commands: 26^3. */
    public static final int LETTER_KEYS = 26 * 26 * 26;
    /** The key shared by all three-digit error codes. */
    public static final int ERROR = LETTER_KEYS;
    /** Size of an array indexed by any key. */
    public static final int SIZE = LETTER_KEYS + 1;
    /** Not a command. */
    public static final int NONE = -1;

    private CommandKeys() {
    }

    public static int of(byte a, byte b, byte c) {
        if (isUpper(a) && isUpper(b) && isUpper(c)) {
            return (a - 'A') * 676 + (b - 'A') * 26 + (c - 'A');
        }
        if (isDigit(a) && isDigit(b) && isDigit(c)) {
            return ERROR;
        }
        return NONE;
    }

    /**
     * The key of a line (without its terminator): its first three bytes when the line ends or a space follows
     * them, else {@link #NONE}. The framer and the capture reader (which derives a recorded frame's command from
     * its bytes) must agree, so both ask here.
     */
    public static int ofLine(byte[] line, int lineLength) {
        return lineLength >= 3 && (lineLength == 3 || line[3] == ' ') ? of(line[0], line[1], line[2]) : NONE;
    }

    private static final String[] NAMES = new String[SIZE];

    /**
     * The command's name for a key, from a cache so the framer does not allocate a String per frame.
     * Error codes are not cached (one key stands for all of them).
     */
    public static String name(int key, byte[] line) {
        if (key == ERROR) {
            return new String(line, 0, 3, java.nio.charset.StandardCharsets.US_ASCII);
        }
        String n = NAMES[key];
        if (n == null) {
            n = new String(line, 0, 3, java.nio.charset.StandardCharsets.US_ASCII);
            NAMES[key] = n;
        }
        return n;
    }

    public static int of(String command) {
        if (command == null || command.length() != 3) {
            return NONE;
        }
        return of((byte) command.charAt(0), (byte) command.charAt(1), (byte) command.charAt(2));
    }

    private static boolean isUpper(byte b) {
        return b >= 'A' && b <= 'Z';
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}

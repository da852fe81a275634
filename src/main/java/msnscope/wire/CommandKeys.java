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

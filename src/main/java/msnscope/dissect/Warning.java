package msnscope.dissect;

/**
 * A problem the dissector found in a frame. {@code code} is stable (scripts and searches key on it);
 * the message is for people.
 */
public record Warning(String code, String message) {

    /** The stable codes, documented in the README. */
    public static final String UNKNOWN_COMMAND = "unknown-command";
    public static final String NOT_A_COMMAND = "not-a-command";
    public static final String VERSION_MISMATCH = "version-mismatch";
    public static final String VERSION_GUESSED = "version-guessed";
    public static final String ROLE_GUESSED = "role-guessed";
    public static final String WRONG_DIRECTION = "wrong-direction";
    public static final String WRONG_SERVER = "wrong-server";
    public static final String ARITY = "arity";
    public static final String BAD_PARAMETER = "bad-parameter";
    public static final String PAYLOAD_LENGTH_MISMATCH = "payload-length-mismatch";
    public static final String PAYLOAD_TRUNCATED = "payload-truncated";
    public static final String PAYLOAD_TOO_LARGE = "payload-too-large";
    public static final String PAYLOAD_MALFORMED = "payload-malformed";
    public static final String LINE_TOO_LONG = "line-too-long";
    public static final String LINE_TRUNCATED = "line-truncated";
    public static final String BARE_LF = "bare-lf";
    public static final String INVALID_UTF8 = "invalid-utf8";
    public static final String ERROR_REPLY = "error-reply";
    public static final String UNANSWERED = "unanswered";
    public static final String CHALLENGE_WRONG = "challenge-wrong";
    public static final String CHALLENGE_UNVERIFIED = "challenge-unverified";
    public static final String AFTER_CLOSE = "after-close";
    /** The dissector threw on this frame (a bug); the proxy relayed it unchanged. */
    public static final String DISSECTOR_FAILED = "dissector-failed";

    @Override
    public String toString() {
        return code + ": " + message;
    }
}

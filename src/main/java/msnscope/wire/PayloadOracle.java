package msnscope.wire;

/**
 * Tells the framer whether a command line is followed by a payload. MSNP gives no generic signal
 * (a trailing number is often not a length: {@code ILN … 1073791084}, {@code QNG 60}), so the answer
 * comes from the declared forms in {@code dissectors/} and from the connection's negotiated version.
 */
@FunctionalInterface
public interface PayloadOracle {

    /**
     * @param commandKey {@link CommandKeys#of} of the line's first token; {@link CommandKeys#ERROR} for
     *                   three-digit error codes
     * @param direction  which way the line travels
     * @param tokenCount tokens on the line including the command
     * @return true when the line's last token is its payload length
     */
    boolean expectsPayload(int commandKey, Direction direction, int tokenCount);

    /** An oracle for tests and raw views: no command carries a payload. */
    PayloadOracle NONE = (key, dir, tokens) -> false;
}

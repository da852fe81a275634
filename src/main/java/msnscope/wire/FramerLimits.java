package msnscope.wire;

/**
 * Hard limits that keep the framer's memory bounded whatever a peer sends.
 *
 * @param maxLineLength  longest command line in bytes (without terminator); longer lines are cut into
 *                       {@link Frame#LINE_TOO_LONG} pieces of at most this size
 * @param maxPayloadLength largest payload in bytes that is buffered and dissected; a larger one is still
 *                       taken as the payload it declares, but streamed through in {@link Frame#PAYLOAD_PART}
 *                       pieces ({@link Frame#PAYLOAD_TOO_LARGE}), and framing resumes after it
 */
public record FramerLimits(int maxLineLength, int maxPayloadLength) {

    /** 8 KiB lines (real lines are under 1 KiB), 1 MiB payloads (real ones are under 64 KiB). */
    public static final FramerLimits DEFAULT = new FramerLimits(8 * 1024, 1024 * 1024);

    /** Largest piece of a streamed payload: 64 KiB, but never above the bigger of the two limits. */
    private static final int PART_CAP = 64 * 1024;

    public FramerLimits {
        if (maxLineLength < 16 || maxPayloadLength < 0) {
            throw new IllegalArgumentException("limits too small: line " + maxLineLength + ", payload " + maxPayloadLength);
        }
    }

    /** Size of the {@link Frame#PAYLOAD_PART} pieces a streamed payload is cut into (at most; they follow arrival). */
    public int partLength() {
        return Math.max(maxLineLength, Math.min(maxPayloadLength, PART_CAP));
    }
}

package msnscope.wire;

/**
 * Hard limits that keep the framer's memory bounded whatever a peer sends.
 *
 * @param maxLineLength  longest command line in bytes (without terminator); longer lines are cut into
 *                       {@link Frame#LINE_TOO_LONG} pieces of at most this size
 * @param maxPayloadLength largest payload in bytes that is taken; a larger declared length is treated
 *                       as garbage ({@link Frame#PAYLOAD_TOO_LARGE}) and framing resumes at the next line
 */
public record FramerLimits(int maxLineLength, int maxPayloadLength) {

    /** 8 KiB lines (real lines are under 1 KiB), 1 MiB payloads (real ones are under 64 KiB). */
    public static final FramerLimits DEFAULT = new FramerLimits(8 * 1024, 1024 * 1024);

    public FramerLimits {
        if (maxLineLength < 16 || maxPayloadLength < 0) {
            throw new IllegalArgumentException("limits too small: line " + maxLineLength + ", payload " + maxPayloadLength);
        }
    }
}

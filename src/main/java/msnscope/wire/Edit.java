package msnscope.wire;

/**
 * How msnscope changed a frame on its way (a rule or the hook), kept with the frame in the capture and shown
 * with it everywhere. What the other side received is the frame's forwarded bytes (empty: dropped).
 *
 * @param by     who changed it: {@code rule 3 (rules.yaml)}, {@code hook}
 * @param action what was done: {@code replace}, {@code drop}, {@code reply}, {@code delay}, {@code inject},
 *               {@code close}, several joined by {@code +}
 * @param made   true for a frame msnscope made (a local answer, an injected frame) rather than relayed
 */
public record Edit(String by, String action, boolean made) {
}

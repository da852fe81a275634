package msnscope.wire;

/** Which way bytes travel on one TCP connection: from the client to the server, or back. */
public enum Direction {
    C2S("C", "->"),
    S2C("S", "<-");

    private final String transcriptPrefix;
    private final String arrow;

    Direction(String transcriptPrefix, String arrow) {
        this.transcriptPrefix = transcriptPrefix;
        this.arrow = arrow;
    }

    /** The letter the wiki transcript format uses: {@code C} or {@code S}. */
    public String transcriptPrefix() {
        return transcriptPrefix;
    }

    public String arrow() {
        return arrow;
    }

    public Direction opposite() {
        return this == C2S ? S2C : C2S;
    }
}

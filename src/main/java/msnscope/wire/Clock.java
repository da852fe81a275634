package msnscope.wire;

import java.time.Instant;

/** Frame times: epoch microseconds, the unit of every timestamp msnscope records, indexes and prints. */
public final class Clock {

    private Clock() {
    }

    /** Now, in epoch microseconds. */
    public static long nowMicros() {
        return micros(Instant.now());
    }

    /** {@code t} in epoch microseconds (sub-microsecond digits dropped). */
    public static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }
}

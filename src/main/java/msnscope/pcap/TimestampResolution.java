package msnscope.pcap;

/**
 * A pcapng interface's timestamp unit ({@code if_tsresol}): 10^-n or 2^-n seconds. Converts 64-bit
 * tick counts to microseconds since the epoch without overflowing for any resolution a writer can
 * declare (decimal up to 10^-18, binary up to 2^-63).
 */
final class TimestampResolution {
    static final TimestampResolution MICROS = new TimestampResolution(false, 6);

    private final boolean binary;
    private final int exponent;

    private TimestampResolution(boolean binary, int exponent) {
        this.binary = binary;
        this.exponent = exponent;
    }

    /** From the one-byte {@code if_tsresol} value: high bit set means a power of two. */
    static TimestampResolution fromOption(int value) {
        int v = value & 0xFF;
        if ((v & 0x80) != 0) {
            return new TimestampResolution(true, Math.min(v & 0x7F, 63));
        }
        return new TimestampResolution(false, Math.min(v, 18));
    }

    long toMicros(long ticks) {
        if (binary) {
            long seconds = ticks >>> exponent;
            long frac = exponent == 0 ? 0 : ticks & ((1L << exponent) - 1);
            // frac * 10^6 fits in 64 bits only while frac < 2^44: drop low bits first below that precision.
            int shift = exponent;
            if (shift > 43) {
                frac >>>= shift - 43;
                shift = 43;
            }
            return seconds * 1_000_000L + ((frac * 1_000_000L) >>> shift);
        }
        if (exponent >= 6) {
            return ticks / pow10(exponent - 6);
        }
        return ticks * pow10(6 - exponent);
    }

    private static long pow10(int n) {
        long r = 1;
        for (int i = 0; i < n; i++) {
            r *= 10;
        }
        return r;
    }
}

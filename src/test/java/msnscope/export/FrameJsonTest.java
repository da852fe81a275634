package msnscope.export;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FrameJsonTest {

    private static String expected(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L).toString();
    }

    @Test
    void isoTimeWritesWhatInstantWrites() {
        long[] edges = {0, 1, -1, 999, 1000, 1_000_000, -1_000_000, 1_700_000_000_000_000L, 1_700_000_000_123_000L,
                1_700_000_000_123_456L, 951_782_400_000_000L /* 2000-02-29 */, -62_167_219_200_000_000L /* 0000-01-01 */,
                -62_167_219_200_000_001L, 253_402_300_799_999_999L /* 9999-12-31T23:59:59.999999 */, 253_402_300_800_000_000L,
                Long.MAX_VALUE / 1000, Long.MIN_VALUE / 1000};
        for (long m : edges) {
            assertEquals(expected(m), FrameJson.isoTime(m), "micros " + m);
        }
        Random r = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            long m = r.nextLong() % 300_000_000_000_000_000L;
            if (i % 3 == 0) {
                m -= m % 1000; // whole milliseconds: three digits
            } else if (i % 3 == 1) {
                m -= m % 1_000_000; // whole seconds: no fraction
            }
            assertEquals(expected(m), FrameJson.isoTime(m), "micros " + m);
        }
    }
}

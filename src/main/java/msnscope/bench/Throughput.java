package msnscope.bench;

import java.util.function.IntSupplier;

/**
 * The timing loop every msnscope benchmark shares: run a pass for a warm-up, then count what passes do in
 * the measured time. The warm-up matters: the dissector's hot paths take about 5 s of running to be fully
 * compiled on a 2-core machine, and a proxy runs for hours.
 */
public final class Throughput {

    private Throughput() {
    }

    /**
     * Units per second of {@code pass} (each call returns how many units it did: frames, decodes) in the
     * steady state, measured for {@code seconds} after {@code warmupSeconds} of the same work.
     */
    public static double perSecond(double warmupSeconds, double seconds, IntSupplier pass) {
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        long sink = 0;
        while (System.nanoTime() < warmupEnd) {
            sink += pass.getAsInt();
        }
        long units = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            units += pass.getAsInt();
            now = System.nanoTime();
        } while (now < end);
        if (sink == 42) {
            // Consumes the warm-up's results so the JIT cannot drop the warm-up passes.
            System.out.print("");
        }
        return units * 1e9 / (now - start);
    }
}

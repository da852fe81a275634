package msnscope.chaos;

import msnscope.proxy.MsnWorld;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/** Waits for bytes already on their way (to the test world, into the capture files) to land before counting. */
final class Quiet {

    private Quiet() {
    }

    /** Returns once the world has read nothing new for 300 ms (at most 5 s). */
    static void settle(MsnWorld world) throws InterruptedException {
        settle(() -> world.all.stream().mapToLong(r -> r.receivedBytes().length).sum());
    }

    /** Returns once no capture file under {@code dataDir} has grown for 300 ms (at most 5 s). */
    static void settleCapture(Path dataDir) throws InterruptedException {
        settle(() -> {
            try (Stream<Path> s = Files.list(dataDir.resolve("capture"))) {
                return s.mapToLong(p -> p.toFile().length()).sum();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void settle(LongSupplier measure) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        long before = -1;
        for (long now = measure.getAsLong(); now != before && System.currentTimeMillis() < end; now = measure.getAsLong()) {
            before = now;
            Thread.sleep(300);
        }
    }
}

package msnscope.proxy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console's writer: lines handed over nearly in time order come out in time order, and nothing waits long. */
class ConsoleOutputTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private List<String> lines() {
        synchronized (out) {
            return bytes.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void aLineHandedOverAfterALaterOneOfAnotherConnectionIsWrittenBeforeIt() {
        try (ConsoleOutput o = new ConsoleOutput(out, null)) {
            // One event loop stamped its read at 1000 µs but handed it over after another loop's read at 1500 µs.
            o.offer(1500, out, "c2 at 1500");
            o.offer(1000, out, "c1 at 1000");
            o.offer(1500, out, "c1 at 1500, handed over after c2's");
            o.offer(2000, out, "c2 at 2000");
        }
        assertEquals(List.of("c1 at 1000", "c2 at 1500", "c1 at 1500, handed over after c2's", "c2 at 2000"), lines(),
                "by time; equal times in the order they were handed over");
    }

    @Test
    void aLineIsWrittenOnceItsWindowHasPassedNotAtClose() throws Exception {
        try (ConsoleOutput o = new ConsoleOutput(out, null)) {
            o.offer(1000, out, "first");
            long deadline = System.nanoTime() + (ConsoleOutput.WINDOW_MILLIS + 2000) * 1_000_000L;
            while (lines().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(List.of("first"), lines(), "written within the window (and some), while the console runs");
            // A line stamped before one already written (a thread stalled past the window) is written, not held back.
            o.offer(500, out, "late");
            deadline = System.nanoTime() + (ConsoleOutput.WINDOW_MILLIS + 2000) * 1_000_000L;
            while (lines().size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(List.of("first", "late"), lines());
        }
    }

    @Test
    void aStalledTerminalNeverStallsTheCallerLinesPastTheQueueAreCountedAndSaidOnTheNoticesStream() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch unstall = new CountDownLatch(1);
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        // A terminal that stops reading (a paused pager, a full pipe): the first write blocks until released.
        PrintStream stalled = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writing.countDown();
                try {
                    unstall.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                records.write(b);
            }
        }, true, StandardCharsets.UTF_8);
        int offered = 20_001;
        long dropped;
        try (ConsoleOutput o = new ConsoleOutput(out, null)) {
            o.offer(0, stalled, "{\"n\":0}");
            assertTrue(writing.await(5, TimeUnit.SECONDS), "the writer reached the terminal");
            long t0 = System.nanoTime();
            for (int i = 1; i < offered; i++) {
                o.offer(i, stalled, "{\"n\":" + i + "}");
            }
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "offering never waits for the terminal");
            dropped = o.dropped();
            assertTrue(dropped > 0, "the queue is bounded");
            unstall.countDown();
        }
        List<String> written = records.toString(StandardCharsets.UTF_8).lines().toList();
        for (String l : written) {
            assertTrue(l.startsWith("{\"n\":"), "the records stay pure JSON Lines: " + l);
        }
        assertEquals(offered, written.size() + dropped, "every line is written or counted");
        assertEquals(List.of("[console: " + dropped + " lines dropped, the terminal could not keep up]"), lines());
    }
}

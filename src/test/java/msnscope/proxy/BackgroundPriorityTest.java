package msnscope.proxy;

import msnscope.capture.CaptureStore;
import msnscope.index.CaptureIndex;
import msnscope.support.ThreadNice;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Background work runs at the lowest CPU priority where Linux allows it, and goes on at normal priority elsewhere. */
class BackgroundPriorityTest {

    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    @TempDir
    Path dir;

    /** Runs {@code work} on a thread of its own: a lowered thread stays lowered, and JUnit's must not be. */
    private static <T> T onNewThread(Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(work.call());
            } catch (Exception e) {
                failure.set(e);
            }
        }, "priority-test");
        t.start();
        t.join(10_000);
        assertFalse(t.isAlive(), "the work returned");
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    @Test
    void liveIndexerThreadRunsAtLowestPriority() throws Exception {
        assumeTrue(ThreadNice.supported(), "Linux with /proc/thread-self and /usr/bin/renice");
        try (CaptureIndex index = CaptureIndex.open(new CaptureStore(dir), new Dissector(SpecLoader.builtIn()))) {
            index.startLive();
            List<Integer> seen = ThreadNice.await("msnscope-indexer", BackgroundPriority.LOWEST);
            assertFalse(seen.isEmpty(), "the indexer thread is running");
            assertEquals(List.of(BackgroundPriority.LOWEST), seen.stream().distinct().toList(),
                    "nice of every msnscope-indexer thread");
        }
        assertEquals(0, ThreadNice.current(), "the thread that opened and closed the index keeps its priority");
    }

    @Test
    void threadsStartedByALoweredThreadInheritItsPriority() throws Exception {
        assumeTrue(ThreadNice.supported(), "Linux with /proc/thread-self and /usr/bin/renice");
        // How Lucene's merge threads, started by the indexer thread's writer, come to run low as well.
        int[] nice = onNewThread(() -> {
            boolean lowered = BackgroundPriority.lowerCurrentThread();
            int own = ThreadNice.current();
            int child = onNewThread(ThreadNice::current);
            return new int[] {lowered ? 1 : 0, own, child};
        });
        assertEquals(1, nice[0], "lowerCurrentThread says it lowered the thread");
        assertEquals(BackgroundPriority.LOWEST, nice[1], "the lowered thread");
        assertEquals(BackgroundPriority.LOWEST, nice[2], "a thread it started afterwards");
    }

    @Test
    void aMissingReniceLeavesTheThreadAtItsPriorityAndReturns() throws Exception {
        assumeTrue(Files.exists(THREAD_SELF), "Linux with /proc/thread-self");
        Path missing = dir.resolve("no-such-renice");
        int[] r = onNewThread(() -> {
            int before = ThreadNice.current();
            boolean lowered = BackgroundPriority.lowerCurrentThread(missing, THREAD_SELF);
            return new int[] {lowered ? 1 : 0, before, ThreadNice.current()};
        });
        assertEquals(0, r[0], "reported as not lowered");
        assertEquals(r[1], r[2], "nice unchanged");
    }

    @Test
    void aReniceThatFailsLeavesTheThreadAtItsPriorityAndReturns() throws Exception {
        Path fails = Path.of("/usr/bin/false");
        assumeTrue(Files.exists(THREAD_SELF) && Files.isExecutable(fails), "Linux with /proc/thread-self and /usr/bin/false");
        int[] r = onNewThread(() -> {
            int before = ThreadNice.current();
            boolean lowered = BackgroundPriority.lowerCurrentThread(fails, THREAD_SELF);
            return new int[] {lowered ? 1 : 0, before, ThreadNice.current()};
        });
        assertEquals(0, r[0], "reported as not lowered");
        assertEquals(r[1], r[2], "nice unchanged");
    }

    @Test
    void withoutAThreadIdInProcItReturnsWithoutLowering() throws Exception {
        // Anywhere (also off Linux): a /proc/thread-self that is not there, then one that names no thread.
        Path absent = dir.resolve("thread-self");
        Files.writeString(dir.resolve("not-a-link"), "x");
        Path notALink = dir.resolve("not-a-link");
        Path namesNoThread = Files.createSymbolicLink(dir.resolve("odd"), Path.of("1/task/self"));
        for (Path threadSelf : List.of(absent, notALink, namesNoThread)) {
            assertFalse(onNewThread(() -> BackgroundPriority.lowerCurrentThread(Path.of("/usr/bin/renice"), threadSelf)),
                    threadSelf.toString());
        }
    }
}

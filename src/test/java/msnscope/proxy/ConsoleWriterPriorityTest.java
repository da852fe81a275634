package msnscope.proxy;

import msnscope.support.ThreadNice;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The console's writer may lag (it counts the lines it skips); the relay may not, so the writer runs lowest. */
class ConsoleWriterPriorityTest {

    @Test
    void consoleWriterThreadRunsAtLowestPriority() throws Exception {
        assumeTrue(ThreadNice.supported(), "Linux with /proc/thread-self and /usr/bin/renice");
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (ConsoleOutput o = new ConsoleOutput(out, null)) {
            List<Integer> seen = ThreadNice.await("msnscope-console", BackgroundPriority.LOWEST);
            assertFalse(seen.isEmpty(), "the console writer thread is running");
            assertEquals(List.of(BackgroundPriority.LOWEST), seen.stream().distinct().toList(), "nice of every msnscope-console thread");
        }
    }
}

package msnscope.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the calling thread to the lowest CPU priority (nice 19), for work that may lag and catch up (the
 * live indexer, the console writer) so that it never takes a core the relay's event loops need.
 *
 * <p>Linux keeps a nice value per thread, and a thread started later inherits its creator's, so the helper
 * threads this thread starts (Lucene's merge threads) run low too. Java 17 cannot call setpriority without
 * JNI, so this runs {@code renice} (in every Debian install: package bsdutils, Essential) on the thread's kernel id, which
 * {@code /proc/thread-self} names. Anywhere that does not work (not Linux, no renice, refused) the thread
 * goes on at normal priority, with one DEBUG line: lower priority is a courtesy, never a reason to fail.
 */
public final class BackgroundPriority {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundPriority.class);
    /** The lowest priority Linux has. */
    public static final int LOWEST = 19;
    private static final Path RENICE = Path.of("/usr/bin/renice");
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");
    /** renice takes a few ms; a machine so loaded that it takes longer should not hold the caller up further. */
    static final long TIMEOUT_MILLIS = 2000;

    private BackgroundPriority() {
    }

    /** Lowers the calling thread to nice 19; true when it did, false (and one DEBUG line) when it could not. */
    public static boolean lowerCurrentThread() {
        return lowerCurrentThread(RENICE, THREAD_SELF);
    }

    /** The same with another renice and /proc/thread-self, so a test can take either away. */
    static boolean lowerCurrentThread(Path renice, Path threadSelf) {
        String thread = Thread.currentThread().getName();
        String tid;
        try {
            // "PID/task/TID": the kernel's id for this thread, which setpriority (and so renice) takes.
            tid = Files.readSymbolicLink(threadSelf).getFileName().toString();
            Long.parseLong(tid);
        } catch (IOException | RuntimeException e) {
            LOG.debug("thread {} keeps its CPU priority: no thread id in {} ({})", thread, threadSelf, e.getMessage());
            return false;
        }
        Process p;
        try {
            p = new ProcessBuilder(renice.toString(), "-n", Integer.toString(LOWEST), "-p", tid)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException | RuntimeException e) {
            LOG.debug("thread {} keeps its CPU priority: cannot run {} ({})", thread, renice, e.getMessage());
            return false;
        }
        try {
            if (!p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                LOG.debug("thread {} keeps its CPU priority: {} did not finish within {} ms", thread, renice, TIMEOUT_MILLIS);
                return false;
            }
            if (p.exitValue() != 0) {
                LOG.debug("thread {} keeps its CPU priority: {} exited with {}: {}", thread, renice, p.exitValue(), errors(p));
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            // Whoever interrupted (a close) gets to see it; renice may still finish, which is harmless.
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            LOG.debug("thread {} keeps its CPU priority: interrupted while {} ran", thread, renice);
            return false;
        } finally {
            closeQuietly(p.getOutputStream());
            closeQuietly(p.getErrorStream());
        }
    }

    /** What renice said on stderr: a line or two, all there once it has exited. */
    private static String errors(Process p) {
        try {
            return new String(p.getErrorStream().readNBytes(1024), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private static void closeQuietly(java.io.Closeable in) {
        try {
            in.close();
        } catch (IOException e) {
            // Only the pipe to an exited process.
        }
    }
}

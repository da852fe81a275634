package msnscope.capture;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The store's recording lock ({@code DIR/recorder.lock}): held by the one proxy that records into a data
 * directory, for as long as it runs. It is an operating-system lock, so it is released when the process
 * dies, even by {@code kill -9}: a stale lock file never blocks anything. The file holds the holder's pid,
 * for the messages of the commands it refuses.
 *
 * <p>The concurrency model it serves ({@code docs/reliability.md}): one recording proxy per store; commands
 * that would remove what it is writing ({@code delete}) refuse while it runs; commands that add sessions
 * ({@code import}) or only read work beside it.
 */
public final class RecorderLock implements Closeable {

    static final String FILE = "recorder.lock";
    /**
     * Locks this process holds, by file. POSIX releases every lock a process has on a file when it closes
     * any descriptor of it, so this process must never open the file again while it holds the lock.
     */
    private static final java.util.Map<Path, RecorderLock> HELD = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path file;

    private final FileChannel channel;
    private final FileLock lock;

    private final String purpose;

    private RecorderLock(Path file, FileChannel channel, FileLock lock, String purpose) {
        this.file = file;
        this.purpose = purpose;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock for {@code purpose} ("recording", "deleting sessions"); throws {@link Busy} (its message
     * says who holds it and why) when another process or object has it.
     */
    public static synchronized RecorderLock acquire(CaptureStore store, String purpose) throws IOException {
        Path file = store.root().resolve(FILE).toAbsolutePath().normalize();
        if (HELD.containsKey(file)) {
            throw new Busy(store.root(), describe(ProcessHandle.current().pid() + " " + HELD.get(file).purpose));
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String who = holder(ch);
            ch.close();
            throw new Busy(store.root(), who);
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + " " + purpose + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        RecorderLock held = new RecorderLock(file, ch, lock, purpose);
        HELD.put(file, held);
        return held;
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(200);
            ch.read(b, 0);
            return describe(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return describe("");
        }
    }

    /** "msnscope (pid 42, recording)" from the lock file's "42 recording". */
    private static String describe(String content) {
        int space = content.indexOf(' ');
        if (content.isEmpty()) {
            return "another msnscope";
        }
        return space < 0 ? "msnscope (pid " + content + ")"
                : "msnscope (pid " + content.substring(0, space) + ", " + content.substring(space + 1) + ")";
    }

    @Override
    public void close() throws IOException {
        HELD.remove(file, this);
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }

    /** Another recorder holds the lock. */
    public static final class Busy extends IOException {
        private final String who;

        Busy(Path root, String who) {
            super(who + " holds " + root);
            this.who = who;
        }

        public String who() {
            return who;
        }
    }
}

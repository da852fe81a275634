package msnscope.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The nice values the kernel reports for this process's threads, read from /proc (Linux). */
public final class ThreadNice {

    private static final Path TASKS = Path.of("/proc/self/task");

    private ThreadNice() {
    }

    /** True where a thread can be lowered: /proc names the calling thread and renice is installed. */
    public static boolean supported() {
        return Files.exists(Path.of("/proc/thread-self")) && Files.isExecutable(Path.of("/usr/bin/renice"));
    }

    /** The calling thread's nice value. */
    public static int current() throws IOException {
        return nice(Path.of("/proc/thread-self/stat"));
    }

    /**
     * The nice value of every live thread named {@code name}, matched as the kernel keeps it (the first 15
     * characters; the JVM gives each Java thread its name there on Linux).
     */
    public static List<Integer> named(String name) throws IOException {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).strip().equals(comm)) {
                        out.add(nice(task.resolve("stat")));
                    }
                } catch (IOException e) {
                    // The thread ended between the listing and the read.
                }
            }
        }
        return out;
    }

    /**
     * Polls (up to 5 s) until every live thread named {@code name}, and at least one, reports {@code nice};
     * returns the values last seen, one per thread.
     */
    public static List<Integer> await(String name, int nice) throws IOException, InterruptedException {
        List<Integer> seen = named(name);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((seen.isEmpty() || !seen.stream().allMatch(n -> n == nice)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            seen = named(name);
        }
        return seen;
    }

    /**
     * Field 19 of a stat file. Field 2 is the thread's name in parentheses and may hold spaces and
     * parentheses itself, so the fields are counted from the last ')': the next one is field 3.
     */
    static int nice(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] after = s.substring(s.lastIndexOf(')') + 1).trim().split("\\s+");
        return Integer.parseInt(after[19 - 3]);
    }
}

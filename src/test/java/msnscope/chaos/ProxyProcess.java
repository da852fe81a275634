package msnscope.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code msnscope} as a child JVM, so that tests can send it real signals: {@link #terminate()}
 * is SIGTERM ({@link Process#destroy()} on Linux), {@link #kill()} is SIGKILL. Its standard error is
 * read on a thread (kept for failure messages); {@link #start} returns once it printed "listening on".
 * Every process is ended by {@link #close()}, so a failing test leaves nothing running.
 */
final class ProxyProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+),");
    private static final long START_SECONDS = 30;
    /** Children still running when this JVM exits (a test runner killed mid-test) are killed with it. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "proxy-process-reaper"));
    }

    private final Process process;
    private final StringBuffer stderr = new StringBuffer();
    /**
     * Where a {@link #console} process writes (null: standard error is a pipe read on a thread). Files,
     * because a pipe loses what a JVM prints as it exits (the shutdown hook's lines): the JDK closes the
     * pipe's stream when the process ends, under a reader still waiting for those lines.
     */
    private final Path outFile;
    private final Path errFile;
    private final List<Thread> readers = new ArrayList<>();
    private volatile String address;

    private ProxyProcess(Process process, Path outFile, Path errFile) {
        this.process = process;
        this.outFile = outFile;
        this.errFile = errFile;
        LIVE.add(process);
        if (errFile == null) {
            drain(process.getErrorStream());
        }
    }

    /** {@code java -cp <this test's class path> msnscope.cli.Main args...}, not waited for. */
    static Process java(List<String> args) throws IOException {
        // Standard output carries nothing the tests read (the proxy runs --quiet); it must not fill a pipe.
        return builder(args).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static ProcessBuilder builder(List<String> args, String... jvmOptions) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Small and quick to start: the machine running the suite may have two cores for everything.
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "msnscope.cli.Main"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd);
    }

    /**
     * Starts {@code msnscope proxy --upstream UPSTREAM --listen 127.0.0.1:0 --data DIR --quiet EXTRA...}
     * and waits for its "listening on" line. Fails with the proxy's own words when it exits instead.
     */
    static ProxyProcess start(String upstream, Path data, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--quiet"));
        args.addAll(List.of(extra));
        return started(new ProxyProcess(java(proxyArgs(upstream, args)), null, null), "msnscope proxy --data " + data);
    }

    /**
     * Starts {@code msnscope proxy --upstream UPSTREAM --listen 127.0.0.1:0 ARGS...} with its standard output
     * and standard error written to files in {@code dir} ({@link #stdout()}, {@link #stderr()}): the console
     * as a user sees it, on a machine whose local time zone is {@code zone}.
     */
    static ProxyProcess console(Path dir, String zone, String upstream, String... args) throws Exception {
        Path out = dir.resolve("proxy.out");
        Path err = dir.resolve("proxy.err");
        Process p = builder(proxyArgs(upstream, List.of(args)), "-Duser.timezone=" + zone)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return started(new ProxyProcess(p, out, err), "msnscope proxy");
    }

    private static List<String> proxyArgs(String upstream, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("proxy", "--upstream", upstream, "--listen", "127.0.0.1:0",
                "--resolve", msnscope.proxy.MsnWorld.SB_NAME + "=127.0.0.1"));
        args.addAll(extra);
        return args;
    }

    private static ProxyProcess started(ProxyProcess p, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (p.listening() == null) {
            Thread.sleep(50);
            if (!p.process.isAlive() || System.nanoTime() > deadline) {
                Integer code = p.process.isAlive() ? null : p.process.exitValue();
                p.close();
                throw new StartFailed(what + (code != null ? " exited with " + code
                        : " did not say 'listening on' within " + START_SECONDS + " s") + " instead of listening: " + p.stderr().trim(),
                        code, p.stderr());
            }
        }
        return p;
    }

    /** The proxy did not come up: its exit code (null: it hung) and standard error say why. */
    static final class StartFailed extends Exception {
        final Integer exitCode;
        final String stderr;

        StartFailed(String message, Integer exitCode, String stderr) {
            super(message);
            this.exitCode = exitCode;
            this.stderr = stderr;
        }
    }

    /** The address from the "listening on" line, once it is printed. */
    private String listening() {
        if (address == null && errFile != null) {
            Matcher m = LISTENING.matcher(stderr());
            if (m.find()) {
                address = m.group(1) + ":" + m.group(2);
            }
        }
        return address;
    }

    private void drain(InputStream in) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    stderr.append(line).append('\n');
                    Matcher m = LISTENING.matcher(line);
                    if (address == null && m.find()) {
                        address = m.group(1) + ":" + m.group(2);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "proxy-process-output");
        t.setDaemon(true);
        readers.add(t);
        t.start();
    }

    long pid() {
        return process.pid();
    }

    /** Where clients connect: {@code 127.0.0.1:PORT}. */
    String address() {
        return address;
    }

    String stderr() {
        return errFile == null ? stderr.toString() : read(errFile);
    }

    /** Standard output so far (started by {@link #console}). */
    String stdout() {
        return read(outFile);
    }

    private static String read(Path file) {
        try {
            return java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** SIGTERM. */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL (kill -9), and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("pid " + process.pid() + " survived SIGKILL for 10 s");
        }
    }

    /** The exit code, or null if it is still running after {@code seconds}. */
    Integer awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    /** Kills the process if it still runs, and waits for the last of its output. */
    @Override
    public void close() {
        LIVE.remove(process);
        try {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            for (Thread t : readers) {
                t.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

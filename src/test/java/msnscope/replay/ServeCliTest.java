package msnscope.replay;

import msnscope.cli.Main;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.support.Captures;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real {@code msnscope serve} as a child JVM: its lines, its recording, its SIGTERM and its exit code. */
class ServeCliTest {

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+),");
    private static final Path CHAT = Captures.DIR.resolve("msnp11-chat.txt");

    private record Ran(int code, String out, String err) {
    }

    private static Ran cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Ran(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code msnscope serve ARGS --listen 127.0.0.1:0} in a child JVM; returns once it says where it listens. */
    private static Process serve(Path dir, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "msnscope.cli.Main", "serve", "--listen", "127.0.0.1:0"));
        cmd.addAll(args);
        // Files, not pipes: what the JVM prints as it exits (the shutdown summary) must not be lost.
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("serve.out").toFile())
                .redirectError(dir.resolve("serve.err").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (port(dir) < 0) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("serve did not start: " + Files.readString(dir.resolve("serve.err")));
            }
            Thread.sleep(50);
        }
        return p;
    }

    private static int port(Path dir) throws IOException {
        Path err = dir.resolve("serve.err");
        Matcher m = LISTENING.matcher(Files.exists(err) ? Files.readString(err) : "");
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static int stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("serve did not stop on SIGTERM");
        }
        return p.exitValue();
    }

    @Test
    void storedSessionIsServedRecordedAndSearchableAndADivergenceFailsTheRun(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        Path served = dir.resolve("served");
        assertEquals(0, cli("import", CHAT.toString(), "--data", store.toString()).code());
        Script script = Script.load(List.of(CHAT), new Dissector(SpecLoader.builtIn()), FramerLimits.DEFAULT);
        long serverFrames = script.frames().stream().filter(f -> !f.fromClient()).count();
        Process p = serve(dir, List.of("--from", store.toString(), "s1", "--data", served.toString(), "--on-divergence", "error"));
        try {
            int port = port(dir);
            try (ServeDriver client = new ServeDriver(script, new InetSocketAddress("127.0.0.1", port), 0)) {
                client.playRest();
            }
            try (Socket late = new Socket("127.0.0.1", port)) {
                late.getOutputStream().write("VER 9 MSNP11 MSNP10 CVR0\r\n".getBytes(StandardCharsets.US_ASCII));
                late.getOutputStream().flush();
                waitFor(dir.resolve("serve.out"), "divergence");
            }
        } finally {
            assertEquals(1, stop(p), "exit code with a divergence and --on-divergence error");
        }
        String out = Files.readString(dir.resolve("serve.out"));
        String err = Files.readString(dir.resolve("serve.err"));
        assertTrue(out.contains("c3 from 127.0.0.1:"), out);
        assertTrue(out.contains(" plays s1 c3 (SB alice@example.com)"), out);
        assertTrue(out.contains("divergence on c4: the client sent 'VER 9 MSNP11 MSNP10 CVR0'; no captured connection left starts with it "
                + "(every captured connection is taken)"), out);
        String[] errLines = err.strip().split("\n");
        assertTrue(errLines[errLines.length - 1].matches("msnscope serve: stopped: 4 connections, " + serverFrames + " frames answered, 1 divergence; "
                + "recorded \\d+ frames to .* as s1-s2"), err);
        assertFalse(err.contains("Exception"), err);
        Ran sessions = cli("sessions", "--data", served.toString());
        assertTrue(sessions.out().lines().anyMatch(l -> l.startsWith("s1 ") && l.contains("alice@example.com") && l.matches(".*\\s3\\s+\\d+.*")),
                sessions.out());
        Ran search = cli("search", "cmd:JOI", "--data", served.toString());
        assertEquals(0, search.code(), search.err());
        assertTrue(search.out().contains("JOI bob@example.com Bob"), search.out());
    }

    @Test
    void cleanRunExitsZeroOnSigterm(@TempDir Path dir) throws Exception {
        Process p = serve(dir, List.of(Captures.DIR.resolve("escargot-msnp8.pcap").toString()));
        String err;
        try {
            err = Files.readString(dir.resolve("serve.err"));
        } finally {
            assertEquals(0, stop(p));
        }
        assertTrue(err.contains("playing 2 logins (alice@example.com, bob@example.com)"), err);
        assertTrue(Files.readString(dir.resolve("serve.err")).contains("msnscope serve: stopped: 0 connections, 0 frames answered, 0 divergences; not recorded"));
    }

    @Test
    void mistakesAreOneLineAndExitTwo(@TempDir Path dir) {
        for (String[] args : List.of(new String[] {"serve"}, new String[] {"serve", dir.resolve("none.txt").toString()},
                new String[] {"serve", CHAT.toString(), "--speed", "fast"}, new String[] {"serve", CHAT.toString(), "--on-divergence", "panic"},
                new String[] {"serve", "--from", dir.toString(), "s1"}, new String[] {"serve", CHAT.toString(), "--listen", "nowhere"})) {
            Ran r = cli(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("msnscope serve: "), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
    }

    private static void waitFor(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Files.readString(file).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' in " + Files.readString(file));
            }
            Thread.sleep(20);
        }
    }
}

package msnscope.intercept;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.support.Captures;
import msnscope.wire.Direction;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Real frames for the hook tests (the MSNP11 chat capture, dissected) and what the hook logged meanwhile. */
final class HookFixture {

    /** Every frame of captures/msnp11-chat.txt, dissected by the real dissector. */
    static final List<Dissection> CHAT = chat();

    private HookFixture() {
    }

    private static List<Dissection> chat() {
        List<Dissection> all = new ArrayList<>();
        for (ConnectionLog c : Captures.dissect(Path.of("captures/msnp11-chat.txt")).connections()) {
            all.addAll(c.frames());
        }
        return List.copyOf(all);
    }

    /** The first frame of the chat going {@code dir} with command {@code cmd} whose line or text payload contains {@code text}. */
    static Dissection frame(Direction dir, String cmd, String text) {
        for (Dissection d : CHAT) {
            String payload = d.frame().hasPayload() ? new String(d.frame().payload(), StandardCharsets.UTF_8) : "";
            if (d.direction() == dir && cmd.equals(d.command()) && (d.frame().line().contains(text) || payload.contains(text))) {
                return d;
            }
        }
        throw new AssertionError("no " + dir + " " + cmd + " with '" + text + "' in the chat capture");
    }

    /** Bob's "Très bien, merci! Send me the photo?" to alice: chat text going to the client. */
    static Dissection bobsText() {
        return frame(Direction.S2C, "MSG", "Très bien");
    }

    static Dissection qng() {
        return frame(Direction.S2C, "QNG", "QNG");
    }

    /** The verdict, once the stage completes; fails when it has not within {@code millis}. */
    static Verdict verdict(CompletionStage<Verdict> stage, long millis) throws Exception {
        return stage.toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Waits up to {@code millis} for {@code condition}; fails saying {@code what} otherwise. */
    static void await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("not within " + millis + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Standard error while open (the proxy's logger, slf4j-simple, writes there, and so does the hook's own
     * standard error), echoed to the real one at close so the test's output keeps it.
     */
    static final class Stderr implements AutoCloseable {
        private final PrintStream old = System.err;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Stderr() {
            System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        /** The lines so far that contain {@code part}. */
        List<String> lines(String part) {
            return text().lines().filter(l -> l.contains(part)).toList();
        }

        /** Waits up to {@code millis} for a line containing {@code part}; returns that line. */
        String awaitLine(String part, long millis) throws InterruptedException {
            await(() -> !lines(part).isEmpty(), millis, "a line with '" + part + "' on stderr; got:\n" + text());
            return lines(part).get(0);
        }

        @Override
        public void close() {
            System.setErr(old);
            old.print(text());
        }
    }
}

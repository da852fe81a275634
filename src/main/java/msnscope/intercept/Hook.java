package msnscope.intercept;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import msnscope.dissect.Dissection;
import msnscope.export.FrameJson;
import msnscope.search.FrameFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code proxy --hook COMMAND}: a program in any language that decides what becomes of each frame, asked
 * over JSON Lines (the protocol is in the README, "A hook in any language"). COMMAND runs once, through
 * {@code sh -c}; each frame the filter matches is written to its standard input as the frame's {@code dissect}
 * JSON object plus {@code id} and {@code connection}, and its answer line for that id becomes the frame's
 * {@link Verdict}. Its standard error is copied to msnscope's, each line marked {@code hook: }.
 *
 * <p>The lane that calls {@link #intercept} never waits for the hook: a writer thread takes the questions
 * from a bounded queue (when the hook is that far behind, a frame is forwarded at once without asking), a
 * reader thread completes each frame's stage when its answer arrives (in any order), and one timer forwards
 * a frame unchanged when its answer is late. A hook that dies or answers nonsense costs the frames concerned
 * their change, never their delivery: each fault is one line on the proxy's log, rate-limited.
 */
public final class Hook implements Interceptor {

    /** How long a frame waits for its answer unless {@code --hook-timeout} says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** Questions waiting to be written before frames are forwarded without asking. */
    static final int QUEUE = 1024;
    private static final long CLOSE_GRACE_MILLIS = 2_000;
    /** The longest answer line read (a replaced payload in base64 is far shorter); longer is garbage. */
    static final int MAX_ANSWER = 16 << 20;
    /** The longest line of the hook's standard error copied; the rest of it is left out. */
    static final int MAX_ERROR_LINE = 8192;
    /** Timed-out ids remembered, so that their late answers are told apart from answers to nothing. */
    private static final int LATE_IDS = 4096;
    private static final Logger LOG = LoggerFactory.getLogger("msnscope.proxy");
    private static final CompletionStage<Verdict> FORWARDED = CompletableFuture.completedStage(Verdict.FORWARD);
    private static final ObjectReader ANSWERS = FrameJson.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One frame the hook was asked about, until its answer (or its timeout, or the hook's death) settles it. */
    private static final class Asked {
        final long id;
        final Dissection d;
        final String connection;
        final byte[] line;
        final CompletableFuture<Verdict> verdict = new CompletableFuture<>();
        volatile ScheduledFuture<?> timeout;

        Asked(long id, Dissection d, String connection, byte[] line) {
            this.id = id;
            this.d = d;
            this.connection = connection;
            this.line = line;
        }

        /** {@code frame 7 (c3 S2C MSG)}: what a warning about it says. */
        @Override
        public String toString() {
            return "frame " + id + " (" + connection + " " + d.direction() + " " + (d.command() != null ? d.command() : "line") + ")";
        }
    }

    private final String command;
    private final FrameFilter filter;
    private final long timeoutMillis;
    private final Process process;
    private final BlockingQueue<Asked> queue;
    /** The queue's capacity: how far behind the hook is when a frame finds it full. */
    private final int queueSize;
    private final Map<Long, Asked> pending = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> timedOut = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > LATE_IDS;
        }
    });
    private final AtomicLong ids = new AtomicLong();
    private final ScheduledThreadPoolExecutor timer;
    private final HookWarnings warnings = new HookWarnings();
    private final HookTally tally = new HookTally();
    private final AtomicBoolean dead = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread writer;
    private volatile Interest interest;
    private volatile boolean closing;
    /** How the hook ended by itself, for the summary; null while it runs. */
    private volatile String death;

    private Hook(String command, FrameFilter filter, Duration timeout, Process process, int queueSize) {
        this.command = command;
        this.filter = filter;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.process = process;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.queueSize = queueSize;
        this.interest = filter == null ? Interest.ALL : filter.interest();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "hook-timer"));
        timer.setRemoveOnCancelPolicy(true); // a frame answered in time leaves no timeout behind
        timer.scheduleAtFixedRate(warnings::flush, 10, 10, TimeUnit.SECONDS);
        this.writer = daemon(this::writeQuestions, "hook-writer");
        writer.start();
        daemon(this::readAnswers, "hook-reader").start();
        daemon(this::copyErrors, "hook-stderr").start();
    }

    /**
     * Starts {@code command} through {@code sh -c} in the current directory and asks it about each frame
     * {@code filter} matches.
     *
     * @param filter  the frames to ask about ({@code --hook-filter}); null: every frame
     * @param timeout how long a frame waits for its answer ({@code --hook-timeout}); null: {@link #DEFAULT_TIMEOUT}
     * @throws IOException when the command is empty or cannot be started, or the timeout is not positive: the
     *                     message is one line naming what
     */
    public static Hook start(String command, FrameFilter filter, Duration timeout) throws IOException {
        return start(command, filter, timeout, QUEUE);
    }

    /** {@link #start} with a question queue of {@code queueSize}. */
    static Hook start(String command, FrameFilter filter, Duration timeout, int queueSize) throws IOException {
        if (command == null || command.isBlank()) {
            throw new IOException("the hook command is empty");
        }
        Duration t = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (t.isNegative() || t.isZero()) {
            throw new IOException("the hook's answer timeout must be more than 0 ms, not " + t.toMillis() + " ms");
        }
        Process p;
        try {
            p = new ProcessBuilder("sh", "-c", command).start();
        } catch (IOException e) {
            throw new IOException("cannot start hook '" + command + "': " + e.getMessage(), e);
        }
        return new Hook(command, filter, t, p, queueSize);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public Interest interest() {
        return interest;
    }

    @Override
    public CompletionStage<Verdict> intercept(Dissection d, String connection) {
        if (filter != null && !filter.matches(d, d.account())) {
            return FORWARDED;
        }
        if (dead.get()) {
            tally.unasked.increment();
            return FORWARDED;
        }
        long id = ids.incrementAndGet();
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("id", id);
        extras.put("connection", connection);
        Asked a = new Asked(id, d, connection, FrameJson.toLine(d, extras).getBytes(StandardCharsets.UTF_8));
        pending.put(id, a);
        if (!queue.offer(a)) {
            pending.remove(id);
            tally.queueFull.increment();
            // The capacity, not size(): the writer may take frames between the refused offer and this line.
            warnings.warn("behind", "hook is " + queueSize + " frames behind: " + a + " forwarded unchanged without asking");
            return FORWARDED;
        }
        tally.asked.increment();
        a.timeout = timer.schedule(() -> timedOut(a), timeoutMillis, TimeUnit.MILLISECONDS);
        if (dead.get() && pending.remove(id, a)) {
            a.verdict.complete(Verdict.FORWARD); // the hook died between the check above and now
        }
        return a.verdict;
    }

    private void timedOut(Asked a) {
        if (pending.remove(a.id, a)) {
            tally.timedOut.increment();
            timedOut.put(a.id, Boolean.TRUE);
            warnings.warn("slow", "hook did not answer " + a + " within " + timeoutMillis + " ms: forwarded unchanged");
            a.verdict.complete(Verdict.FORWARD);
        }
    }

    /** The writer thread: one question a line, flushed when no more are waiting. */
    private void writeQuestions() {
        OutputStream out = process.getOutputStream();
        try {
            while (true) {
                Asked a = queue.take();
                if (!pending.containsKey(a.id)) {
                    continue; // settled before its turn (timed out, or the hook died): the hook need not see it
                }
                out.write(a.line);
                out.write('\n');
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            // close(): stop writing; closing the input below tells the hook to finish
        } catch (IOException e) {
            if (!closing) {
                died();
            }
        } finally {
            try {
                out.close();
            } catch (IOException ignored) {
                // the hook is gone already
            }
        }
    }

    /** The reader thread: each answer line settles the frame it names; the end of the output is the hook's end. */
    private void readAnswers() {
        try (Reader out = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
            HookLines in = new HookLines(out, MAX_ANSWER);
            for (String line; (line = in.next()) != null; ) {
                if (in.cut()) {
                    garbage("hook answered a line longer than " + MAX_ANSWER + " characters: ignored: " + HookText.clip(line));
                } else if (!line.isBlank() && !closing) {
                    try {
                        answer(line);
                    } catch (RuntimeException e) {
                        garbage("hook answer could not be used (" + HookText.clip(String.valueOf(e.getMessage())) + "): " + HookText.clip(line));
                    }
                }
            }
        } catch (IOException e) {
            // its output ended badly: that is its end too
        }
        if (!closing) {
            died();
        }
    }

    private void answer(String line) {
        JsonNode node;
        try {
            node = ANSWERS.readTree(line);
        } catch (JsonProcessingException e) {
            garbage("hook answered a line that is not JSON: " + HookText.clip(line));
            return;
        }
        if (node == null || !node.isObject()) {
            garbage("hook answered a line that is not a JSON object: " + HookText.clip(line));
            return;
        }
        JsonNode idNode = node.get("id");
        if (idNode == null || !idNode.isIntegralNumber() || !idNode.canConvertToLong()) {
            garbage("hook answered without a numeric \"id\"" + (idNode == null ? "" : " (" + HookAnswer.shown(idNode) + ")") + ": " + HookText.clip(line));
            return;
        }
        long id = idNode.asLong();
        Asked a = pending.remove(id);
        if (a == null) {
            unexpected(id);
            return;
        }
        ScheduledFuture<?> t = a.timeout;
        if (t != null) {
            t.cancel(false);
        }
        Verdict v;
        try {
            v = HookAnswer.verdict(node, a.d.frame());
        } catch (HookAnswer.Invalid e) {
            garbage("hook's answer for " + a + " is wrong: " + e.getMessage() + ": forwarded unchanged");
            a.verdict.complete(Verdict.FORWARD);
            return;
        } catch (RuntimeException e) {
            // Not the hook's mistake but ours; its frame must still go on.
            garbage("hook's answer for " + a + " could not be applied (" + HookText.clip(String.valueOf(e.getMessage())) + "): forwarded unchanged");
            a.verdict.complete(Verdict.FORWARD);
            return;
        }
        tally.answered(v);
        a.verdict.complete(v);
    }

    /** An answer for an id that is not waiting: late (its frame timed out), repeated, or never asked. */
    private void unexpected(long id) {
        if (timedOut.remove(id) != null) {
            tally.late.increment();
            warnings.warn("late", "hook answered frame " + id + " after its " + timeoutMillis + " ms: it had been forwarded unchanged; answer ignored");
        } else if (id >= 1 && id <= ids.get()) {
            garbage("hook answered frame " + id + ", which is not waiting for an answer (answered before, or never asked): ignored");
        } else {
            garbage("hook answered unknown frame " + id + " (only frames 1 to " + ids.get() + " were asked about): ignored");
        }
    }

    private void garbage(String line) {
        tally.garbage.increment();
        warnings.warn("garbage", line);
    }

    /** Copies the hook's standard error to msnscope's, each line marked as the hook's. */
    private void copyErrors() {
        try (Reader err = new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)) {
            HookLines in = new HookLines(err, MAX_ERROR_LINE);
            for (String line; (line = in.next()) != null; ) {
                System.err.println("hook: " + line + (in.cut() ? "…" : ""));
            }
        } catch (IOException e) {
            // its error output ended with it
        }
    }

    /**
     * The hook stopped talking (its output ended, or it stopped reading): every waiting frame goes on unchanged
     * at once, later ones without asking, and one line says how it ended.
     */
    private void died() {
        if (!dead.compareAndSet(false, true)) {
            return;
        }
        interest = Interest.NONE;
        int waiting = forwardWaiting();
        String how;
        try {
            how = process.waitFor(1, TimeUnit.SECONDS) ? ended(process.exitValue()) : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            how = null;
        }
        if (how == null) {
            how = "stopped answering (it closed its input or output) and was stopped";
            stop();
        }
        death = "the hook " + how + " after " + HookTally.count(ids.get(), "frame");
        LOG.warn("hook '{}' {}: {}later frames are forwarded without asking", command, how,
                waiting == 0 ? "" : HookTally.count(waiting, "waiting frame") + " forwarded unchanged, ");
    }

    /** {@code exited with code 3}, with what the usual shell codes mean. */
    private static String ended(int code) {
        String why = switch (code) {
            case 126 -> " (the command is not executable)";
            case 127 -> " (command not found)";
            default -> code > 128 && code < 160 ? " (killed by signal " + (code - 128) + ")" : "";
        };
        return "exited with code " + code + why;
    }

    /** Settles every frame still waiting as forwarded unchanged; returns how many there were. */
    private int forwardWaiting() {
        List<Asked> all = new ArrayList<>(pending.values());
        int n = 0;
        for (Asked a : all) {
            if (pending.remove(a.id, a)) {
                ScheduledFuture<?> t = a.timeout;
                if (t != null) {
                    t.cancel(false);
                }
                a.verdict.complete(Verdict.FORWARD);
                n++;
            }
        }
        return n;
    }

    /** Ends the hook and whatever it started (a shell's child would otherwise keep its pipes open). */
    private void stop() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public List<String> summary() {
        return List.of(tally.summary(death));
    }

    @Override
    public String describe() {
        return "hook '" + command + "'" + (filter == null ? "" : " on frames matching '" + filter.text() + "'")
                + ", answers within " + timeoutMillis + " ms";
    }

    /**
     * Forwards what is still waiting, closes the hook's input (its cue to finish), waits up to 2 s for it to
     * exit, then stops it.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        dead.set(true);
        interest = Interest.NONE;
        forwardWaiting();
        writer.interrupt();
        try {
            if (!process.waitFor(CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
        }
        timer.shutdownNow();
        warnings.flush();
    }
}

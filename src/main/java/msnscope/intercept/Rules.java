package msnscope.intercept;

import msnscope.dissect.Dissection;
import msnscope.wire.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code proxy --rules FILE}: the rules of a YAML file as an {@link Interceptor}. Each frame is matched against
 * the rules in file order; every rule that matches adds its action ({@link Verdict#then}), and a rule with
 * {@code stop: true} ends the list for that frame. A frame no rule matches is forwarded byte-exact.
 *
 * <p>The file is watched (modification time and size, every 500 ms, on a daemon thread) and loaded again
 * when it changes: a good file replaces the rules at once (one line {@code rules reloaded: N rules}), a bad
 * one leaves the old rules in place (one line naming the mistake). A rule whose text is unchanged keeps its
 * count; the counts of a rule that was changed or removed are still in the exit summary, marked so.
 *
 * <p>Frames that are pieces of a frame (a streamed payload's parts, its line, a line cut at the line limit)
 * are never changed: dropping or rebuilding one would leave the other side reading payload bytes as
 * commands.
 */
public final class Rules implements Interceptor {

    private static final Logger log = LoggerFactory.getLogger("msnscope.proxy");
    private static final long WATCH_MILLIS = 500;
    private static final int PIECES = Frame.PAYLOAD_PART | Frame.PAYLOAD_STREAMED | Frame.LINE_TOO_LONG;

    /** The rules in force and what they can select; replaced whole on reload, so a frame sees one file's rules. */
    private record Loaded(List<Rule> rules, Interest interest) {
        static Loaded of(List<Rule> rules) {
            Interest all = Interest.NONE;
            for (Rule r : rules) {
                all = all.or(r.interest());
            }
            return new Loaded(rules, all);
        }
    }

    /** What the file looked like on disk when last read: a change of either means read it again. */
    private record Stamp(long modified, long size) {
        static Stamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(a.lastModifiedTime().toMillis(), a.size());
            } catch (IOException e) {
                return new Stamp(-1, -1);
            }
        }
    }

    private final Path file;
    private final Consumer<String> notices;
    private volatile Loaded current;
    private Stamp seen;
    /** Rules a reload changed or removed that had applied: their counts stay in the summary. */
    private final List<Rule> retired = Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService watcher;

    private Rules(Path file, Stamp stamp, List<Rule> rules, Consumer<String> notices, boolean watch) {
        this.file = file;
        this.notices = notices;
        this.current = Loaded.of(rules);
        this.seen = stamp;
        if (watch) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "msnscope-rules-watch");
                t.setDaemon(true);
                return t;
            });
            watcher.scheduleWithFixedDelay(this::reloadIfChanged, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            watcher = null;
        }
    }

    /**
     * The rules of {@code file}, watched for changes; reload lines and skipped-rule warnings go to the
     * {@code msnscope.proxy} log.
     *
     * @throws RulesException one line naming the file, the rule and the mistake
     */
    public static Rules load(Path file) throws RulesException {
        return load(file, log::warn);
    }

    /** As {@link #load(Path)}, telling reloads and skipped rules to {@code notices} (one line each). */
    public static Rules load(Path file, Consumer<String> notices) throws RulesException {
        return load(file, notices, true);
    }

    /** {@code watch} false: the file is read again only by {@link #reloadIfChanged} (tests that drive it themselves). */
    static Rules load(Path file, Consumer<String> notices, boolean watch) throws RulesException {
        Objects.requireNonNull(notices);
        Stamp stamp = Stamp.of(file);
        return new Rules(file, stamp, RulesFile.read(file), notices, watch);
    }

    @Override
    public Interest interest() {
        return current.interest();
    }

    @Override
    public CompletionStage<Verdict> intercept(Dissection d, String connection) {
        return CompletableFuture.completedFuture(verdict(d, connection));
    }

    /** The rules' verdict on one frame. */
    Verdict verdict(Dissection d, String connection) {
        if ((d.frame().flags() & PIECES) != 0) {
            return Verdict.FORWARD;
        }
        Verdict v = Verdict.FORWARD;
        Draft draft = new Draft(d.frame());
        for (Rule r : current.rules()) {
            if (!r.matches(d)) {
                continue;
            }
            Verdict rv;
            try {
                rv = r.action().apply(d, connection, draft, r.by());
            } catch (RuleSkip skip) {
                skipped(r, skip.getMessage(), d);
                continue;
            }
            if (rv != null) {
                r.tally().applied.incrementAndGet();
                v = v.then(rv);
            }
            if (r.stop()) {
                break;
            }
        }
        return v;
    }

    private void skipped(Rule r, String why, Dissection d) {
        Rule.Tally t = r.tally();
        t.skipped.incrementAndGet();
        t.lastSkip = why;
        if (t.warned.compareAndSet(false, true)) {
            notices.accept(r.by() + " did not apply to " + d.direction() + " " + (d.command() == null ? "a frame" : d.command())
                    + ": " + why + " (further skips are counted in the exit summary)");
        }
    }

    /** Reads the file again if its modification time or size changed since it was last read. */
    void reloadIfChanged() {
        Stamp now = Stamp.of(file);
        synchronized (this) {
            if (now.equals(seen)) {
                return;
            }
            seen = now;
        }
        Loaded old = current;
        List<Rule> fresh;
        try {
            fresh = RulesFile.read(file);
        } catch (RulesException e) {
            notices.accept("rules not reloaded, keeping the " + count(old.rules().size()) + " loaded before: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            notices.accept("rules not reloaded, keeping the " + count(old.rules().size()) + " loaded before: " + file + ": " + e.getMessage());
            return;
        }
        current = Loaded.of(carryCounts(old.rules(), fresh));
        notices.accept("rules reloaded: " + count(fresh.size()));
    }

    /**
     * The new rules, each with the tally of an old rule of the same text (the first one not yet taken); old
     * rules left over that had applied are kept for the summary.
     */
    private List<Rule> carryCounts(List<Rule> old, List<Rule> fresh) {
        Map<String, LinkedList<Rule>> byText = new HashMap<>();
        for (Rule r : old) {
            byText.computeIfAbsent(r.text(), k -> new LinkedList<>()).add(r);
        }
        List<Rule> out = new ArrayList<>();
        for (Rule r : fresh) {
            LinkedList<Rule> same = byText.get(r.text());
            Rule was = same == null ? null : same.poll();
            out.add(was == null ? r : new Rule(r.number(), r.name(), r.filter(), r.interest(), r.action(), r.stop(), r.text(), r.by(),
                    was.tally()));
        }
        for (List<Rule> left : byText.values()) {
            for (Rule r : left) {
                if (r.tally().applied.get() > 0 || r.tally().skipped.get() > 0) {
                    retired.add(r);
                }
            }
        }
        return List.copyOf(out);
    }

    private static String count(int n) {
        return n + (n == 1 ? " rule" : " rules");
    }

    /** The rules in force, in file order. */
    List<Rule> rules() {
        return current.rules();
    }

    @Override
    public List<String> summary() {
        List<String> lines = new ArrayList<>();
        for (Rule r : current.rules()) {
            String l = r.summaryLine("");
            if (l != null) {
                lines.add(l);
            }
        }
        synchronized (retired) {
            for (Rule r : retired) {
                lines.add(r.summaryLine(", until a reload changed it"));
            }
        }
        if (lines.isEmpty()) {
            lines.add("rules " + file + ": no rule applied");
        }
        return lines;
    }

    @Override
    public String describe() {
        return "rules " + file + " (" + count(current.rules().size()) + ")";
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}

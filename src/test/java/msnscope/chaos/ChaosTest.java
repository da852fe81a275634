package msnscope.chaos;

import msnscope.capture.CaptureStore;
import msnscope.wire.Clock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The issue's chaos run: a real {@code msnscope proxy --data DIR --quiet} under chat load, and in turn
 * (a) kill -9 and a restart on the same store, (e) a hostile peer while the load runs, (b) SIGTERM under
 * load, (c) a flipped byte in the middle of one finished session's capture file and in the magic of
 * another, (d) a truncated index file, a restart on that store, load, SIGTERM. Then, through the commands
 * a user has ({@code sessions}, {@code export --format jsonl}, {@code search --format jsonl}, {@code
 * reindex}): every frame either peer received is in the store, except the one damaged record (the file
 * whose magic was damaged is read whole, and reported); every connection since the kill has its close
 * record; and {@code reindex} after another truncated index file gives the same search results as the
 * index the proxy kept. Everything that goes wrong is collected and reported together ({@link Findings}).
 */
@Tag("chaos")
class ChaosTest {

    /** Queries whose results the live index and the rebuilt one must agree on. */
    private static final List<String> QUERIES = List.of(StoreCommands.ALL_FRAMES, "cmd:MSG", "cmd:ACK", "message", "cmd:USR OR cmd:XFR OR cmd:RNG");
    private static final Pattern EXCEPTION = Pattern.compile("\\b[A-Za-z]+(Exception|Error)\\b");

    @TempDir
    Path dir;

    private final Findings findings = new Findings();
    /** Frames (ledger keys) the deliberate damage may cost: the flipped record. */
    private final Map<String, Integer> allowed = new HashMap<>();
    private final Set<String> damaged = new LinkedHashSet<>();
    private String magicDamaged;
    /** Connections opened after this must all have close records (kill -9 cannot close the earlier ones). */
    private long sinceKill;
    /** What reindex and the proxies printed: where damaged files may be reported. */
    private String reindexOut = "";
    private String proxyStderr = "";

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void chatSurvivesKillTermDamageAndAHostilePeerWithEveryReceivedFrameFindableAndReindexable() throws Exception {
        FrameLedger received = runUnderChaos();
        System.out.println("chaos: " + received.total() + " frames received by peers");
        StoreCommands cli = new StoreCommands(dir, findings);
        checkEveryReceivedFrameIsStored(cli, received);
        checkReindexReproducesTheSearches(cli, received);
        checkDamageIsReportedWithoutExceptionNames(cli);
        findings.assertNone();
    }

    /** Runs the proxy under load through (a), (e), (b), (c), (d) and a last run; returns what the peers received. */
    private FrameLedger runUnderChaos() throws Exception {
        try (ChaosRun run = new ChaosRun(dir, findings, 512, 5, "--max-payload", "4096")) {
            if (!run.startProxy("first start")) {
                findings.assertNone();
            }
            run.load.start(3);
            run.awaitLoad(100, "run 1");
            // (a)
            run.kill();
            sinceKill = Clock.nowMicros();
            run.startProxy("restart on the store after kill -9");
            run.awaitLoad(100, "run 2, after the restart");
            // (e)
            HostilePeer.attack(run.load, 12 * 1024).forEach(findings::add);
            run.awaitLoad(50, "run 2, after the hostile peer");
            // (b)
            run.terminate("run 2");
            // (c) and (d), between runs
            damage(new CaptureStore(dir));
            if (run.startProxy("restart on a store with a damaged capture file and a truncated index file")) {
                run.awaitLoad(100, "run 3");
                run.terminate("run 3");
            }
            FrameLedger received = run.received();
            proxyStderr = run.proxyStderr();
            return received;
        }
    }

    /** Flips a byte inside a record of the largest session file and the magic of the next largest; truncates an index file. */
    private void damage(CaptureStore store) throws Exception {
        List<String> bySize = new ArrayList<>(store.sessions());
        bySize.sort((a, b) -> Long.compare(size(store.file(b)), size(store.file(a))));
        String middle = bySize.get(0);
        RecordedFrames.Hit hit = StoreDamage.flipMiddleRecord(store.file(middle));
        allowed.merge(hit.key(), 1, Integer::sum);
        // A flipped magic costs nothing: the reader skips the 8 bytes and reads every record after them.
        magicDamaged = bySize.get(1);
        StoreDamage.flip(store.file(magicDamaged), 0);
        damaged.add(middle);
        damaged.add(magicDamaged);
        Path truncated = StoreDamage.truncateLargestIndexFile(store.indexDir());
        System.out.println("chaos: flipped a byte of " + middle + " in '" + hit.line() + "', the magic of " + magicDamaged
                + ", truncated index/" + truncated.getFileName());
    }

    /** sessions lists every readable session; export and search hold every frame a peer received; every close is recorded. */
    private void checkEveryReceivedFrameIsStored(StoreCommands cli, FrameLedger received) {
        CaptureStore store = new CaptureStore(dir);
        List<String> readable = store.sessions().stream().filter(s -> hasFrames(store, s)).toList();
        List<String> listed = cli.sessions();
        List<String> unlisted = readable.stream().filter(s -> !listed.contains(s)).toList();
        findings.check(cli.lastFailed() || unlisted.isEmpty(), "sessions does not list " + unlisted.size() + " of " + readable.size()
                + " sessions whose capture files hold frames: " + unlisted);
        report(received, FrameLedger.stored(cli.export(readable)), "export --format jsonl");
        cli.runOrRefuse("export", magicDamaged, "--format", "jsonl");
        List<Map<String, Object>> indexed = cli.search(StoreCommands.ALL_FRAMES);
        if (!cli.lastFailed()) {
            report(received, FrameLedger.stored(indexed), "search --format jsonl '" + StoreCommands.ALL_FRAMES + "' (the proxy's index)");
        }
        try {
            List<String> unclosed = CloseRecords.unclosed(store, sinceKill, damaged);
            findings.check(unclosed.isEmpty(), unclosed.size() + " connections opened after the kill -9 have no close record after SIGTERM: "
                    + unclosed);
        } catch (Exception e) {
            findings.add("reading the close records: " + e);
        }
    }

    /** After another truncated index file, reindex gives the proxy's search results again, and they hold every received frame. */
    private void checkReindexReproducesTheSearches(StoreCommands cli, FrameLedger received) throws Exception {
        Map<String, List<String>> live = results(cli);
        StoreDamage.truncateLargestIndexFile(dir.resolve("index"));
        reindexOut = cli.run("reindex").out();
        Map<String, List<String>> rebuilt = results(cli);
        for (String q : QUERIES) {
            findings.check(live.get(q).equals(rebuilt.get(q)), "reindex after a truncated index file: search '" + q + "' found "
                    + live.get(q).size() + " frames in the proxy's index and " + rebuilt.get(q).size() + " after reindex"
                    + firstDifference(live.get(q), rebuilt.get(q)));
        }
        List<Map<String, Object>> reindexed = cli.search(StoreCommands.ALL_FRAMES);
        if (!cli.lastFailed()) {
            report(received, FrameLedger.stored(reindexed), "search '" + StoreCommands.ALL_FRAMES + "' after reindex");
        }
    }

    /** Each damaged file is named by the proxy or a command; no command shows a Java exception name. */
    private void checkDamageIsReportedWithoutExceptionNames(StoreCommands cli) {
        String errors = cli.stderr();
        String reports = errors + reindexOut + proxyStderr;
        for (String s : damaged) {
            findings.check(Pattern.compile("\\b" + s + "\\b").matcher(reports).find(), "neither the proxy nor a command reported the damage to "
                    + s + " (capture/" + s + ".msncap) on standard error or in reindex's output");
        }
        proxyStderr.lines().filter(l -> EXCEPTION.matcher(l).find()).findFirst()
                .ifPresent(l -> System.out.println("chaos (not asserted): a proxy's standard error names a Java exception: " + l.strip()));
        errors.lines().filter(l -> EXCEPTION.matcher(l).find()).findFirst()
                .ifPresent(l -> findings.add("a Java exception name reached the user: " + l.strip()));
    }

    private void report(FrameLedger received, FrameLedger stored, String where) {
        Map<String, Integer> missing = received.missingFrom(stored, allowed);
        findings.check(missing.isEmpty(), FrameLedger.describe(missing, received.total(), where));
    }

    /** Per query: the frames found outside the damaged sessions, as sorted {@code s3/c2#7 LINE}. */
    private Map<String, List<String>> results(StoreCommands cli) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String q : QUERIES) {
            out.put(q, cli.search(q).stream().filter(f -> !damaged.contains(String.valueOf(f.get("session"))))
                    .map(f -> f.get("session") + "/" + f.get("stream") + "#" + f.get("seq") + " " + f.get("raw")).sorted().toList());
        }
        return out;
    }

    private static String firstDifference(List<String> a, List<String> b) {
        Set<String> onlyA = new LinkedHashSet<>(a);
        b.forEach(onlyA::remove);
        Set<String> onlyB = new LinkedHashSet<>(b);
        a.forEach(onlyB::remove);
        return (onlyA.isEmpty() ? "" : "; only before: " + onlyA.iterator().next()) + (onlyB.isEmpty() ? "" : "; only after: " + onlyB.iterator().next());
    }

    /** A kill can leave a session file without a frame (even without its magic): nothing there to list or export. */
    private static boolean hasFrames(CaptureStore store, String session) {
        try {
            return !RecordedFrames.read(store.file(session)).isEmpty();
        } catch (Exception e) {
            return true;
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}

package msnscope.intercept;

import msnscope.dissect.Dissection;
import msnscope.support.Conversation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rules file rewritten on disk while the proxy runs. */
class RulesReloadTest {

    @TempDir
    Path dir;

    private static final String DROP_QNG = "- match: 'cmd:QNG AND dir:S2C'\n  drop: true\n";
    private static final String DELAY_JOI = "- match: 'cmd:JOI'\n  delay: 3s\n";

    private static Dissection qng() {
        Conversation c = Conversation.negotiated(11);
        c.client("PNG");
        return c.server("QNG 60");
    }

    private static Verdict run(Rules r, Dissection d) throws Exception {
        return r.intercept(d, "c1").toCompletableFuture().get();
    }

    @Test
    void aGoodNewFileReplacesTheRulesWithOneLine() throws Exception {
        RulesFixture fx = new RulesFixture(dir).write(DROP_QNG);
        try (Rules r = fx.load()) {
            assertTrue(run(r, qng()).drop());
            fx.write(DELAY_JOI + "- match: 'cmd:QNG'\n  delay: 250ms\n");
            r.reloadIfChanged();
            assertEquals(List.of("rules reloaded: 2 rules"), fx.notices);
            Verdict v = run(r, qng());
            assertEquals(250, v.delayMillis());
            assertTrue(!v.drop());
            assertEquals(new Interest(java.util.Set.of("JOI", "QNG"), java.util.Set.of("JOI", "QNG")), r.interest());
            r.reloadIfChanged();
            assertEquals(1, fx.notices.size(), "an unchanged file is not read again");
        }
    }

    @Test
    void aBadNewFileKeepsTheOldRulesAndSaysWhyOnce() throws Exception {
        RulesFixture fx = new RulesFixture(dir).write(DROP_QNG);
        try (Rules r = fx.load()) {
            fx.write(DROP_QNG + "- match: 'cmd:JOI'\n  delay: soon\n");
            r.reloadIfChanged();
            r.reloadIfChanged();
            assertEquals(List.of("rules not reloaded, keeping the 1 rule loaded before: " + fx.file
                    + " rule 2 (match 'cmd:JOI'): delay must be a duration like 3s or 250ms (ms, s or m; at most 1 hour), not \"soon\""), fx.notices);
            assertTrue(run(r, qng()).drop(), "the old rule still drops");
            fx.write(DROP_QNG + DELAY_JOI);
            r.reloadIfChanged();
            assertEquals("rules reloaded: 2 rules", fx.notices.get(1));
        }
    }

    @Test
    void aFileHalfWrittenOrDeletedKeepsTheOldRules() throws Exception {
        RulesFixture fx = new RulesFixture(dir).write(DROP_QNG);
        try (Rules r = fx.load()) {
            fx.write("");
            r.reloadIfChanged();
            Files.delete(fx.file);
            r.reloadIfChanged();
            assertEquals(2, fx.notices.size(), fx.notices.toString());
            assertTrue(fx.notices.get(0).startsWith("rules not reloaded, keeping the 1 rule loaded before: " + fx.file + ": is empty"));
            assertEquals("rules not reloaded, keeping the 1 rule loaded before: " + fx.file + ": no such file", fx.notices.get(1));
            assertTrue(run(r, qng()).drop());
        }
    }

    @Test
    void aChangeOfTheSameSizeIsSeenByItsModificationTime() throws Exception {
        RulesFixture fx = new RulesFixture(dir).write("- match: 'cmd:QNG'\n  delay: 1s\n");
        try (Rules r = fx.load()) {
            FileTime before = Files.getLastModifiedTime(fx.file);
            fx.write("- match: 'cmd:QNG'\n  delay: 2s\n");
            Files.setLastModifiedTime(fx.file, FileTime.fromMillis(before.toMillis() + 2000));
            r.reloadIfChanged();
            assertEquals(2000, run(r, qng()).delayMillis());
        }
    }

    @Test
    void countsSurviveAReloadOnlyForRulesWhoseTextIsUnchanged() throws Exception {
        RulesFixture fx = new RulesFixture(dir).write(DROP_QNG + "- match: 'cmd:QNG'\n  inject: {to: server, line: 'PNG'}\n");
        try (Rules r = fx.load()) {
            run(r, qng());
            run(r, qng());
            // The drop moves to second place, reformatted but the same rule; the inject is changed.
            fx.write("""
                    - match: 'cmd:QNG'
                      inject: {to: server, line: 'PNG', position: before}
                    - drop: true      # the same rule, written differently
                      match: "cmd:QNG AND dir:S2C"
                    """);
            r.reloadIfChanged();
            run(r, qng());
            assertEquals(List.of(
                    "rule 1 (cmd:QNG -> inject to server before 'PNG'): 1 frame",
                    "rule 2 (cmd:QNG AND dir:S2C -> drop): 3 frames",
                    "rule 2 (cmd:QNG -> inject to server 'PNG'), until a reload changed it: 2 frames"), r.summary());
        }
    }

    @Test
    void theWatcherReloadsAChangedFileOnItsOwn() throws Exception {
        RulesFixture fx = new RulesFixture(dir).write(DROP_QNG);
        try (Rules r = Rules.load(fx.file, fx.notices::add)) {
            fx.write(DROP_QNG + DELAY_JOI);
            long until = System.nanoTime() + 10_000_000_000L;
            while (fx.notices.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertEquals(List.of("rules reloaded: 2 rules"), fx.notices);
            assertEquals("rules " + fx.file + " (2 rules)", r.describe());
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("msnscope-rules-watch"))
                .noneMatch(Thread::isAlive) || waitGone(), "close stops the watcher");
    }

    private static boolean waitGone() throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("msnscope-rules-watch") && t.isAlive())) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}

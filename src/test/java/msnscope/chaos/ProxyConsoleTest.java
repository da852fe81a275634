package msnscope.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.export.FrameJson;
import msnscope.proxy.MsnWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy console as a user sees it (issue 11, item 10): the real {@code msnscope proxy} as a child JVM
 * in front of the scripted world, chat through it, SIGTERM, and its standard output and standard error
 * as a terminal would show them. Each event is printed once, the console's lines are in time order across
 * connections, its times are UTC whatever the machine's zone, the banner says whether and where it
 * records, and the exit line says what it relayed and recorded.
 */
class ProxyConsoleTest {

    /** A console line: time, role, connection, account, arrow or {@code ==}, the rest. */
    private static final Pattern LINE = Pattern.compile(
            "(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z)  (DS/NS|DS|NS|SB) (s\\d+/c\\d+)( \\S+)?  (==|C->S|S->C)  (.+)");
    private static final Pattern STOPPED = Pattern.compile(
            "msnscope proxy: stopped: (\\d+) connections, (\\d+) frames; recorded (\\d+) frames to (.+) as (s\\d+)-(s\\d+)");
    /** Twelve hours and three quarters from UTC: a console in local time cannot match the store's UTC times by chance. */
    private static final String ZONE = "Pacific/Chatham";
    private static final DateTimeFormatter UTC_CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** What one run printed. */
    private record Run(Integer exit, List<String> out, List<String> err) {
    }

    private Run run(int pairs, long messages, String... args) throws Exception {
        try (MsnWorld world = new MsnWorld(); ProxyProcess p = ProxyProcess.console(dir, ZONE, world.dsAddress(), args)) {
            try (ChatLoad load = new ChatLoad(p::address, "", 64, 0)) {
                load.start(pairs);
                assertTrue(load.awaitMore(messages, 30_000), "chat through the proxy: " + load.anomalies());
            }
            Quiet.settle(world);
            p.terminate();
            Integer exit = p.awaitExit(30);
            p.close();
            return new Run(exit, p.stdout().lines().toList(), p.stderr().lines().toList());
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void textConsolePrintsEachEventOnceInUtcTimeOrderAndStandardErrorTheBannerAndTheExitLine() throws Exception {
        Path data = dir.resolve("data");
        Run r = run(3, 150, "--data", data.toString(), "--color", "never");
        assertEquals(143, r.exit(), "ended by SIGTERM (128 + 15), after its shutdown path: " + r.err());

        // Standard error: the banner once, whether and where it records, the stop, the exit line; nothing twice.
        assertEquals(4, r.err().size(), "banner (2 lines), stopping, stopped; no log line repeating the console: " + r.err());
        assertTrue(r.err().get(0).matches("msnscope proxy: listening on 127\\.0\\.0\\.1:\\d+, upstream .*\\(Ctrl-C to stop\\)"), r.err().get(0));
        assertEquals("msnscope proxy: recording to " + data + " (session ids continue from s1); times are UTC", r.err().get(1));
        assertTrue(r.err().get(2).matches("msnscope proxy: stopping \\(\\d+ connections? open\\)"), r.err().get(2));
        Matcher stopped = STOPPED.matcher(r.err().get(3));
        assertTrue(stopped.matches(), r.err().get(3));

        // Standard output: every line a console line, each connection opened once and closed once, in time order.
        Map<String, List<String>> events = new HashMap<>();
        List<String> frameTimes = new ArrayList<>();
        String previous = null;
        for (String line : r.out()) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "not a console line: " + line);
            assertTrue(previous == null || !before(m.group(1), previous), "out of time order: " + line + " after a line at " + previous);
            previous = m.group(1);
            if (m.group(5).equals("==")) {
                events.computeIfAbsent(m.group(3), c -> new ArrayList<>()).add(m.group(6).startsWith("closed: ") ? "closed" : "opened");
            } else {
                frameTimes.add(m.group(1));
            }
        }
        assertEquals(Long.parseLong(stopped.group(1)), events.size(), "one open line per connection relayed");
        events.forEach((conn, e) -> assertEquals(List.of("opened", "closed"), e, conn + ": opened once, then closed once"));
        assertEquals(Long.parseLong(stopped.group(2)), frameTimes.size(), "one line per frame relayed");
        assertEquals(stopped.group(2), stopped.group(3), "every frame relayed was recorded");

        // The exit line names the sessions the store has, and the console's times are the store's (UTC).
        CaptureStore store = new CaptureStore(data);
        List<String> sessions = store.sessions();
        assertEquals(data.toString(), stopped.group(4));
        assertEquals(sessions.get(0), stopped.group(5));
        assertEquals(sessions.get(sessions.size() - 1), stopped.group(6));
        for (String id : events.keySet()) {
            String[] sc = id.split("/");
            assertTrue(store.records(sc[0]).stream().anyMatch(rec -> rec instanceof CaptureRecord.ConnectionOpened o && o.connection().equals(sc[1])),
                    "the console's " + id + " is the store's: show " + id + " opens it");
        }
        long first = Long.MAX_VALUE;
        for (String s : sessions) {
            for (CaptureRecord rec : store.records(s)) {
                if (rec instanceof CaptureRecord.FrameRecord f && f.timeMicros() != null) {
                    first = Math.min(first, f.timeMicros());
                }
            }
        }
        assertEquals(UTC_CLOCK.format(Instant.ofEpochSecond(first / 1_000_000, first % 1_000_000 * 1000)), frameTimes.get(0),
                "the console's first frame is the store's first, in UTC (the proxy ran in " + ZONE + ")");
    }

    /** {@code a} is earlier than {@code b} (clock times of one short run, which may pass midnight). */
    private static boolean before(String a, String b) {
        long day = 86_400_000;
        long diff = Math.floorMod(millisOfDay(b) - millisOfDay(a), day);
        return diff != 0 && diff < day / 2;
    }

    private static long millisOfDay(String clock) {
        return java.time.LocalTime.parse(clock.substring(0, clock.length() - 1)).toNanoOfDay() / 1_000_000;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void jsonlStandardOutputIsPureJsonLinesAndTheBannerSaysItDoesNotRecord() throws Exception {
        Run r = run(1, 5, "--format", "jsonl");
        assertEquals(143, r.exit(), "ended by SIGTERM (128 + 15), after its shutdown path: " + r.err());
        assertFalse(r.out().isEmpty());
        for (String line : r.out()) {
            JsonNode n = FrameJson.MAPPER.readTree(line);
            assertTrue(n.isObject() && n.has("conn") && n.has("raw"), "a frame object: " + line);
            assertTrue(n.get("time").asText().endsWith("Z"), line);
        }
        assertTrue(r.err().contains("msnscope proxy: not recording (add --data DIR to keep the traffic for show, search and export); "
                + "times are UTC"), r.err().toString());
        List<String> connectionLines = r.err().stream().filter(l -> LINE.matcher(l).matches()).toList();
        long opened = connectionLines.stream().filter(l -> l.contains("  ==  127.0.0.1:")).count();
        long closed = connectionLines.stream().filter(l -> l.contains("  ==  closed: ")).count();
        assertEquals(connectionLines.size(), opened + closed, "only connection events join standard error: " + connectionLines);
        assertEquals(opened, closed, connectionLines.toString());
        String last = r.err().get(r.err().size() - 1);
        assertEquals("msnscope proxy: stopped: " + opened + " connections, " + r.out().size() + " frames; not recorded", last);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void filterPrintsOnlyMatchingFramesAndEveryConnectionLineWhileTheCaptureRecordsEveryFrame() throws Exception {
        Path data = dir.resolve("data");
        Run r = run(1, 10, "--filter", "cmd:MSG", "--data", data.toString(), "--color", "never");
        assertEquals(143, r.exit(), "ended by SIGTERM (128 + 15), after its shutdown path: " + r.err());
        Matcher stopped = STOPPED.matcher(r.err().get(r.err().size() - 1));
        assertTrue(stopped.matches(), r.err().toString());
        Map<String, List<String>> events = new HashMap<>();
        int shown = 0;
        for (String line : r.out()) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "not a console line: " + line);
            if (m.group(5).equals("==")) {
                events.computeIfAbsent(m.group(3), c -> new ArrayList<>()).add(m.group(6).startsWith("closed: ") ? "closed" : "opened");
            } else {
                assertTrue(m.group(6).startsWith("MSG "), "only MSG frames are printed: " + line);
                shown++;
            }
        }
        assertEquals(Long.parseLong(stopped.group(1)), events.size(), "every connection's lines are printed");
        events.forEach((conn, e) -> assertEquals(List.of("opened", "closed"), e, conn + ": opened once, then closed once"));
        long relayed = Long.parseLong(stopped.group(2));
        assertEquals(relayed, Long.parseLong(stopped.group(3)), "every frame relayed was recorded, shown or not");
        assertTrue(shown > 0 && shown < relayed, shown + " MSG lines of " + relayed + " frames");

        CaptureStore store = new CaptureStore(data);
        long recorded = 0;
        long messages = 0;
        for (String s : store.sessions()) {
            for (CaptureRecord rec : store.records(s)) {
                if (rec instanceof CaptureRecord.FrameRecord f) {
                    recorded++;
                    messages += f.frame().line().startsWith("MSG ") ? 1 : 0;
                }
            }
        }
        assertEquals(relayed, recorded, "the capture holds every frame, not only the ones the filter printed");
        assertEquals(messages, shown, "the console printed every MSG the capture holds");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void jsonlFilterPrintsOnlyMatchingFrameObjects() throws Exception {
        Run r = run(1, 5, "--format", "jsonl", "--filter", "cmd:msg AND dir:s2c");
        assertEquals(143, r.exit(), "ended by SIGTERM (128 + 15), after its shutdown path: " + r.err());
        assertFalse(r.out().isEmpty());
        for (String line : r.out()) {
            JsonNode n = FrameJson.MAPPER.readTree(line);
            assertEquals("MSG", n.get("cmd").asText(), line);
            assertEquals("S2C", n.get("dir").asText(), line);
        }
        assertTrue(r.err().stream().anyMatch(l -> l.contains("  ==  closed: ")), "connection lines still go to standard error");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void quietPrintsOnlyConnectionEventsAndStillKnowsWhoseTheyAre() throws Exception {
        Run r = run(1, 5, "--quiet", "--data", dir.resolve("data").toString(), "--color", "never");
        assertEquals(143, r.exit(), "ended by SIGTERM (128 + 15), after its shutdown path: " + r.err());
        assertFalse(r.out().isEmpty());
        for (String line : r.out()) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches() && m.group(5).equals("=="), "no command lines with --quiet: " + line);
            if (m.group(6).startsWith("closed: ")) {
                assertNotNull(m.group(4), "the login frames the proxy dissects anyway name the account: " + line);
            }
        }
        assertTrue(r.err().get(r.err().size() - 1).startsWith("msnscope proxy: stopped: " + r.out().size() / 2 + " connections, "),
                r.err().toString());
    }

    /**
     * {@code proxy --rules}: the banner names the rules, every frame a rule changed is marked on the console and
     * recorded as edited, and the exit lines count each rule, all as the real command prints them.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void rulesAreNamedInTheBannerMarkedOnTheConsoleRecordedAndCountedOnExit() throws Exception {
        Path rules = dir.resolve("rules.yaml");
        java.nio.file.Files.writeString(rules, "- name: slow sender\n  match: 'cmd:MSG AND dir:C2S'\n  delay: 1ms\n");
        Path data = dir.resolve("data");
        Run r = run(1, 10, "--rules", rules.toString(), "--data", data.toString(), "--color", "never");
        assertEquals(143, r.exit(), "ended by SIGTERM (128 + 15), after its shutdown path: " + r.err());
        assertTrue(r.err().contains("msnscope proxy: changing traffic by rules " + rules + " (1 rule)"), r.err().toString());
        long marked = r.out().stream().filter(l -> l.contains("C->S  MSG ") && l.contains("[edited by slow sender: delay]")).count();
        long unmarked = r.out().stream().filter(l -> l.contains("C->S  MSG ") && !l.contains("[edited by slow sender: delay]")).count();
        assertTrue(marked > 0, r.out().toString());
        assertEquals(0, unmarked, "every client MSG went through the rule");
        String counted = r.err().stream().filter(l -> l.startsWith("msnscope proxy: rule 1 'slow sender'")).findFirst().orElse("");
        assertEquals("msnscope proxy: rule 1 'slow sender' (cmd:MSG AND dir:C2S -> delay 1ms): " + marked + " frames", counted,
                r.err().toString());

        long edited = 0;
        CaptureStore store = new CaptureStore(data);
        for (String s : store.sessions()) {
            for (CaptureRecord rec : store.records(s)) {
                if (rec instanceof CaptureRecord.FrameRecord f && f.edit() != null) {
                    assertEquals(new msnscope.wire.Edit("slow sender", "delay", false), f.edit());
                    edited++;
                }
            }
        }
        assertEquals(marked, edited, "the capture holds each edit the console showed");
    }
}

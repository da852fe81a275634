package msnscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.export.FrameJson;
import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dissect --filter QUERY} (issue 12): the search language selecting frames of files, agreeing with {@code search}. */
class FilterCliTest {

    @TempDir
    Path dir;

    /** Queries covering every kind of clause: keywords in any case, words, phrases, ranges, dates, wildcards, regexps, fuzzy terms, NOT. */
    private static final List<String> QUERIES = List.of("*:*", "cmd:MSG", "dir:s2c AND role:NS", "CMD:usr OR cmd:ver",
            "account:alice@example.com", "peer:bob@example.com", "hello", "summary:switchboard", "trid:[5 TO 9]",
            "length:[100 TO *]", "version:12", "warning:unanswered", "error:911", "error:err_*", "cmd:MSG AND NOT dir:C2S",
            "NOT cmd:MSG", "* AND NOT cmd:MSG", "text:hel*", "line:/us[rn]/", "content-type:\"text/plain\"", "cmd:U*",
            "time:2026-11-25", "latency:[1ms TO *]", "\"initial profile\"", "line:\"bob example com\"", "helo~1");

    /** Every capture in captures/: the pcaps and the transcripts. */
    private static List<String> captures() throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Captures.DIR)) {
            files.filter(p -> p.toString().endsWith(".pcap")).sorted().forEach(p -> out.add(p.toString()));
        }
        Captures.transcripts().forEach(p -> out.add(p.toString()));
        return out;
    }

    /**
     * A frame by what it is, not where a store files it: import splits a capture into sessions per login and
     * numbers its connections anew, so session and stream differ; the rest of the contract does not.
     */
    private static List<String> frames(String jsonl) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : jsonl.split("\n")) {
            if (!l.isBlank()) {
                JsonNode n = FrameJson.MAPPER.readTree(l);
                out.add(String.join("|", n.get("time").asText(), n.get("dir").asText(), n.get("role").asText(), n.get("version").asText(),
                        n.get("seq").asText(), n.get("raw").asText(), n.get("payload").asText(), n.get("warnings").toString()));
            }
        }
        out.sort(null);
        return out;
    }

    @Test
    void dissectFilterShowsExactlyTheFramesSearchFindsForTheSameQuery() throws Exception {
        List<String> files = captures();
        String data = dir.resolve("store").toString();
        List<String> importArgs = new ArrayList<>(List.of("import"));
        importArgs.addAll(files);
        importArgs.addAll(List.of("--data", data, "--no-progress"));
        CliRunner imported = CliRunner.run(importArgs.toArray(String[]::new));
        assertEquals(Main.OK, imported.code(), imported.err());
        int total = -1;
        for (String q : QUERIES) {
            List<String> args = new ArrayList<>(List.of("dissect", "--filter", q, "--format", "jsonl"));
            args.addAll(files);
            CliRunner filtered = CliRunner.run(args.toArray(String[]::new));
            assertEquals(Main.OK, filtered.code(), q + ": " + filtered.err());
            CliRunner searched = CliRunner.run("search", q, "--all", "--format", "jsonl", "--data", data);
            assertEquals(Main.OK, searched.code(), q + ": " + searched.err());
            List<String> shown = frames(filtered.out());
            assertEquals(frames(searched.out()), shown, q + ": dissect --filter and search select the same frames");
            if (q.equals("*:*")) {
                total = shown.size();
                assertTrue(total > 700, "every frame of the captures: " + total);
            } else if (q.equals("NOT cmd:MSG")) {
                assertTrue(shown.isEmpty(), "a query of only NOT clauses matches nothing, in search as in the filter");
            } else {
                assertTrue(!shown.isEmpty() && shown.size() < total, q + " selects some frames, not all: " + shown.size());
            }
        }
    }

    @Test
    void everyFormatShowsOnlyMatchingFramesAndLeavesOutConnectionsWithoutOne() throws Exception {
        String chat = Captures.DIR.resolve("msnp11-chat.txt").toString();
        String all = CliRunner.run("dissect", chat, "--color", "never").out();
        CliRunner text = CliRunner.run("dissect", chat, "--filter", "cmd:msg AND dir:S2C", "--color", "never");
        assertEquals(Main.OK, text.code(), text.err());
        List<String> headers = text.out().lines().filter(l -> l.startsWith("== connection ")).toList();
        long allHeaders = all.lines().filter(l -> l.startsWith("== connection ")).count();
        assertFalse(headers.isEmpty());
        assertTrue(headers.size() < allHeaders, "a connection with no matching frame has no header: " + headers);
        for (String h : headers) {
            assertTrue(h.matches(".* · \\d+ of \\d+ frames ==$"), "the header says how many of its frames are shown: " + h);
        }
        List<String> commands = text.out().lines().filter(l -> l.matches(" *\\d+ (C->S|S->C) .*")).toList();
        assertFalse(commands.isEmpty());
        for (String c : commands) {
            assertTrue(c.matches(" *\\d+ S->C  MSG .*"), "only server-to-client MSG frames: " + c);
        }

        CliRunner jsonl = CliRunner.run("dissect", chat, "--filter", "cmd:msg AND dir:S2C", "--format", "jsonl");
        assertEquals(commands.size(), jsonl.out().lines().count(), "the same frames in jsonl as in text");
        for (String l : jsonl.out().lines().toList()) {
            JsonNode n = FrameJson.MAPPER.readTree(l);
            assertEquals("MSG", n.get("cmd").asText(), l);
            assertEquals("S2C", n.get("dir").asText(), l);
        }

        Path transcript = dir.resolve("msg.txt");
        CliRunner t = CliRunner.run("dissect", chat, "--filter", "cmd:msg AND dir:S2C", "--format", "transcript", "-o", transcript.toString());
        assertEquals(Main.OK, t.code(), t.err());
        String written = Files.readString(transcript, StandardCharsets.UTF_8);
        assertEquals(headers.size(), written.lines().filter(l -> l.startsWith("Client opens a connection")).count(),
                "one narration per connection shown: " + written);
        assertEquals(commands.size(), written.lines().filter(l -> l.startsWith("S: MSG ")).count(), written);
        assertFalse(written.lines().anyMatch(l -> l.startsWith("C: ")), "no client frame: " + written);

        CliRunner html = CliRunner.run("dissect", chat, "--filter", "cmd:msg AND dir:S2C", "--format", "html");
        assertEquals(Main.OK, html.code(), html.err());
        java.util.regex.Matcher frame = java.util.regex.Pattern.compile("<[^>]* id=\"c\\d+-\\d+\"").matcher(html.out());
        int onPage = 0;
        while (frame.find()) {
            onPage++;
        }
        assertEquals(commands.size(), onPage, "the page's timeline has the matching frames only");
    }

    @Test
    void filteredFramesAreRedactedLikeAllOthers() throws Exception {
        String chat = Captures.DIR.resolve("msnp11-chat.txt").toString();
        String ticket = CliRunner.run("dissect", chat, "--filter", "cmd:USR AND dir:C2S", "--format", "jsonl").out();
        CliRunner redacted = CliRunner.run("dissect", chat, "--filter", "cmd:USR AND dir:C2S", "--redact", "--format", "jsonl");
        assertEquals(Main.OK, redacted.code(), redacted.err());
        assertEquals(ticket.lines().count(), redacted.out().lines().count(), "the same frames are chosen before and after redaction");
        assertTrue(ticket.contains("t="), "the unredacted USR frames carry the Passport ticket");
        assertFalse(redacted.out().contains(FrameJson.MAPPER.readTree(ticket.lines().filter(l -> l.contains("t=")).findFirst().orElseThrow())
                .get("params").get(3).asText()), "the filtered output hides the ticket like the whole one");
    }

    @Test
    void aBadFilterIsTheSearchCommandsOneLineAndExitTwo() throws Exception {
        Files.createDirectories(dir.resolve("empty").resolve("capture"));
        String chat = Captures.DIR.resolve("msnp11-chat.txt").toString();
        for (String bad : List.of("cmd:(", "nosuchfield:x", "trid:abc", "cmd:MSG AND")) {
            CliRunner search = CliRunner.run("search", bad, "--data", dir.resolve("empty").toString());
            CliRunner dissect = CliRunner.run("dissect", chat, "--filter", bad);
            assertEquals(Main.USAGE, dissect.code(), bad);
            assertEquals("", dissect.out());
            assertEquals(1, dissect.err().lines().count(), dissect.err());
            String why = search.err().strip().substring("msnscope search: ".length());
            assertTrue(why.startsWith("bad query: "), search.err());
            assertEquals("msnscope dissect: --filter: " + why, dissect.err().strip(), "the search command's words for the same mistake");

            CliRunner proxy = CliRunner.run("proxy", "--upstream", "127.0.0.1:1", "--listen", "127.0.0.1:0", "--filter", bad);
            assertEquals(Main.USAGE, proxy.code(), bad);
            assertEquals("msnscope proxy: --filter: " + why, proxy.err().strip(), "refused before listening, in one line");
        }
        CliRunner quiet = CliRunner.run("proxy", "--upstream", "127.0.0.1:1", "--listen", "127.0.0.1:0", "--filter", "cmd:MSG", "--quiet");
        assertEquals(Main.USAGE, quiet.code());
        assertEquals(1, quiet.err().lines().count(), quiet.err());
        assertTrue(quiet.err().contains("--filter and --quiet do not go together"), quiet.err());
    }
}

package msnscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.export.FrameJson;
import msnscope.support.Captures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The store commands as a user runs them: import, sessions, search, show, export, delete, reindex. */
class CaptureCliTest {

    @TempDir
    Path dir;
    String data;

    @BeforeEach
    void importTheCaptures() {
        data = dir.resolve("store").toString();
        CliRunner r = CliRunner.run("import", Captures.DIR.resolve("escargot-msnp12.pcap").toString(),
                Captures.DIR.resolve("msnp11-chat.txt").toString(), "--data", data);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("escargot-msnp12.pcap: 2 sessions (s1, s2)"), r.out());
        assertTrue(r.out().contains("msnp11-chat.txt: 1 session (s3)"), r.out());
    }

    @Test
    void aFileThatIsNotACaptureIsSkippedAndTheOthersAreImported() {
        CliRunner r = CliRunner.run("import", Captures.DIR.resolve("escargot-msnp2.timeline.txt").toString(),
                Captures.DIR.resolve("msnp8-twn.txt").toString(), "--data", data);
        assertEquals(2, r.code(), "something was skipped");
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("msnscope import: skipped ") && r.err().contains("escargot-msnp2.timeline.txt is not a transcript"), r.err());
        assertTrue(r.out().contains("msnp8-twn.txt: 1 session (s4)"), r.out());
        assertEquals(0, CliRunner.run("search", "session:s4 AND cmd:USR", "--data", data).code());
    }

    @Test
    void sessionsListsOneLinePerLoginWithItsTotals() {
        CliRunner r = CliRunner.run("sessions", "--data", data);
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("ID"));
        assertTrue(lines.get(1).matches("s1\\s+alice@example.com\\s+MSNP12\\s+\\S+Z\\s+\\S+Z\\s+2\\s+\\d+\\s+\\d+\\s+0"), lines.get(1));
        assertTrue(lines.get(3).matches("s3\\s+alice@example.com\\s+MSNP11\\s+-\\s+-\\s+3\\s+\\d+\\s+\\d+\\s+\\d+"), lines.get(3));
        CliRunner bob = CliRunner.run("sessions", "account:bob@example.com", "--format", "jsonl", "--data", data);
        assertEquals(0, bob.code(), bob.err());
        assertEquals(1, bob.out().lines().count(), bob.out());
        assertTrue(bob.out().contains("\"session\":\"s2\""));
        assertTrue(bob.out().contains("\"accounts\":[\"bob@example.com\"]"));
    }

    @Test
    void searchFindsCommandsOfOneAccountNewestFirst() throws Exception {
        CliRunner r = CliRunner.run("search", "cmd:xfr AND account:alice@example.com", "--data", data);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("XFR 13 SB 10.0.0.7:1864 CKI"), r.out());
        assertTrue(r.out().contains("matching frames"));
        CliRunner j = CliRunner.run("search", "cmd:MSG", "--format", "jsonl", "--limit", "5", "--data", data);
        assertEquals(0, j.code(), j.err());
        List<String> lines = j.out().lines().toList();
        assertEquals(5, lines.size());
        for (String line : lines) {
            JsonNode n = FrameJson.MAPPER.readTree(line);
            List<String> keys = new ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("session", "stream", "seq", "time", "dir", "role", "version", "cmd", "trid", "params", "raw",
                    "payloadLength", "payload", "payloadBase64", "summary", "fields", "replyTo", "warnings", "rawBase64"), keys.subList(0, 19));
            assertEquals("MSG", n.get("cmd").asText());
            assertTrue(n.has("highlight"));
        }
        CliRunner counts = CliRunner.run("search", "session:s1 OR session:s2", "--count-by", "cmd", "--data", data);
        assertEquals(0, counts.code(), counts.err());
        assertTrue(counts.out().lines().anyMatch(l -> l.matches("\\s+\\d+\\s+MSG")), counts.out());
    }

    @Test
    void aBadQueryIsOneLineOnStandardErrorAndExitCodeTwo() {
        for (String q : List.of("cmd:(", "nosuchfield:x", "trid:[a TO b]")) {
            CliRunner r = CliRunner.run("search", q, "--data", data);
            assertEquals(2, r.code(), q);
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("msnscope search: bad query"), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
            assertEquals("", r.out());
        }
        CliRunner sort = CliRunner.run("search", "cmd:MSG", "--sort", "colour", "--data", data);
        assertEquals(2, sort.code());
        assertEquals(2, CliRunner.run("search", "cmd:MSG", "--count-by", "summary", "--data", data).code());
        assertEquals(2, CliRunner.run("search", "cmd:MSG", "--since", "last tuesday", "--data", data).code());
        assertEquals(2, CliRunner.run("sessions", "--data", dir.resolve("nothing-here").toString()).code());
    }

    @Test
    void showPrintsASessionOrOneConnectionAsATimeline() {
        CliRunner s = CliRunner.run("show", "s1", "--data", data, "--color", "never");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().startsWith("== session s1 · 2 connections"), s.out());
        assertTrue(s.out().contains("client 127.0.0.1:"));
        assertTrue(s.out().contains("Hello Bob!"));
        CliRunner c = CliRunner.run("show", "s3/c2", "--data", data, "--color", "never");
        assertEquals(0, c.code(), c.err());
        assertFalse(c.out().contains("== connection c1"));
        assertTrue(c.out().contains("== connection c2"));
        assertEquals(2, CliRunner.run("show", "s99", "--data", data).code());
        assertEquals(2, CliRunner.run("show", "s1/c9", "--data", data).code());
        assertEquals(2, CliRunner.run("show", "bogus", "--data", data).code());
    }

    @Test
    void deleteRemovesTheSessionFromCaptureAndIndexAndReindexKeepsItGone() {
        assertEquals(0, CliRunner.run("delete", "s2", "--data", data).code());
        assertFalse(Files.exists(Path.of(data, "capture", "s2.msncap")));
        assertFalse(CliRunner.run("sessions", "--data", data).out().contains("bob@example.com"));
        assertTrue(CliRunner.run("search", "session:s2", "--data", data).out().contains("no frames matched"));
        CliRunner re = CliRunner.run("reindex", "--data", data);
        assertEquals(0, re.code(), re.err());
        assertTrue(re.out().startsWith("reindexed 2 sessions"), re.out());
        assertTrue(CliRunner.run("search", "session:s2", "--data", data).out().contains("no frames matched"));
        assertEquals(2, CliRunner.run("delete", "s2", "--data", data).code(), "already gone");
    }

    @Test
    void exportWritesTranscriptTextAndJsonl() throws Exception {
        Path out = dir.resolve("s1.txt");
        CliRunner r = CliRunner.run("export", "s1", "-o", out.toString(), "--data", data);
        assertEquals(0, r.code(), r.err());
        String t = Files.readString(out);
        assertTrue(t.startsWith("Client opens a connection to 127.0.0.1:1863"), t);
        assertTrue(t.contains("@@ time "));
        assertTrue(CliRunner.run("export", "s1", "--format", "text", "--data", data).out().contains("== connection c2"));
        assertEquals(45, CliRunner.run("export", "s1", "--format", "jsonl", "--data", data).out().lines().count());
        assertEquals(2, CliRunner.run("export", "s1", "--format", "pdf", "--data", data).code());
    }

    @Test
    void htmlAndRedactedExportsGoThroughTheSessionExporterAndRedactedTranscriptsStillImport() throws Exception {
        Path html = dir.resolve("login.html");
        CliRunner h = CliRunner.run("export", "s1", "--format", "html", "-o", html.toString(), "--data", data);
        assertEquals(0, h.code(), h.err());
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>") || page.startsWith("<!doctype html>"), page.substring(0, 40));
        assertTrue(page.contains("alice@example.com"));
        Path red = dir.resolve("red.txt");
        CliRunner r = CliRunner.run("export", "s3", "--redact=messages", "-o", red.toString(), "--data", data);
        assertEquals(0, r.code(), r.err());
        String t = Files.readString(red);
        String original = Files.readString(Captures.DIR.resolve("msnp11-chat.txt"));
        String ticket = original.lines().filter(l -> l.startsWith("C: USR 7 TWN S t=")).findFirst().orElseThrow().substring(18, 40);
        assertFalse(t.contains(ticket), "the Passport ticket is gone");
        assertFalse(t.contains("Grüße aus Köln"), "message bodies are gone with =messages");
        CliRunner again = CliRunner.run("import", red.toString(), "--data", data);
        assertEquals(0, again.code(), again.err());
        CliRunner warnings = CliRunner.run("search", "session:s4 AND warning:payload-length-mismatch", "--data", data);
        assertTrue(warnings.out().contains("no frames matched"), "redaction fixed every payload length: " + warnings.out());
    }
}

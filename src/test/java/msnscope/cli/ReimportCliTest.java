package msnscope.cli;

import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Importing msnscope's own output, and the same input twice. */
class ReimportCliTest {

    @TempDir
    Path dir;

    private String store(String name) {
        return dir.resolve(name).toString();
    }

    private static CliRunner ok(CliRunner r) {
        assertEquals(0, r.code(), r.err());
        return r;
    }

    /** Every frame of every session as exported: what a re-import must give back exactly. */
    private static String frames(String data) {
        CliRunner sessions = ok(CliRunner.run("sessions", "--format", "jsonl", "--data", data));
        StringBuilder all = new StringBuilder();
        for (int i = 1; i <= sessions.out().lines().count(); i++) {
            all.append(ok(CliRunner.run("export", "s" + i, "--format", "jsonl", "--data", data)).out()
                    .replaceAll("\"session\":\"s\\d+\",", ""));
        }
        return all.toString();
    }

    @Test
    void reimportingSearchOutputRestoresEachStreamsOrder() throws IOException {
        // Transcripts have no times: only stream and seq can put search's newest-first lines back in order.
        String original = store("original");
        ok(CliRunner.run("import", Captures.DIR.resolve("msnp11-chat.txt").toString(), Captures.DIR.resolve("msnp8-twn.txt").toString(),
                "--data", original));
        CliRunner found = ok(CliRunner.run("search", "dir:c2s OR dir:s2c", "--limit", "100000", "--format", "jsonl", "--data", original));
        Path results = dir.resolve("results.jsonl");
        Files.writeString(results, found.out());

        String copy = store("copy");
        CliRunner r = ok(CliRunner.run("import", results.toString(), "--data", copy));
        assertEquals(results + ": 2 sessions (s1, s2)\n", r.out());
        assertEquals(frames(original), frames(copy));
        assertEquals(ok(CliRunner.run("search", "warning:*", "--count-by", "warning", "--data", original)).out(),
                ok(CliRunner.run("search", "warning:*", "--count-by", "warning", "--data", copy)).out(), "no warning the original did not have");
    }

    @Test
    void shuffledAndOverlappingLinesImportEachFrameOnceInOrder() throws IOException {
        String original = store("original");
        ok(CliRunner.run("import", Captures.DIR.resolve("msnp11-chat.txt").toString(), "--data", original));
        List<String> lines = new ArrayList<>(ok(CliRunner.run("export", "s1", "--format", "jsonl", "--data", original)).out().lines().toList());
        List<String> twice = new ArrayList<>(lines);
        twice.addAll(lines.subList(10, 30)); // two overlapping searches concatenated
        Collections.shuffle(twice, new java.util.Random(11));
        Path mixed = dir.resolve("mixed.jsonl");
        Files.write(mixed, twice);

        String copy = store("copy");
        ok(CliRunner.run("import", mixed.toString(), "--data", copy));
        assertEquals(frames(original), frames(copy));
    }

    @Test
    void aTimeGoingBackwardsInAStreamDoesNotReorderIt() throws IOException {
        String original = store("original");
        ok(CliRunner.run("import", Captures.DIR.resolve("escargot-msnp12.pcap").toString(), "--data", original));
        List<String> edited = new ArrayList<>();
        String earlier = null;
        for (String line : ok(CliRunner.run("export", "s1", "--format", "jsonl", "--data", original)).out().lines().toList()) {
            com.fasterxml.jackson.databind.node.ObjectNode n =
                    (com.fasterxml.jackson.databind.node.ObjectNode) msnscope.export.FrameJson.MAPPER.readTree(line);
            if (n.get("stream").asText().equals("c1") && n.get("seq").asInt() == 4) {
                earlier = java.time.Instant.parse(n.get("time").asText()).minusNanos(1000).toString();
            }
            if (n.get("stream").asText().equals("c1") && n.get("seq").asInt() == 5) {
                n.put("time", earlier); // a clock step back, or a hand edit: seq still says where it belongs
            }
            edited.add(msnscope.export.FrameJson.MAPPER.writeValueAsString(n));
        }
        Path file = dir.resolve("edited.jsonl");
        Files.write(file, edited);
        String copy = store("copy");
        ok(CliRunner.run("import", file.toString(), "--data", copy));
        assertEquals(raws(original), raws(copy));
    }

    /** Each frame's stream, seq and line, in the order export gives them. */
    private static List<String> raws(String data) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : ok(CliRunner.run("export", "s1", "--format", "jsonl", "--data", data)).out().lines().toList()) {
            com.fasterxml.jackson.databind.JsonNode n = msnscope.export.FrameJson.MAPPER.readTree(line);
            out.add(n.get("stream").asText() + " #" + n.get("seq").asInt() + " " + n.get("raw").asText());
        }
        return out;
    }

    @Test
    void importingTheSameFileTwiceSaysSoAndSkipsIt() throws IOException {
        String data = store("store");
        Path chat = Captures.DIR.resolve("msnp11-chat.txt");
        assertEquals(chat + ": 1 session (s1)\n", ok(CliRunner.run("import", chat.toString(), "--data", data)).out());

        CliRunner again = ok(CliRunner.run("import", chat.toString(), "--data", data));
        assertEquals(chat + ": already imported as s1 (same content); skipped (--allow-duplicate imports it again)\n", again.out());
        assertEquals("", again.err());
        Path copy = dir.resolve("renamed.txt");
        Files.copy(chat, copy);
        CliRunner byContent = ok(CliStdin.run(Files.readAllBytes(chat), "import", "-", copy.toString(), "--data", data));
        assertEquals("standard input: already imported as s1 (same content); skipped (--allow-duplicate imports it again)\n"
                + copy + ": already imported as s1 (same content); skipped (--allow-duplicate imports it again)\n", byContent.out());
        assertEquals(1, ok(CliRunner.run("sessions", "--data", data)).out().lines().count() - 1, "still one session");

        CliRunner forced = ok(CliRunner.run("import", chat.toString(), "--allow-duplicate", "--data", data));
        assertEquals(chat + ": 1 session (s2)\n", forced.out());
        assertEquals(chat + ": already imported as s1, s2 (same content); skipped (--allow-duplicate imports it again)\n",
                ok(CliRunner.run("import", chat.toString(), "--data", data)).out());
    }

    @Test
    void aDeletedSessionNoLongerMakesItsFileADuplicate() throws IOException {
        String data = store("store");
        Path pcap = Captures.DIR.resolve("escargot-msnp12.pcap");
        assertEquals(pcap + ": 2 sessions (s1, s2)\n", ok(CliRunner.run("import", pcap.toString(), "--data", data)).out());
        assertTrue(ok(CliRunner.run("import", pcap.toString(), "--data", data)).out().contains("already imported as s1, s2"));
        ok(CliRunner.run("delete", "s2", "--data", data));
        assertTrue(ok(CliRunner.run("import", pcap.toString(), "--data", data)).out().contains("already imported as s1 (same content)"));
        ok(CliRunner.run("delete", "s1", "--data", data));
        // s2 is free again and may be taken by the new import: it is not the old s2
        assertEquals(pcap + ": 2 sessions (s1, s2)\n", ok(CliRunner.run("import", pcap.toString(), "--data", data)).out());
    }
}

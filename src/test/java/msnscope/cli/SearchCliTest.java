package msnscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** {@code msnscope search} as a user runs it, on a real store built by {@code msnscope import}. */
class SearchCliTest {

    @TempDir
    Path dir;

    /** Every capture in captures/ that import reads: the pcaps and the transcripts. */
    private static List<Path> captures() throws Exception {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Captures.DIR)) {
            files.filter(p -> p.toString().endsWith(".pcap")).sorted().forEach(out::add);
        }
        out.addAll(Captures.transcripts());
        return out;
    }

    /** Frames by connection, in seq order; a connection is known by what crossed it (direction and line, frame by frame). */
    private static Map<String, List<JsonNode>> byConnection(List<JsonNode> frames) {
        Map<String, List<JsonNode>> conns = new LinkedHashMap<>();
        for (JsonNode f : frames) {
            conns.computeIfAbsent(f.get("session").asText() + "/" + f.get("stream").asText(), k -> new ArrayList<>()).add(f);
        }
        Map<String, List<JsonNode>> byContent = new LinkedHashMap<>();
        for (List<JsonNode> c : conns.values()) {
            c.sort(java.util.Comparator.comparingInt(f -> f.get("seq").asInt()));
            StringBuilder key = new StringBuilder();
            c.forEach(f -> key.append(f.get("dir").asText()).append(' ').append(f.get("raw").asText()).append('\n'));
            byContent.put(key.toString(), c);
        }
        return byContent;
    }

    @Test
    void searchJsonLinesAreTheDissectContractForTheSameFrames() throws Exception {
        String data = dir.resolve("store").toString();
        List<JsonNode> dissected = new ArrayList<>();
        for (Path capture : captures()) {
            CliRunner imported = CliRunner.run("import", capture.toString(), "--data", data, "--no-progress");
            assertEquals(0, imported.code(), capture + ": " + imported.err());
            CliRunner d = CliRunner.run("dissect", capture.toString(), "--format", "jsonl");
            assertEquals(0, d.code(), capture + ": " + d.err());
            dissected.addAll(CliRunner.jsonLines(d.out()));
        }
        CliRunner search = CliRunner.run("search", "--all", "--format", "jsonl", "--data", data);
        assertEquals(0, search.code(), search.err());
        List<JsonNode> found = CliRunner.jsonLines(search.out());
        assertEquals(dissected.size(), found.size(), "every frame, once");

        Map<String, List<JsonNode>> expected = byConnection(dissected);
        Map<String, List<JsonNode>> actual = byConnection(found);
        assertEquals(expected.keySet(), actual.keySet(), "the same connections");
        int ds = 0;
        for (Map.Entry<String, List<JsonNode>> e : expected.entrySet()) {
            List<JsonNode> mine = actual.get(e.getKey());
            String account = null;
            for (JsonNode f : mine) {
                account = f.get("account").isNull() ? account : f.get("account").asText();
            }
            for (int i = 0; i < e.getValue().size(); i++) {
                JsonNode want = e.getValue().get(i);
                JsonNode got = mine.get(i);
                Iterator<String> keys = want.fieldNames();
                List<String> contract = new ArrayList<>();
                keys.forEachRemaining(contract::add);
                assertEquals(contract, fieldNames(got).subList(0, contract.size()), "the contract's keys first, in order");
                for (String k : contract) {
                    if (!k.equals("session") && !k.equals("stream")) {
                        assertEquals(want.get(k), got.get(k), k + " of " + got.get("connection") + " #" + got.get("seq") + " " + got.get("raw"));
                    }
                }
                if (account != null) {
                    assertFalse(got.get("account").isNull(), "a frame before the login names its account is still the login's: "
                            + got.get("connection") + " #" + got.get("seq") + " " + got.get("raw"));
                }
                ds += "DS".equals(got.get("role").asText()) ? 1 : 0;
            }
        }
        assertTrue(ds > 5, "the captures' dispatch connections are DS from their first frame: " + ds);
        CliRunner byRole = CliRunner.run("search", "--count-by", "role", "--format", "jsonl", "--data", data);
        assertTrue(byRole.out().contains("{\"role\":\"DS\",\"count\":" + ds + "}"), byRole.out());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void noQueryAndMatchAllListEveryFrameAndAllLiftsTheLimit() throws Exception {
        String data = dir.resolve("store").toString();
        assertEquals(0, CliRunner.run("import", Captures.DIR.resolve("escargot-msnp12.pcap").toString(),
                Captures.DIR.resolve("msnp11-chat.txt").toString(), "--data", data, "--no-progress").code());
        CliRunner none = CliRunner.run("search", "--data", data);
        assertEquals(0, none.code(), none.err());
        String footer = none.out().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(footer.matches("20 of \\d+ matching frames \\(--limit N or --all for more\\)"), footer);
        int total = Integer.parseInt(footer.split(" ")[2]);
        for (String q : List.of("*:*", "*", "")) {
            CliRunner r = CliRunner.run("search", q, "--data", data);
            assertEquals(none.out(), r.out(), "'" + q + "' lists what no query lists");
        }
        CliRunner all = CliRunner.run("search", "*:*", "--all", "--data", data);
        assertEquals(0, all.code(), all.err());
        assertTrue(all.out().endsWith(total + " matching frames\n"), all.out().substring(Math.max(0, all.out().length() - 200)));
        CliRunner jsonl = CliRunner.run("search", "--all", "--format", "jsonl", "--data", data);
        assertEquals(total, jsonl.out().lines().count());
        assertEquals(total, jsonl.out().lines().distinct().count(), "no frame twice");

        CliRunner zero = CliRunner.run("search", "cmd:MSG", "--limit", "0", "--data", data);
        assertEquals(2, zero.code());
        assertTrue(zero.err().contains("--all"), zero.err());
        assertEquals(2, CliRunner.run("search", "cmd:MSG", "--limit", "5", "--all", "--data", data).code());
    }

    @Test
    void aBadQueryIsOneLineThatSaysWhereAndWhatWasExpected() throws Exception {
        String data = dir.resolve("store").toString();
        assertEquals(0, CliRunner.run("import", Captures.DIR.resolve("msnp12-errors.txt").toString(), "--data", data, "--no-progress").code());
        for (String q : List.of("\"hello bob", "cmd:MSG AND", "cmd:(MSG", "a )", "content-type:text/plain", "trid:[1 TO", "x\\", "*:bob")) {
            CliRunner r = CliRunner.run("search", q, "--data", data);
            assertEquals(2, r.code(), q);
            assertEquals(1, r.err().lines().count(), q + " -> " + r.err());
            assertTrue(r.err().startsWith("msnscope search: bad query: "), r.err());
            assertFalse(r.err().matches("(?s).*(Lexical|lexical state|Exception|Error:|org\\.apache|<EOF>|Cannot parse).*"), q + " -> " + r.err());
        }
        CliRunner counts = CliRunner.run("search", "error:*", "--count-by", "error", "--data", data);
        assertEquals(0, counts.code(), counts.err());
        long sum = counts.out().lines().filter(l -> !l.contains("frames matched")).mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[0])).sum();
        assertTrue(counts.out().contains(String.format("%8d  frames matched", sum)), "each error frame counted once:\n" + counts.out());
        CliRunner help = CliRunner.run("search", "--help");
        assertTrue(help.out().contains("--all") && help.out().contains("'*:*'"), help.out());
    }
}

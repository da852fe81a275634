package msnscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.capture.CaptureWriter;
import msnscope.capture.ConnectionInfo;
import msnscope.export.FrameJson;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 9, item 1: one value that overflows a long, in a store, must not stop any command. A transcript with
 * the hostile frames is imported; every store command then runs, exits 0 and shows those frames with their
 * {@code bad-parameter} warnings.
 */
class HostileNumbersCliTest {

    private static final String TRANSCRIPT = """
            Client opens a connection to 10.0.0.5:1863 (notification server)

            C: VER 99999999999999999999 MSNP11 CVR0
            S: VER 99999999999999999999 MSNP11
            C: CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0777 MSMSGS alice@example.com
            S: CVR 2 7.0.0816 7.0.0816 7.0.0777 http://example.com http://example.com
            C: USR 3 TWN I alice@example.com
            S: USR 3 OK alice@example.com 1 0
            C: CHG 5 NLN 9999999999999999999
            S: CHG 5 NLN 9999999999999999999
            C: UUX 6 99999999999999999999
            C: PNG
            S: QNG 99999999999999999999
            C: CHG 7 NLN 0
            S: CHG 7 NLN 0
            """;

    @TempDir
    Path dir;
    String data;

    @BeforeEach
    void importTheHostileFrames() throws Exception {
        data = dir.resolve("store").toString();
        Path t = dir.resolve("hostile.txt");
        Files.writeString(t, TRANSCRIPT, StandardCharsets.UTF_8);
        CliRunner r = CliRunner.run("import", t.toString(), "--data", data);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("hostile.txt: 1 session (s1)"), r.out());
    }

    private static void ok(CliRunner r) {
        assertEquals(0, r.code(), r.err());
        assertFalse((r.out() + r.err()).contains("Exception"), r.out() + r.err());
    }

    @Test
    void everyStoreCommandGoesOnAndShowsTheFrameWithItsWarning() throws Exception {
        CliRunner sessions = CliRunner.run("sessions", "--data", data);
        ok(sessions);
        assertTrue(sessions.out().lines().anyMatch(l -> l.matches("s1\\s+alice@example.com\\s+MSNP11\\s.*\\s13\\s+\\d+\\s+0")), sessions.out());

        CliRunner search = CliRunner.run("search", "warning:bad-parameter", "--format", "jsonl", "--limit", "100", "--data", data);
        ok(search);
        List<JsonNode> hits = search.out().lines().map(HostileNumbersCliTest::json).toList();
        assertEquals(List.of("CHG 5 NLN 9999999999999999999", "CHG 5 NLN 9999999999999999999", "QNG 99999999999999999999",
                "UUX 6 99999999999999999999", "VER 99999999999999999999 MSNP11", "VER 99999999999999999999 MSNP11 CVR0"),
                hits.stream().map(n -> n.get("raw").asText()).sorted().toList());
        JsonNode chg = hits.stream().filter(n -> n.get("raw").asText().startsWith("CHG 5") && n.get("dir").asText().equals("C2S"))
                .findFirst().orElseThrow();
        assertEquals(5, chg.get("trid").asLong());
        assertEquals("9999999999999999999", chg.get("fields").get("caps").asText());
        assertTrue(chg.get("warnings").get(0).get("message").asText().startsWith("caps: '9999999999999999999' is too large"), chg.toString());

        for (String sort : List.of("trid", "-trid", "latency", "-length", "-time")) {
            CliRunner range = CliRunner.run("search", "trid:[0 TO *] OR latency:[0 TO *] OR length:[0 TO *]", "--sort", sort,
                    "--limit", "100", "--format", "jsonl", "--data", data);
            ok(range);
            assertTrue(range.out().contains("\"raw\":\"CHG 5 NLN 9999999999999999999\""), sort + ": " + range.out());
        }
        CliRunner words = CliRunner.run("search", "line:9999999999999999999", "--data", data);
        ok(words);
        assertTrue(words.out().contains("2 of 2 matching frames"), words.out());

        CliRunner show = CliRunner.run("show", "s1", "--color", "never", "--data", data);
        ok(show);
        assertTrue(show.out().contains("CHG 5 NLN 9999999999999999999"), show.out());
        assertTrue(show.out().contains("! bad-parameter: caps: '9999999999999999999' is too large"), show.out());

        for (String format : List.of("transcript", "text", "jsonl", "html")) {
            CliRunner export = CliRunner.run("export", "s1", "--format", format, "--data", data);
            ok(export);
            assertTrue(export.out().contains("9999999999999999999"), format);
        }
        assertEquals(13, CliRunner.run("export", "s1", "--format", "jsonl", "--data", data).out().lines().count());

        CliRunner reindex = CliRunner.run("reindex", "--data", data);
        ok(reindex);
        assertTrue(reindex.out().startsWith("reindexed 1 sessions"), reindex.out());
        assertEquals(search.out(), CliRunner.run("search", "warning:bad-parameter", "--format", "jsonl", "--limit", "100", "--data", data).out(),
                "reindex reproduces the same results");

        ok(CliRunner.run("delete", "s1", "--data", data));
        assertTrue(CliRunner.run("search", "session:s1", "--data", data).out().contains("no frames matched"));
    }

    @Test
    void numbersInQueriesAndTimesThatOverflowAreOneLineMistakes() {
        for (String q : List.of("trid:99999999999999999999", "length:[0 TO 99999999999999999999]", "latency:[-99999999999999999999 TO 0]")) {
            CliRunner r = CliRunner.run("search", q, "--data", data);
            assertEquals(2, r.code(), q);
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("msnscope search: bad query: "), r.err());
            assertTrue(r.err().contains("'99999999999999999999'") || r.err().contains("'-99999999999999999999'"), r.err());
        }
        CliRunner edge = CliRunner.run("search", "trid:{9223372036854775807 TO *]", "--data", data);
        assertEquals(0, edge.code(), edge.err());
        assertTrue(edge.out().contains("no frames matched"), edge.out());
        for (String since : List.of("99999999999999999999d", "99999999999999999999", "9999999999999w")) {
            CliRunner r = CliRunner.run("search", "cmd:CHG", "--since", since, "--data", data);
            assertEquals(2, r.code(), since);
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(r.err().contains("For input string") || r.err().contains("Exception"), r.err());
        }
    }

    /**
     * A stored frame the dissector cannot take (its lengths do not fit its bytes: a hand-made record) and a
     * frame whose connection record is missing are still indexed; the commands go on.
     */
    @Test
    void aStoredFrameTheDissectorCannotTakeIsIndexedWithDissectorFailedAndCommandsGoOn() throws Exception {
        CaptureStore store = new CaptureStore(Path.of(data));
        byte[] bytes = "MSG 5 N 10\r\nabc".getBytes(StandardCharsets.US_ASCII);
        try (CaptureWriter w = store.newSession(1_800_000_000_000_000L, "hand-made", false)) {
            w.append(new CaptureRecord.ConnectionOpened("c1", new ConnectionInfo("p1", "NS", null, null, "10.0.0.5:1863", null, null, null)));
            w.append(new CaptureRecord.FrameRecord("c1", 1_800_000_000_000_001L, Direction.C2S, Frame.ofRaw(bytes, 10, 40, 10, 0, "MSG"), null));
            w.append(new CaptureRecord.FrameRecord("c1", 1_800_000_000_000_002L, Direction.C2S,
                    Frame.of("CHG 6 NLN 0".getBytes(StandardCharsets.US_ASCII), false, null, -1, "CHG", 0), null));
            w.append(new CaptureRecord.FrameRecord("c9", 1_800_000_000_000_003L, Direction.S2C,
                    Frame.of("CHG 6 NLN 0".getBytes(StandardCharsets.US_ASCII), false, null, -1, "CHG", 0), null));
        }
        CliRunner failed = CliRunner.run("search", "warning:dissector-failed", "--format", "jsonl", "--data", data);
        ok(failed);
        JsonNode hit = json(failed.out().lines().findFirst().orElseThrow());
        assertEquals("s2", hit.get("session").asText());
        assertEquals("MSG 5 N 10", hit.get("raw").asText());
        assertEquals(bytes.length, java.util.Base64.getDecoder().decode(hit.get("rawBase64").asText()).length, "every byte kept");
        CliRunner orphan = CliRunner.run("search", "session:s2 AND stream:c9", "--data", data);
        ok(orphan);
        assertTrue(orphan.out().contains("1 of 1 matching frames"), orphan.out());
        ok(CliRunner.run("sessions", "--data", data));
        ok(CliRunner.run("show", "s2", "--data", data));
        ok(CliRunner.run("export", "s2", "--format", "jsonl", "--data", data));
        ok(CliRunner.run("reindex", "--data", data));
        assertEquals(failed.out(), CliRunner.run("search", "warning:dissector-failed", "--format", "jsonl", "--data", data).out());
        ok(CliRunner.run("delete", "s2", "--data", data));
    }

    private static JsonNode json(String line) {
        try {
            return FrameJson.MAPPER.readTree(line);
        } catch (Exception e) {
            throw new AssertionError(line, e);
        }
    }
}

package msnscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.capture.EditedSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Frames that rules and a hook changed, recorded by the real recorder ({@link EditedSession}), as a user finds them:
 * {@code show}, {@code export} in every format, {@code search} on the edit fields, and an export imported back.
 */
class EditedFramesCliTest {

    @TempDir
    Path dir;
    private String data;

    @BeforeEach
    void record() throws Exception {
        data = dir.resolve("data").toString();
        EditedSession.record(new CaptureStore(Path.of(data)));
    }

    private CliRunner run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data", data));
        CliRunner r = CliRunner.run(all.toArray(new String[0]));
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
        return r;
    }

    /** The lines of a text view from the frame line {@code frameLine} (ending it) to the next numbered frame. */
    private static List<String> block(String text, String frameLine) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : text.split("\n")) {
            boolean numbered = l.matches("\\s*\\d+ .*");
            if (in && numbered) {
                break;
            }
            if (!in && numbered && (l.endsWith("  " + frameLine) || l.contains("  " + frameLine + "   <- #"))) {
                in = true;
            }
            if (in) {
                out.add(l.strip());
            }
        }
        assertFalse(out.isEmpty(), "no frame " + frameLine + " in\n" + text);
        return out;
    }

    private static void assertEditedText(String text) {
        assertEquals(List.of("edited by rule 2 (rules.yaml): replace", "=> client received: " + EditedSession.REPLACED_LINE),
                block(text, "MSG bob@example.com Bob 150").subList(1, 3));
        assertEquals(List.of("edited by rule 4 (rules.yaml): drop", "=> dropped: the client received nothing"),
                block(text, "QNG 60").subList(1, 3));
        assertEquals("edited by rule 3 (rules.yaml): delay", block(text, "JOI bob@example.com Bob").get(1));
        assertFalse(block(text, "JOI bob@example.com Bob").get(2).startsWith("=>"), "delayed: delivered as it came");
        assertEquals("made by msnscope (rule 1 (rules.yaml): reply)", block(text, "QNG 50").get(1));
        List<String> pngs = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (l.matches("\\s*\\d+ .*C->S  PNG.*")) {
                pngs.add(l);
            }
        }
        assertEquals(2, pngs.size(), "the client's PNG and the hook's");
        assertTrue(text.contains("made by msnscope (hook: inject)\n"), text);
        assertTrue(text.contains("edited by rule 1 (rules.yaml): reply\n"), text);
        assertTrue(text.contains("=> dropped: the server received nothing\n"), "the answered PNG never reached the server");
    }

    @Test
    void showSaysWhoChangedEachFrameHowAndWhatTheOtherSideReceived() {
        assertEditedText(run("show", "s1", "--color", "never").out());
    }

    @Test
    void textExportSaysTheSameAsShow() {
        assertEditedText(run("export", "s1", "--format", "text").out());
    }

    @Test
    void htmlExportMarksEditedAndMadeFramesWithABadge() {
        String html = run("export", "s1", "--format", "html").out();
        assertTrue(html.contains("<div class=\"edited\"><span class=\"code\">edited</span> by rule 2 (rules.yaml): replace</div>"), "badge");
        assertTrue(html.contains("<div class=\"edited made\"><span class=\"code\">made by msnscope</span> (hook: inject)</div>"), "made");
        assertTrue(html.contains("<span class=\"code\">dropped</span> the client received nothing"), "dropped QNG");
        assertTrue(html.contains("<span class=\"code\">client received</span> " + EditedSession.REPLACED_LINE), "replaced MSG");
        assertEquals(6, html.split("<div class=\"edited", -1).length - 1, "one badge per changed or made frame");
        assertTrue(html.contains("4 frames changed by rules or the hook, 2 made by msnscope"), "the session's facts say it first");
    }

    @Test
    void jsonLinesCarryEditedAfterTheContractKeysOnlyOnChangedFrames() throws Exception {
        List<JsonNode> frames = CliRunner.jsonLines(run("export", "s1", "--format", "jsonl").out());
        List<JsonNode> edited = frames.stream().filter(f -> f.has("edited")).toList();
        assertEquals(6, edited.size());
        for (JsonNode f : edited) {
            List<String> keys = new ArrayList<>();
            f.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("rewritten", "rewrittenBase64", "edited"), keys.subList(keys.size() - 3, keys.size()));
        }
        JsonNode qng = frames.stream().filter(f -> f.get("raw").asText().equals("QNG 60")).findFirst().orElseThrow();
        assertEquals("{\"by\":\"rule 4 (rules.yaml)\",\"action\":\"drop\"}", qng.get("edited").toString());
        assertEquals("", qng.get("rewritten").asText(), "delivered nothing");
        assertEquals("", qng.get("rewrittenBase64").asText(), "and nothing is not an empty line");
        JsonNode made = frames.stream().filter(f -> f.get("raw").asText().equals("QNG 50")).findFirst().orElseThrow();
        assertEquals("{\"by\":\"rule 1 (rules.yaml)\",\"action\":\"reply\",\"made\":true}", made.get("edited").toString());
        assertEquals("S2C", made.get("dir").asText());
        assertTrue(made.get("rewritten").isNull());
        JsonNode msg = frames.stream().filter(f -> f.get("raw").asText().equals("MSG bob@example.com Bob 150")).findFirst().orElseThrow();
        assertEquals(EditedSession.REPLACED_LINE, msg.get("rewritten").asText());
        String delivered = new String(java.util.Base64.getDecoder().decode(msg.get("rewrittenBase64").asText()), StandardCharsets.UTF_8);
        assertTrue(delivered.endsWith(EditedSession.REPLACED_TEXT), delivered);
        assertTrue(frames.stream().filter(f -> !f.has("edited")).noneMatch(f -> f.toString().contains("edited")));
    }

    @Test
    void searchFindsEditedAndMadeFramesAndTheRuleThatChangedThem() throws Exception {
        assertEquals(6, CliRunner.jsonLines(run("search", "edited:true", "--all", "--format", "jsonl").out()).size());
        List<JsonNode> made = CliRunner.jsonLines(run("search", "made:true", "--all", "--format", "jsonl").out());
        assertEquals(List.of("PNG", "QNG 50"), made.stream().map(f -> f.get("raw").asText()).sorted().toList());
        assertTrue(made.stream().allMatch(f -> f.get("edited").get("made").asBoolean()), "search's objects carry the key too");
        List<JsonNode> rule2 = CliRunner.jsonLines(run("search", "editedBy:\"rule 2\"", "--all", "--format", "jsonl").out());
        assertEquals(List.of("MSG bob@example.com Bob 150"), rule2.stream().map(f -> f.get("raw").asText()).toList());
        assertEquals(EditedSession.REPLACED_LINE, rule2.get(0).get("rewritten").asText());
        assertEquals(1, CliRunner.jsonLines(run("search", "EditedBy:\"RULE 4 (rules.yaml)\"", "--all", "--format", "jsonl").out()).size(),
                "field names and values in any case");
        assertEquals(2, CliRunner.jsonLines(run("search", "editedBy:rule\\ 1*", "--all", "--format", "jsonl").out()).size(), "a wildcard");
        assertEquals(1, CliRunner.jsonLines(run("search", "editedBy:hook AND dir:C2S", "--all", "--format", "jsonl").out()).size());
        int all = CliRunner.jsonLines(run("search", "--all", "--format", "jsonl").out()).size();
        assertEquals(all - 6, CliRunner.jsonLines(run("search", "* AND NOT edited:true", "--all", "--format", "jsonl").out()).size());
        String counts = run("search", "edited:true", "--count-by", "editedby").out();
        for (String by : List.of("rule 1 (rules.yaml)", "rule 2 (rules.yaml)", "rule 3 (rules.yaml)", "rule 4 (rules.yaml)", "hook")) {
            assertTrue(counts.contains(by), counts);
        }
        assertTrue(counts.lines().anyMatch(l -> l.strip().equals("2  rule 1 (rules.yaml)")), counts);
        assertFalse(counts.lines().anyMatch(l -> l.strip().matches("\\d+\\s+rule \\d")), "a rule is counted once, under its full name: " + counts);
    }

    @Test
    void theFieldListNamesTheEditFields() {
        CliRunner r = CliRunner.run("search", "editor:x", "--data", data);
        assertEquals(Main.USAGE, r.code());
        assertTrue(r.err().contains("edited, editedBy"), r.err());
        assertTrue(r.err().contains("made"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    /** Each frame record of a session: connection, direction, bytes, what was delivered and the edit. */
    private static List<String> records(CaptureStore store, String session) {
        List<String> out = new ArrayList<>();
        for (CaptureRecord r : store.records(session)) {
            if (r instanceof CaptureRecord.FrameRecord f) {
                out.add(f.connection() + " " + f.direction() + " " + HexFormat.of().formatHex(f.frame().copyBytes()) + " "
                        + (f.rewritten() == null ? "-" : "[" + HexFormat.of().formatHex(f.rewritten()) + "]") + " " + f.edit());
            }
        }
        return out;
    }

    @Test
    void exportedJsonLinesImportBackWithEveryEditAndDelivery() throws Exception {
        Path jsonl = dir.resolve("s1.jsonl");
        run("export", "s1", "--format", "jsonl", "-o", jsonl.toString());
        run("import", jsonl.toString());
        CaptureStore store = new CaptureStore(Path.of(data));
        assertEquals(List.of("s1", "s2"), store.sessions());
        assertEquals(records(store, "s1"), records(store, "s2"));
        assertTrue(records(store, "s2").stream().anyMatch(r -> r.contains(" [] Edit[by=rule 4 (rules.yaml), action=drop")),
                "the dropped frame still delivered nothing");
        assertEquals(CliRunner.jsonLines(run("export", "s1", "--format", "jsonl").out()).stream().map(f -> String.valueOf(f.get("edited"))).toList(),
                CliRunner.jsonLines(run("export", "s2", "--format", "jsonl").out()).stream().map(f -> String.valueOf(f.get("edited"))).toList());
    }

    @Test
    void aMalformedEditedKeyIsRefusedInOneLine() throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"session\":\"x\",\"stream\":\"c1\",\"dir\":\"C2S\",\"raw\":\"PNG\",\"edited\":\"yes\"}\n");
        CliRunner r = CliRunner.run("import", f.toString(), "--data", data);
        assertEquals(Main.USAGE, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("line 1: edited must be an object"), r.err());
    }

    @Test
    void redactedExportsKeepTheEditsAndRedactWhatWasDelivered() throws Exception {
        List<JsonNode> secrets = CliRunner.jsonLines(run("export", "s1", "--format", "jsonl", "--redact").out());
        assertEquals(6, secrets.stream().filter(f -> f.has("edited")).count());
        JsonNode qng = secrets.stream().filter(f -> f.get("raw").asText().equals("QNG 60")).findFirst().orElseThrow();
        assertEquals("", qng.get("rewritten").asText());
        assertEquals("rule 4 (rules.yaml)", qng.get("edited").get("by").asText());
        // The rewritten switchboard referral still says where the client went, with its cookie hidden like the line's.
        JsonNode xfr = secrets.stream().filter(f -> f.get("raw").asText().startsWith("XFR 13 SB 10.0.0.7")).findFirst().orElseThrow();
        assertTrue(xfr.get("rewritten").asText().contains("127.0.0.1:1864"), xfr.toString());
        assertFalse(xfr.get("rewritten").asText().contains("27410938.1727102366.18852"), xfr.toString());
        assertTrue(xfr.get("rewritten").asText().contains("cookie-1"), xfr.toString());

        List<JsonNode> messages = CliRunner.jsonLines(run("export", "s1", "--format", "jsonl", "--redact=messages").out());
        JsonNode msg = messages.stream().filter(f -> f.has("edited") && f.get("edited").get("action").asText().equals("replace"))
                .findFirst().orElseThrow();
        assertFalse(msg.toString().contains("MERCI"), "the replacement's text is a message: " + msg);
        assertTrue(msg.get("redacted").toString().contains("delivered payload left out"), msg.toString());
    }
}

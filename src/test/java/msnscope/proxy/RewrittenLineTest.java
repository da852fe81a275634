package msnscope.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.cli.CliRunner;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.export.FrameJson;
import msnscope.index.LiveCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the client received for a rewritten referral is kept and shown next to what the server sent. */
class RewrittenLineTest {

    @TempDir
    Path dir;

    @Test
    void theLineTheClientReceivedIsInExportSearchAndShow() throws Exception {
        String sbAddress;
        try (ProxyFixture fx = new ProxyFixture(); LiveCapture live = LiveCapture.open(dir, new Dissector(SpecLoader.builtIn()))) {
            fx.proxy.addWireListener(live);
            Conversation talk = new Conversation(fx);
            Conversation.User alice = talk.login("alice@example.com", 11);
            alice.ns.send("XFR 6 SB");
            sbAddress = alice.ns.readLine().split(" ")[3];
            talk.logout(alice);
            fx.settled();
        }
        String data = dir.toString();
        CliRunner jsonl = CliRunner.run("export", "s1", "--format", "jsonl", "--data", data);
        assertEquals(0, jsonl.code(), jsonl.err());
        List<JsonNode> frames = jsonl.out().lines().map(RewrittenLineTest::json).toList();
        JsonNode xfrSb = frames.stream().filter(j -> j.get("raw").asText().startsWith("XFR 6 SB ")).findFirst().orElseThrow();
        assertTrue(xfrSb.get("raw").asText().contains(MsnWorld.SB_NAME), "raw is what the server sent: " + xfrSb);
        assertTrue(xfrSb.get("rewritten").asText().startsWith("XFR 6 SB " + sbAddress + " CKI "), "rewritten is what alice got: " + xfrSb);
        assertTrue(xfrSb.get("rewrittenBase64").isNull(), "the line alone gives the forwarded bytes back");
        JsonNode xfrNs = frames.stream().filter(j -> j.get("raw").asText().startsWith("XFR 3 NS ")).findFirst().orElseThrow();
        assertTrue(!xfrNs.get("rewritten").isNull(), "the dispatch server's referral too: " + xfrNs);
        assertNull(frames.stream().filter(j -> j.get("cmd").asText().equals("VER")).findFirst().orElseThrow().get("rewritten").textValue(),
                "a frame forwarded unchanged has rewritten null");
        List<String> keys = new java.util.ArrayList<>();
        xfrSb.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("rawBase64", "rewritten", "rewrittenBase64"), keys.subList(keys.size() - 3, keys.size()),
                "appended after the contract's existing keys");

        CliRunner search = CliRunner.run("search", "cmd:XFR AND session:s1", "--format", "jsonl", "--data", data);
        assertEquals(0, search.code(), search.err());
        JsonNode hit = search.out().lines().map(RewrittenLineTest::json).filter(j -> j.get("raw").asText().startsWith("XFR 6 SB "))
                .findFirst().orElseThrow();
        assertEquals(xfrSb.get("rewritten"), hit.get("rewritten"), "search gives what export gives");

        // Exported JSON Lines import back with what the client received.
        java.nio.file.Path exported = dir.resolve("s1.jsonl");
        java.nio.file.Files.writeString(exported, jsonl.out());
        CliRunner imported = CliRunner.run("import", exported.toString(), "--data", data);
        assertEquals(0, imported.code(), imported.err());
        CliRunner again = CliRunner.run("search", "cmd:XFR AND session:s2", "--format", "jsonl", "--data", data);
        assertTrue(again.out().contains(xfrSb.get("rewritten").asText()), "re-imported: " + again.out() + again.err());

        CliRunner html = CliRunner.run("export", "s1", "--format", "html", "--data", data);
        assertEquals(0, html.code(), html.err());
        assertTrue(html.out().contains("<div class=\"rewritten\"><span class=\"code\">client received</span> XFR 6 SB " + sbAddress + " CKI "),
                "the HTML report shows it under the server's line");

        for (String[] args : List.of(new String[] {"export", "s1", "--format", "text", "--data", data},
                new String[] {"show", "s1", "--color", "never", "--data", data})) {
            CliRunner text = CliRunner.run(args);
            assertEquals(0, text.code(), text.err());
            assertTrue(text.out().contains("=> client received: XFR 6 SB " + sbAddress + " CKI "), String.join(" ", args) + ":\n" + text.out());
        }
    }

    private static JsonNode json(String line) {
        try {
            return FrameJson.MAPPER.readTree(line);
        } catch (Exception e) {
            throw new AssertionError(line, e);
        }
    }
}

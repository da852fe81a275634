package msnscope.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.capture.CaptureStore;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.export.FrameJson;
import msnscope.index.LiveCapture;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A line the console prints live names the frame by the ids the store keeps it under. */
class LiveIdsTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    @TempDir
    Path dir;

    @Test
    void everyLiveJsonLineNamesTheStoredFrameBySessionStreamAndSeq() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream textStream = new PrintStream(text, true, StandardCharsets.UTF_8);
        try (ProxyFixture fx = new ProxyFixture(); LiveCapture live = LiveCapture.open(dir, DISSECTOR);
             ConsolePrinter console = new ConsolePrinter(ConsolePrinter.Format.JSONL, false, true,
                     new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
             ConsolePrinter textConsole = new ConsolePrinter(ConsolePrinter.Format.TEXT, false, true, textStream, textStream)) {
            console.placements(fx.proxy::placement);
            textConsole.placements(fx.proxy::placement);
            fx.proxy.addWireListener(live);
            fx.proxy.addListener(console).addListener(textConsole);
            new Conversation(fx).aliceAndBobChat(11, false);
            fx.settled();
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.size() > 40, "the whole conversation was printed: " + lines.size());
        CaptureStore store = new CaptureStore(dir);
        Map<String, Map<String, ConnectionLog>> sessions = new HashMap<>();
        for (String s : store.sessions()) {
            Map<String, ConnectionLog> byId = new HashMap<>();
            for (ConnectionLog c : store.load(s, DISSECTOR, FramerLimits.DEFAULT).connections()) {
                byId.put(c.id(), c);
            }
            sessions.put(s, byId);
        }
        for (String line : lines) {
            JsonNode j = FrameJson.MAPPER.readTree(line);
            Map<String, ConnectionLog> session = sessions.get(j.get("session").asText());
            assertNotNull(session, "a session the store has: " + line);
            ConnectionLog c = session.get(j.get("stream").asText());
            assertNotNull(c, "a connection of that session: " + line);
            Dissection stored = c.frames().get(j.get("seq").asInt());
            assertEquals(stored.frame().line(), j.get("raw").asText(), "the same frame: " + line);
            assertEquals(stored.direction().name(), j.get("dir").asText(), line);
            assertEquals(stored.role() == null ? null : stored.role().name(), j.get("role").textValue(),
                    "the role the store gives it (a dispatch server's first frames too): " + line);
        }
        // One login's dispatch and notification connections are one session, live as in the store.
        long aliceSessions = lines.stream().filter(l -> l.contains("alice@example.com") && l.contains("\"cmd\":\"USR\""))
                .map(l -> l.replaceAll(".*\"session\":\"(s\\d+)\".*", "$1")).distinct().count();
        assertEquals(1, aliceSessions, "alice's USR lines on the DS and the NS carry one session id");
        assertFalse(lines.stream().anyMatch(l -> l.contains("\"session\":\"s3\"")), "two logins, two sessions");
        // A switchboard's open record says who referred it and where it really went, as its live lines did.
        msnscope.cli.CliRunner show = msnscope.cli.CliRunner.run("show", "s1", "--color", "never", "--data", dir.toString());
        assertTrue(show.out().matches("(?s).*== connection c3 · SB.*referred by c2: XFR \\d+ SB .*"), show.out());
        assertTrue(show.out().matches("(?s).*== connection c3 · SB[^\\n]*\\n[^\\n]*\\(connected to 127\\.0\\.0\\.1:\\d+\\).*"), show.out());
        List<String> textLines = text.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(textLines.size() > 40, text.toString(StandardCharsets.UTF_8));
        for (String line : textLines) {
            // "12:44:37.711Z  DS s1/c1 alice@example.com  C->S  …" and the "==" lines alike
            assertTrue(line.matches("\\S+  (DS|NS|SB|DS/NS) s[12]/c[1-3]( \\S+@example\\.com)?  .*"), "named by the store's ids: " + line);
        }
    }
}

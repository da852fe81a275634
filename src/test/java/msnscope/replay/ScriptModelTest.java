package msnscope.replay;

import msnscope.capture.CaptureStore;
import msnscope.capture.Importer;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.support.Captures;
import msnscope.wire.Direction;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScriptModelTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());
    private static final Path CHAT = Captures.DIR.resolve("msnp11-chat.txt");
    private static final Path PCAP8 = Captures.DIR.resolve("escargot-msnp8.pcap");

    private static Script load(Path... files) throws ScriptException {
        return Script.load(List.of(files), DISSECTOR, FramerLimits.DEFAULT);
    }

    @Test
    void transcriptBecomesOneLoginWithItsDispatchNotificationAndSwitchboardConnections() throws Exception {
        Script s = load(CHAT);
        assertEquals(1, s.logins().size());
        assertEquals("alice@example.com", s.logins().get(0).account());
        List<ScriptConnection> c = s.connections();
        assertEquals(List.of(FormSpec.Role.DS, FormSpec.Role.NS, FormSpec.Role.SB), c.stream().map(ScriptConnection::role).toList());
        assertEquals("10.0.0.1:1863", c.get(0).server());
        assertEquals("10.0.0.5:1863", c.get(1).server());
        assertEquals("10.0.0.7:1864", c.get(2).server());
        assertNull(c.get(0).referral());
        assertTrue(c.get(1).referral().line().startsWith("XFR 3 NS 10.0.0.5:1863"));
        assertTrue(c.get(2).referral().line().startsWith("XFR 13 SB 10.0.0.7:1864 CKI 27410938.1727102366.18852"));
        assertEquals("27410938.1727102366.18852", c.get(2).cookie());
        assertNull(c.get(1).cookie());
        // The transcript's text, byte for byte, in file order: connections one after another.
        String text = Captures.read(CHAT);
        int last = -1;
        for (ScriptFrame f : s.frames()) {
            assertNull(f.timeMicros());
            int at = text.indexOf(f.direction().transcriptPrefix() + ": " + f.line().substring(0, Math.min(20, f.line().length())), last + 1);
            if (!f.line().contains("MSNP11 MSNP10") && f.frame().lineIsUtf8()) {
                assertTrue(at > last, "in file order: " + f);
                last = at;
            }
        }
    }

    @Test
    void requestsKnowTheirRepliesAndServerFramesTheClientFramesBeforeThem() throws Exception {
        Script s = load(CHAT);
        ScriptFrame xfrSb = find(s, Direction.C2S, "XFR 13 SB");
        assertEquals(1, xfrSb.replies().size());
        assertSame(xfrSb, xfrSb.replies().get(0).request());
        ScriptFrame joi = find(s, Direction.S2C, "JOI bob@example.com");
        assertNull(joi.request());
        List<ScriptFrame> before = s.before(joi);
        assertTrue(before.stream().allMatch(ScriptFrame::fromClient));
        assertEquals("CAL 2 bob@example.com", before.get(before.size() - 1).line());
        // File order: the notification server's OUT was written before the switchboard was.
        assertTrue(before.stream().anyMatch(f -> f.line().equals("OUT") && f.connection().role() == FormSpec.Role.NS));
        ScriptFrame msg = find(s, Direction.C2S, "MSG 3 U 90");
        assertEquals("JOI bob@example.com Bob", s.before(msg).get(s.before(msg).size() - 1).line());
    }

    @Test
    void causalityLetsAServerFrameGoOnlyAfterEveryClientFrameBeforeIt() throws Exception {
        Script s = load(CHAT);
        ScriptCausality causality = new ScriptCausality(s);
        ScriptFrame joi = find(s, Direction.S2C, "JOI bob@example.com");
        List<ScriptFrame> before = s.before(joi);
        assertFalse(causality.ready(joi));
        // Out of order: the last one first, then all but one.
        causality.happened(before.get(before.size() - 1));
        for (int i = 0; i < before.size() - 2; i++) {
            causality.happened(before.get(i));
        }
        assertFalse(causality.ready(joi));
        assertEquals(List.of(before.get(before.size() - 2)), causality.missing(joi));
        causality.happened(before.get(before.size() - 2));
        assertTrue(causality.ready(joi));
        assertTrue(causality.missing(joi).isEmpty());
    }

    @Test
    void pcapWithTwoUsersGivesTwoLoginsInTimeOrder() throws Exception {
        Script s = load(PCAP8);
        assertEquals(List.of("alice@example.com", "bob@example.com"),
                s.logins().stream().map(ScriptLogin::account).sorted().toList());
        long previous = Long.MIN_VALUE;
        for (ScriptFrame f : s.frames()) {
            assertNotNull(f.timeMicros());
            assertTrue(f.timeMicros() >= previous, "by time: " + f);
            previous = f.timeMicros();
        }
        // bob's notification server hears alice's ADD only after she sent it: across connections.
        ScriptFrame addRl = s.frames().stream().filter(f -> f.line().startsWith("ADD 0 RL alice@example.com")).findFirst().orElseThrow();
        assertTrue(s.before(addRl).stream().anyMatch(f -> f.line().startsWith("ADD 6 FL bob@example.com")
                && "alice@example.com".equals(f.connection().account())));
        for (ScriptConnection c : s.connections()) {
            if (c.role() == FormSpec.Role.SB) {
                assertNotNull(c.cookie(), c.name());
                assertNotNull(c.referral(), c.name());
            }
        }
    }

    @Test
    void jsonLinesExportLoadsTheSameFramesAsItsTranscript(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = msnscope.cli.Main.run(new String[] {"dissect", CHAT.toString(), "--format", "jsonl"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        Path jsonl = dir.resolve("chat.jsonl");
        Files.write(jsonl, out.toByteArray());
        Script fromTranscript = load(CHAT);
        Script fromJsonl = load(jsonl);
        assertEquals(lines(fromTranscript), lines(fromJsonl));
        assertEquals(fromTranscript.connections().get(2).cookie(), fromJsonl.connections().get(2).cookie());
    }

    @Test
    void storedSessionLoadsLikeItsFile(@TempDir Path dir) throws Exception {
        CaptureStore store = new CaptureStore(dir);
        List<String> ids = new Importer(store, DISSECTOR, FramerLimits.DEFAULT).transcript(Captures.read(CHAT), CHAT.toString());
        Script stored = Script.builder(DISSECTOR, FramerLimits.DEFAULT).stored(store, ids.get(0)).build();
        assertEquals(lines(load(CHAT)), lines(stored));
        assertEquals(ids.get(0), stored.connections().get(0).source());
        ScriptException missing = assertThrows(ScriptException.class,
                () -> Script.builder(DISSECTOR, FramerLimits.DEFAULT).stored(store, "s99"));
        assertTrue(missing.getMessage().startsWith("no session s99"), missing.getMessage());
    }

    @Test
    void unreadableSourcesAreOneLineEach(@TempDir Path dir) throws Exception {
        assertEquals("cannot read " + dir.resolve("nope.txt") + ": no such file",
                assertThrows(ScriptException.class, () -> load(dir.resolve("nope.txt"))).getMessage());
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "just some words\n");
        assertTrue(assertThrows(ScriptException.class, () -> load(notes)).getMessage().contains("is not a transcript"));
        assertTrue(assertThrows(ScriptException.class, () -> load(CHAT, CHAT)).getMessage().endsWith("is given twice"));
    }

    private static List<String> lines(Script s) {
        return s.frames().stream().map(f -> f.connection().id() + " " + f.direction() + " " + f.line() + " " + f.frame().size()).toList();
    }

    private static ScriptFrame find(Script s, Direction dir, String lineStart) {
        return s.frames().stream().filter(f -> f.direction() == dir && f.line().startsWith(lineStart)).findFirst().orElseThrow();
    }

    private static void assertSame(Object a, Object b) {
        org.junit.jupiter.api.Assertions.assertSame(a, b);
    }
}

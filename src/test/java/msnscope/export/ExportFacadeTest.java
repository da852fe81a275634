package msnscope.export;

import msnscope.cli.Main;
import msnscope.dissect.ConnectionLog;
import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static msnscope.export.ExportTestSupport.DISSECTOR;
import static msnscope.export.ExportTestSupport.export;
import static msnscope.export.ExportTestSupport.secrets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade gives what {@code msnscope dissect} prints, and dissect's new options reach it. */
class ExportFacadeTest {

    static Stream<Path> captures() {
        return Captures.transcripts().stream();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run dissect(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "dissect";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void facadeEqualsWhatDissectPrints(Path capture) {
        List<ConnectionLog> s = Captures.dissect(capture).connections();
        String id = Captures.name(capture);
        assertEquals(export(s, id, "jsonl", RedactMode.NONE), dissect(capture.toString(), "--format", "jsonl").out);
        assertEquals(export(s, id, "transcript", RedactMode.NONE), dissect(capture.toString(), "--format", "transcript").out);
        assertEquals(capture + System.lineSeparator() + export(s, id, "text", RedactMode.NONE),
                dissect(capture.toString(), "--color", "never").out);
        assertEquals(export(s, id, "html", RedactMode.SECRETS), dissect(capture.toString(), "--format", "html", "--redact").out);
        assertEquals(export(s, id, "jsonl", RedactMode.MESSAGES), dissect("--redact=messages", capture.toString(), "--format", "jsonl").out);
    }

    @Test
    void unredactedTranscriptIsTheSourceByteForByte() {
        Path p = Path.of("captures", "msnp11-chat.txt");
        List<ConnectionLog> s = Captures.dissect(p).connections();
        String once = export(s, "a", "transcript", RedactMode.NONE);
        List<ConnectionLog> again = ExportTestSupport.dissect("a", once).connections();
        assertEquals(once, export(again, "a", "transcript", RedactMode.NONE));
    }

    @Test
    void redactOptionForms(@TempDir Path dir) throws Exception {
        String file = "captures/msnp11-chat.txt";
        Run plain = dissect(file, "--format", "transcript");
        assertTrue(plain.out.contains("27410938.1727102366.18852"));
        // `--redact FILE`: the file is an input, not the option's value
        Run r1 = dissect("--redact", file, "--format", "transcript");
        assertEquals(0, r1.code, r1.err);
        assertFalse(r1.out.contains("27410938.1727102366.18852"));
        assertTrue(r1.out.contains("cookie-1"));
        assertEquals(r1.out, dissect(file, "--format", "transcript", "--redact").out);
        assertEquals(r1.out, dissect(file, "--format", "transcript", "--redact=secrets").out);
        Run bad = dissect(file, "--redact=everything");
        assertEquals(2, bad.code);
        assertTrue(bad.err.contains("--redact takes secrets"), bad.err);
        Run two = dissect(file, "captures/msnp8-twn.txt", "--format", "html");
        assertEquals(2, two.code);
        // -o writes UTF-8 to a file
        Path out = dir.resolve("chat.html");
        Run o = dissect(file, "--format", "html", "--redact=messages", "-o", out.toString());
        assertEquals(0, o.code, o.err);
        assertEquals("", o.out);
        String page = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(page.startsWith("<!DOCTYPE html>"));
        assertFalse(page.contains("Grüße aus Köln"));
        assertTrue(page.contains("Alice ♥"), "UTF-8 kept in the file");
        for (String secret : secrets(Captures.dissect(Path.of(file)).connections())) {
            assertFalse(page.contains(secret));
        }
    }

    @Test
    void facadeApi() throws Exception {
        List<ConnectionLog> s = Captures.dissect(Path.of("captures", "msnp8-twn.txt")).connections();
        StringWriter w = new StringWriter();
        assertNull(new SessionExporter(DISSECTOR).export(s, null, "jsonl", RedactMode.NONE, w));
        assertTrue(w.toString().startsWith("{\"session\":\"msnp8-twn\""));
        Redactor.Result r = new SessionExporter(DISSECTOR).export(s, SessionMeta.offline("x"), "text", RedactMode.SECRETS, new StringWriter());
        assertEquals(RedactMode.SECRETS, r.mode());
        assertTrue(r.changedFrames() > 0);
        assertThrows(IllegalArgumentException.class,
                () -> new SessionExporter(DISSECTOR).export(s, null, "pdf", RedactMode.NONE, new StringWriter()));
        String jsonl = export(s, "x", "jsonl", RedactMode.SECRETS);
        assertTrue(jsonl.contains(",\"redacted\":[\"ticket → t=ticket-1&p=ticket-p-1\"]}"), "notes as an extra key");
        assertEquals(RedactMode.MESSAGES, RedactMode.parse("messages"));
        assertNull(RedactMode.parse("all"));
    }
}

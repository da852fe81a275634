package msnscope.cli;

import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code -} is standard input or output wherever a file is named, as in tshark and Unix tools. */
class StandardStreamsCliTest {

    private static final Path CHAT = Captures.DIR.resolve("msnp11-chat.txt");
    private static final Path PCAP = Captures.DIR.resolve("escargot-msnp8.pcap");

    @Test
    void dissectDashReadsATranscriptFromStandardInput() throws IOException {
        CliRunner fromFile = CliRunner.run("dissect", "--format", "jsonl", CHAT.toString());
        CliRunner fromStdin = CliStdin.run(Files.readAllBytes(CHAT), "dissect", "--format", "jsonl", "-");
        assertEquals(0, fromStdin.code(), fromStdin.err());
        assertEquals("", fromStdin.err());
        assertTrue(fromStdin.out().startsWith("{\"session\":\"stdin\""), fromStdin.out());
        assertEquals(fromFile.out().replace("\"session\":\"msnp11-chat\"", "\"session\":\"stdin\""), fromStdin.out());
    }

    @Test
    void dissectDashTellsAPcapOnStandardInputByItsBytes() throws IOException {
        CliRunner fromFile = CliRunner.run("dissect", "--format", "transcript", PCAP.toString());
        CliRunner fromStdin = CliStdin.run(Files.readAllBytes(PCAP), "dissect", "--format", "transcript", "-");
        assertEquals(0, fromStdin.code(), fromStdin.err());
        assertTrue(fromStdin.out().contains("C: VER 1 MSNP8 CVR0"), fromStdin.out());
        assertEquals(fromFile.out(), fromStdin.out());
        CliRunner text = CliStdin.run(Files.readAllBytes(PCAP), "dissect", "--color", "never", "-");
        assertTrue(text.out().startsWith("standard input\n"), text.out());
    }

    @Test
    void importDashReadsStandardInputAndNamesItAsTheSource(@TempDir Path dir) throws IOException {
        String data = dir.resolve("store").toString();
        CliRunner r = CliStdin.run(Files.readAllBytes(PCAP), "import", "-", "--data", data);
        assertEquals(0, r.code(), r.err());
        CliRunner fromFile = CliRunner.run("import", PCAP.toString(), "--data", dir.resolve("other").toString());
        assertEquals(fromFile.out().replace(PCAP.toString(), "standard input"), r.out());
        CliRunner s = CliRunner.run("sessions", "--format", "jsonl", "--data", data);
        assertTrue(s.out().contains("\"source\":\"stdin\""), s.out());
        assertEquals(CliRunner.run("export", "s2", "--data", dir.resolve("other").toString()).out(),
                CliRunner.run("export", "s2", "--data", data).out());
        CliRunner t = CliStdin.run(Files.readAllBytes(CHAT), "import", "-", "--data", data);
        assertEquals("standard input: 1 session (s3)\n", t.out(), t.err());
    }

    @Test
    void standardInputNamedTwiceIsRefusedBeforeAnythingIsRead() {
        CliRunner r = CliStdin.run("C: VER 1 MSNP8 CVR0\n".getBytes(), "dissect", "-", "-");
        assertEquals(2, r.code());
        assertEquals("msnscope dissect: '-' (standard input) is given more than once; it can be read only once\n", r.err());
    }

    @Test
    void dashOutputIsStandardOutputNotAFileNamedDash(@TempDir Path dir) {
        Path dash = Path.of("-");
        CliRunner d = CliRunner.run("dissect", "--format", "transcript", "-o", "-", CHAT.toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("C: VER 1 MSNP11 MSNP10 CVR0"), d.out());
        assertFalse(Files.exists(dash), "a file named - was created");

        String data = dir.resolve("store").toString();
        assertEquals(0, CliRunner.run("import", CHAT.toString(), "--data", data).code());
        CliRunner e = CliRunner.run("export", "s1", "-o", "-", "--data", data);
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("C: VER 1 MSNP11 MSNP10 CVR0"), e.out());
        assertEquals("", e.err(), "no 'wrote' line for standard output");
        assertFalse(Files.exists(dash), "a file named - was created");
    }

    @Test
    void anOutputInAMissingDirectoryGivesTheReasonBeforeAnyWork(@TempDir Path dir) {
        String data = dir.resolve("store").toString();
        assertEquals(0, CliRunner.run("import", CHAT.toString(), "--data", data).code());
        Path missing = dir.resolve("nonexistent");
        CliRunner e = CliRunner.run("export", "s1", "--format", "html", "-o", missing.resolve("x.html").toString(), "--data", data);
        assertEquals(2, e.code());
        assertEquals("msnscope export: cannot write " + missing.resolve("x.html") + ": no such directory " + missing + "\n", e.err());
        CliRunner d = CliRunner.run("dissect", CHAT.toString(), "-o", missing.resolve("x.txt").toString());
        assertEquals(2, d.code());
        assertEquals("msnscope dissect: cannot write " + missing.resolve("x.txt") + ": no such directory " + missing + "\n", d.err());
        CliRunner intoDir = CliRunner.run("export", "s1", "-o", dir.toString(), "--data", data);
        assertEquals("msnscope export: cannot write " + dir + ": it is a directory\n", intoDir.err());
    }
}

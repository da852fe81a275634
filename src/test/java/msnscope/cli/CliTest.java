package msnscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user meets it: help, one-line errors with exit code 2, never a stack trace. */
class CliTest {

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryCommand() {
        Result r = run("--help");
        assertEquals(0, r.code());
        for (String c : Main.commands().keySet()) {
            assertTrue(r.out().contains(c), c + " missing from:\n" + r.out());
        }
    }

    @Test
    void commandHelpListsEveryOption() {
        Result r = run("dissect", "--help");
        assertEquals(0, r.code());
        for (String o : new String[]{"--format", "--color", "--dissectors", "--max-line", "--max-payload", "--help"}) {
            assertTrue(r.out().contains(o), o + " missing from:\n" + r.out());
        }
    }

    @Test
    void unknownOptionIsOneLineAndExitCodeTwo() {
        Result r = run("dissect", "--frobnicate", "captures/msnp2-md5.txt");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("frobnicate"));
    }

    @Test
    void unreadableFileIsOneLineAndExitCodeTwo() {
        Result r = run("dissect", "no/such/file.txt");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void unknownCommandAndBadFormatAreUsageErrors() {
        assertEquals(2, run("frobnicate").code());
        Result r = run("dissect", "--format", "xml", "captures/msnp2-md5.txt");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--format"), r.err());
    }

    @Test
    void garbageFileIsRefusedCleanly(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("noise.bin");
        Files.write(f, new byte[]{1, 2, 3, (byte) 0xff, 0});
        Result r = run("dissect", f.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void aCommandAddedToTheDissectorsFolderIsUsedWithoutRebuilding(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("dissectors");
        copyTree(Path.of("dissectors"), spec);
        Files.writeString(spec.resolve("commands/local.yaml"), """
                commands:
                  - cmd: ZAP
                    meaning: A command only this test knows
                    servers: [NS]
                    forms:
                      - dir: C2S
                        params: [trid, target:handle]
                        replies: []
                        summary: Zap {target}
                """);
        Path session = dir.resolve("s.txt");
        Files.writeString(session, "C: VER 1 MSNP11 CVR0\nS: VER 1 MSNP11\nC: ZAP 2 bob@example.com\n");
        Result r = run("dissect", "--dissectors", spec.toString(), "--format", "jsonl", session.toString());
        assertEquals(0, r.code(), r.err());
        String zap = r.out().lines().filter(l -> l.contains("\"cmd\":\"ZAP\"")).findFirst().orElseThrow();
        assertTrue(zap.contains("\"summary\":\"Zap bob@example.com\""), zap);
        assertTrue(zap.contains("\"warnings\":[]"), zap);
    }

    @Test
    void aMistakeInTheDissectorsFolderNamesTheFileAndEntry(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("dissectors");
        copyTree(Path.of("dissectors"), spec);
        Files.writeString(spec.resolve("commands/local.yaml"), """
                commands:
                  - cmd: ZAP
                    forms:
                      - dir: C2S
                        params: [trid, "target:hostpot"]
                """);
        Result r = run("dissect", "--dissectors", spec.toString(), "captures/msnp2-md5.txt");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("local.yaml") && r.err().contains("ZAP") && r.err().contains("hostpot"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}

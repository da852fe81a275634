package msnscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** A JSON Lines file with values the contract does not allow is skipped in one line, naming the line and the value. */
class ImportHostileJsonlTest {

    @TempDir
    Path dir;

    private CliRunner importLine(String json) throws Exception {
        Path f = dir.resolve("x.jsonl");
        Files.writeString(f, json + "\n");
        return CliRunner.run("import", "--data", dir.resolve("data").toString(), f.toString());
    }

    @Test
    void anImpossibleDirectionBadBase64OrTimeIsOneLineAndExitCodeTwo() throws Exception {
        String[] lines = {
            "{\"session\":\"x\",\"stream\":\"c1\",\"dir\":\"SIDEWAYS\",\"raw\":\"VER 1 MSNP11\"}",
            "{\"session\":\"x\",\"stream\":\"c1\",\"dir\":\"C2S\",\"rawBase64\":\"%%%not base64\"}",
            "{\"session\":\"x\",\"stream\":\"c1\",\"dir\":\"C2S\",\"time\":\"yesterday\",\"raw\":\"VER 1 MSNP11\"}",
        };
        for (String line : lines) {
            CliRunner r = importLine(line);
            assertEquals(Main.USAGE, r.code(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("line 1: "), r.err());
            assertFalse(r.err().matches("(?s).*(Exception|msnscope\\.wire).*"), r.err());
        }
    }
}

package msnscope.cli;

import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** export → import gives back byte-identical frames, on the same connections, with the same times. */
class CaptureExportRoundTripTest {

    @TempDir
    Path dir;

    /** Per session: each frame as connection, direction, time and exact bytes. */
    static List<String> frames(CaptureStore store, String session) throws Exception {
        List<String> out = new ArrayList<>();
        for (CaptureRecord r : store.records(session)) {
            if (r instanceof CaptureRecord.FrameRecord f) {
                out.add(f.connection() + " " + f.direction() + " " + f.timeMicros() + " "
                        + java.util.HexFormat.of().formatHex(f.frame().copyBytes()) + " flags=" + f.frame().flags());
            }
        }
        return out;
    }

    private void roundTrip(Path input, String format) throws Exception {
        String data = dir.resolve("data").toString();
        CliRunner imported = CliRunner.run("import", input.toString(), "--data", data);
        assertEquals(0, imported.code(), imported.err());
        CaptureStore store = new CaptureStore(Path.of(data));
        List<String> sessions = new ArrayList<>(store.sessions());
        for (String s : sessions) {
            Path file = dir.resolve(s + "." + format);
            CliRunner export = CliRunner.run("export", s, "--format", format, "-o", file.toString(), "--data", data);
            assertEquals(0, export.code(), export.err());
            CliRunner again = CliRunner.run("import", file.toString(), "--data", data);
            assertEquals(0, again.code(), again.err());
            List<String> now = store.sessions();
            String copy = now.get(now.size() - 1);
            assertEquals(frames(store, s), frames(store, copy), input + " " + s + " via " + format);
        }
    }

    @Test
    void everyTranscriptExportedAsTranscriptImportsBackToTheSameBytes() throws Exception {
        for (Path t : Captures.transcripts()) {
            roundTrip(t, "transcript");
            dir.resolve("data").toFile().renameTo(dir.resolve("done-" + Captures.name(t)).toFile());
        }
    }

    @Test
    void pcapSessionsExportedAsTranscriptKeepBytesConnectionsAndTimes() throws Exception {
        roundTrip(Captures.DIR.resolve("escargot-msnp12.pcap"), "transcript");
    }

    @Test
    void jsonlExportsImportBackToTheSameBytes() throws Exception {
        roundTrip(Captures.DIR.resolve("escargot-msnp8.pcap"), "jsonl");
        dir.resolve("data").toFile().renameTo(dir.resolve("done").toFile());
        roundTrip(Captures.DIR.resolve("msnp11-chat.txt"), "jsonl");
    }
}

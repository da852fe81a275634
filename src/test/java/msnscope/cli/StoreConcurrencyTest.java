package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.index.LiveCapture;
import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The store's concurrency model (docs/reliability.md): what other commands do while a proxy records. */
class StoreConcurrencyTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    @TempDir
    Path dir;

    @Test
    void deleteIsRefusedInOneLineWhileAProxyRecordsAndWorksAfterwards() throws Exception {
        String data = dir.toString();
        assertEquals(0, CliRunner.run("import", "--data", data, Captures.DIR.resolve("msnp11-chat.txt").toString()).code());
        try (LiveCapture live = LiveCapture.open(dir, DISSECTOR)) {
            CliRunner delete = CliRunner.run("delete", "--data", data, "s1");
            assertEquals(Main.USAGE, delete.code());
            assertEquals(1, delete.err().lines().count(), delete.err());
            assertTrue(delete.err().contains("recording"), delete.err());
            assertTrue(new CaptureStore(dir).exists("s1"), "nothing was deleted");
        }
        assertEquals(Main.OK, CliRunner.run("delete", "--data", data, "s1").code());
        assertFalse(new CaptureStore(dir).exists("s1"));
    }

    @Test
    void aSecondRecordingProxyOnTheSameStoreIsRefusedInOneLine() throws Exception {
        try (LiveCapture live = LiveCapture.open(dir, DISSECTOR)) {
            UsageException e = assertThrows(UsageException.class,
                    () -> ProxyCommand.captureRecorder(dir, SpecLoader.builtIn()));
            assertTrue(e.getMessage().contains("holds " + dir), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        // Released on close: the next proxy records.
        ProxyCommand.captureRecorder(dir, SpecLoader.builtIn()).orElseThrow().close();
    }

    @Test
    void sessionsImportedBesideARecordingProxyAreIndexedByItWithinSeconds() throws Exception {
        try (LiveCapture live = LiveCapture.open(dir, DISSECTOR)) {
            CliRunner imported = CliRunner.run("import", "--data", dir.toString(), Captures.DIR.resolve("msnp11-chat.txt").toString());
            assertEquals(Main.OK, imported.code(), imported.err());
            long deadline = System.nanoTime() + 15_000_000_000L;
            CliRunner search;
            do {
                Thread.sleep(200);
                search = CliRunner.run("search", "--data", dir.toString(), "--format", "jsonl", "session:s1 AND cmd:MSG");
            } while (search.out().isEmpty() && System.nanoTime() < deadline);
            assertTrue(search.out().contains("\"cmd\":\"MSG\""), "the proxy's live index picked up the imported session: " + search.err());
        }
    }
}

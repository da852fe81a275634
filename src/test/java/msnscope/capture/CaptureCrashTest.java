package msnscope.capture;

import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.index.CaptureIndex;
import msnscope.index.IndexTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** kill -9 while recording: nothing acknowledged is lost, torn tails are ignored, reindex rebuilds the same index. */
class CaptureCrashTest {

    @TempDir
    Path dir;

    @Test
    void killedWhileRecordingLosesNothingAcknowledgedAndReindexRebuildsTheSameIndex() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashRecorderMain.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long acked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.currentTimeMillis() + 60_000;
            for (String line; acked < 3_000 && System.currentTimeMillis() < deadline && (line = out.readLine()) != null; ) {
                if (line.startsWith("acked ")) {
                    acked = Long.parseLong(line.substring(6).trim());
                }
            }
            // Let it run on a little: the kill lands in the middle of writing, not after a report.
            Thread.sleep(150);
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(acked >= 3_000, "the child recorded and acknowledged frames before the kill (" + acked + ")");

        CaptureStore store = new CaptureStore(dir);
        // Simulate the worst torn write: half a record at the end of the last file that has its magic (the
        // kill may have landed right after the newest file was created, before its magic was written).
        String last = null;
        for (String s : store.sessions()) {
            if (Files.size(store.file(s)) >= CaptureFormat.MAGIC.length) {
                last = s;
            }
        }
        byte[] half = CaptureFormat.encode(new CaptureRecord.ConnectionClosed("c1", 1L, "never finished"));
        Files.write(store.file(last), java.util.Arrays.copyOf(half, half.length / 2), StandardOpenOption.APPEND);

        long frames = 0;
        for (String s : store.sessions()) {
            try (CaptureReader r = CaptureReader.open(store.file(s), 0)) {
                for (CaptureRecord rec; (rec = r.next()) != null; ) {
                    if (rec instanceof CaptureRecord.FrameRecord) {
                        frames++;
                    }
                }
            }
        }
        assertTrue(frames >= acked, "every acknowledged frame is in the capture: " + frames + " >= " + acked);

        Dissector dissector = new Dissector(SpecLoader.builtIn());
        try (CaptureIndex index = CaptureIndex.open(store, dissector)) {
            List<String> caughtUp = IndexTestSupport.documents(index);
            assertTrue(caughtUp.stream().filter(j -> j.startsWith("{\"session\"") && j.contains("\"seq\"")).count() >= frames,
                    "opening the index caught up with every recorded frame");
            index.reindex();
            assertEquals(caughtUp, IndexTestSupport.documents(index), "reindex rebuilds an identical index");
        }
        // A recorder appending to the session after the crash starts after its last good record.
        try (CaptureWriter w = CaptureWriter.append(store.file(last), false)) {
            w.append(new CaptureRecord.ConnectionClosed("c1", 2L, "after restart"));
        }
        List<CaptureRecord> records = store.records(last);
        assertEquals(new CaptureRecord.ConnectionClosed("c1", 2L, "after restart"), records.get(records.size() - 1));
    }
}

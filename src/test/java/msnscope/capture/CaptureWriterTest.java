package msnscope.capture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CaptureWriterTest {

    @TempDir
    Path dir;

    private static CaptureRecord closed(int i) {
        return new CaptureRecord.ConnectionClosed("c" + i, i, "closed " + i);
    }

    @Test
    void aFlushThatCannotOpenItsFileKeepsTheRecordsIntactForTheNextOne() throws Exception {
        Path file = dir.resolve("s1.msncap");
        Path away = dir.resolve("elsewhere");
        CaptureWriter w = CaptureWriter.create(file, false);
        w.append(closed(1));
        w.flush();
        w.release();
        w.append(closed(2));
        Files.move(file, away);
        assertThrows(IOException.class, w::flush, "the file is gone: the descriptor cannot be opened");
        Files.move(away, file);
        w.append(closed(3));
        w.close();
        List<CaptureRecord> records = CaptureReader.readAll(file);
        assertEquals(List.of(closed(1), closed(2), closed(3)), records, "every record once, in order, nothing in between");
        try (CaptureReader r = CaptureReader.open(file, 0)) {
            while (r.next() != null) {
                // to the end
            }
            assertEquals(0, r.tornBytes());
        }
    }

    @Test
    void writesAfterReleaseContinueWhereTheFileEnded() throws Exception {
        Path file = dir.resolve("s1.msncap");
        CaptureWriter w = CaptureWriter.create(file, false);
        for (int i = 0; i < 100; i++) {
            w.append(closed(i));
            w.flush();
            if (i % 7 == 0) {
                w.release();
                assertFalse(w.holdsFile());
            }
        }
        w.close();
        assertEquals(100, CaptureReader.readAll(file).size());
        assertEquals(Files.size(file), w.length());
    }
}

package msnscope.index;

import msnscope.capture.CaptureStore;
import msnscope.capture.EditedSession;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.export.FrameJson;
import msnscope.search.FrameFilter;
import msnscope.wire.FramerLimits;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The index keeps each frame's edit and delivery (the stored frame), and a live filter sees the edit fields as search does. */
class EditedStoredFrameTest {

    @TempDir
    Path dir;

    private List<Dissection> recorded() throws Exception {
        CaptureStore store = new CaptureStore(dir);
        EditedSession.record(store);
        List<Dissection> out = new ArrayList<>();
        for (ConnectionLog c : store.load("s1", new Dissector(SpecLoader.builtIn()), FramerLimits.DEFAULT).connections()) {
            out.addAll(c.frames());
        }
        return out;
    }

    @Test
    void aStoredFrameGivesBackItsEditAndAnEmptyDeliveryExactly() throws Exception {
        int edited = 0;
        for (Dissection d : recorded()) {
            Dissection back = StoredFrame.decode(new BytesRef(StoredFrame.encode(d)));
            assertEquals(d.edit(), back.edit(), d.frame().line());
            assertArrayEquals(d.forwarded(), back.forwarded(), d.frame().line());
            assertEquals(FrameJson.toLine(d, java.util.Map.of()), FrameJson.toLine(back, java.util.Map.of()));
            edited += d.edit() == null ? 0 : 1;
        }
        assertEquals(6, edited);
    }

    @Test
    void aFilterSeesTheEditFieldsAsSearchDoes() throws Exception {
        List<Dissection> frames = recorded();
        assertEquals(6, matching(frames, "edited:true").size());
        assertEquals(List.of("PNG", "QNG 50"), matching(frames, "made:TRUE"));
        assertEquals(List.of("MSG bob@example.com Bob 150"), matching(frames, "editedBy:\"rule 2\""));
        assertEquals(List.of("PNG"), matching(frames, "editedBy:\"rule 1\" AND dir:C2S"), "the answered PNG, not the hook's");
        assertEquals(frames.size() - 6, matching(frames, "* AND NOT edited:true").size());
    }

    private static List<String> matching(List<Dissection> frames, String query) throws Exception {
        FrameFilter f = FrameFilter.parse(query);
        return frames.stream().filter(d -> f.matches(d, null)).map(d -> d.frame().line()).toList();
    }
}

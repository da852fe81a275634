package msnscope.proxy;

import msnscope.capture.CaptureRecord;
import msnscope.capture.CaptureStore;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.index.CaptureIndex;
import msnscope.index.LiveCapture;
import msnscope.search.FrameSearch;
import msnscope.search.MsnQueryParser;
import msnscope.transcript.TranscriptWriter;
import msnscope.capture.Importer;
import msnscope.wire.FramerLimits;
import org.apache.lucene.search.IndexSearcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The whole path: two scripted clients log in and chat through the real proxy with {@code --data}
 * recording; then the sessions, a search, and an export that imports back to the same frames.
 */
class CaptureProxyEndToEndTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    @TempDir
    Path dir;

    @Test
    void loginAndChatThroughTheProxyAreRecordedStitchedSearchableAndExportable() throws Exception {
        int frames;
        try (ProxyFixture fx = new ProxyFixture(); LiveCapture live = LiveCapture.open(dir, DISSECTOR)) {
            fx.proxy.addWireListener(live);
            Conversation talk = new Conversation(fx);
            talk.aliceAndBobChat(11, false);
            assertEquals(0, live.recorder().lost());
            frames = (int) live.recorder().acknowledged();
            assertEquals(fx.settled().frames.size(), frames, "every frame the proxy reported is recorded");
        }
        CaptureStore store = new CaptureStore(dir);
        assertEquals(List.of("s1", "s2"), store.sessions(), "one session per login");
        for (String s : store.sessions()) {
            CaptureStore.Loaded l = store.load(s, DISSECTOR, FramerLimits.DEFAULT);
            List<String> roles = l.connections().stream().map(c -> c.role().name()).toList();
            assertEquals(List.of("DS", "NS", "SB"), roles, s + ": the dispatch server, the NS it referred to, the switchboard");
            String account = l.connections().get(0).account();
            for (ConnectionLog c : l.connections()) {
                assertEquals(account, c.account(), s + " is one login");
                assertNotNull(l.infos().get(c.id()).proxy(), "the proxy endpoint is recorded");
                assertNotNull(l.infos().get(c.id()).client());
            }
            long rewritten = l.records().stream().filter(r -> r instanceof CaptureRecord.FrameRecord f && f.rewritten() != null).count();
            assertTrue(rewritten >= 1, s + ": the rewritten referral bytes are kept next to the original");
        }
        try (CaptureIndex index = CaptureIndex.open(store, DISSECTOR)) {
            IndexSearcher searcher = index.acquire();
            try {
                FrameSearch.Result hello = FrameSearch.search(searcher, new MsnQueryParser(0).parseQuery("hello AND cmd:msg"),
                        FrameSearch.Options.defaults());
                assertTrue(hello.total() >= 2, "the chat line, sent by alice and delivered to bob");
                FrameSearch.Result xfr = FrameSearch.search(searcher, new MsnQueryParser(0).parseQuery("cmd:xfr AND account:bob@example.com"),
                        FrameSearch.Options.defaults());
                assertTrue(xfr.total() >= 1);
            } finally {
                index.release(searcher);
            }
        }
        // Export s1 as a transcript and import it: the same bytes, frame for frame.
        CaptureStore.Loaded s1 = store.load("s1", DISSECTOR, FramerLimits.DEFAULT);
        StringBuilder transcript = new StringBuilder();
        TranscriptWriter w = new TranscriptWriter(transcript);
        for (ConnectionLog c : s1.connections()) {
            w.connection(c.server());
            c.frames().forEach(d -> w.frame(d.direction(), d.frame(), d.timeMicros()));
        }
        String copy = new Importer(store, DISSECTOR, FramerLimits.DEFAULT).transcript(transcript.toString(), "export").get(0);
        assertEquals(bytes(store, "s1"), bytes(store, copy));
    }

    private static List<String> bytes(CaptureStore store, String session) throws Exception {
        List<String> out = new ArrayList<>();
        for (CaptureRecord r : store.records(session)) {
            if (r instanceof CaptureRecord.FrameRecord f) {
                out.add(f.connection() + " " + f.direction() + " " + f.timeMicros() + " " + HexFormat.of().formatHex(f.frame().copyBytes()));
            }
        }
        return out;
    }
}

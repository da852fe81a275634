package msnscope.proxy;

import msnscope.capture.CaptureStore;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.Warning;
import msnscope.dissect.spec.SpecLoader;
import msnscope.index.CaptureIndex;
import msnscope.index.LiveCapture;
import msnscope.search.FrameSearch;
import msnscope.search.MsnQueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 9, item 1, live: a client sends {@code CHG 6 NLN 9999999999999999999} through the proxy with
 * {@code --data}. It is relayed both ways, dissected with a {@code bad-parameter} warning, and live indexing
 * goes on with the frames after it; the store opens again as a restarted proxy opens it.
 */
class HostileNumbersProxyTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    @TempDir
    Path dir;

    @Test
    void hostileNumberIsRelayedRecordedAndLiveIndexingGoesOn() throws Exception {
        try (ProxyFixture fx = new ProxyFixture(); LiveCapture live = LiveCapture.open(dir, DISSECTOR)) {
            fx.proxy.addWireListener(live);
            Conversation.User alice = new Conversation(fx).login("alice@example.com", 11);
            alice.ns.send("CHG 6 NLN 9999999999999999999");
            alice.ns.expect("CHG 6 NLN 9999999999999999999");
            alice.ns.send("CHG 7 NLN 0");
            alice.ns.expect("CHG 7 NLN 0");

            List<Dissection> hostile = fx.settled().frames.stream().filter(d -> d.frame().line().startsWith("CHG 6 ")).toList();
            assertEquals(2, hostile.size(), "seen both ways");
            for (Dissection d : hostile) {
                assertEquals(List.of(Warning.BAD_PARAMETER), d.warnings().stream().map(Warning::code).toList(), d.warnings().toString());
            }
            long deadline = System.currentTimeMillis() + 5_000;
            while (count(live.index(), "cmd:CHG AND line:7") < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(2, count(live.index(), "cmd:CHG AND line:7"), "the frames after the hostile one are indexed live");
            assertEquals(2, count(live.index(), "warning:bad-parameter AND line:9999999999999999999"));
        }
        try (CaptureIndex reopened = CaptureIndex.open(new CaptureStore(dir), DISSECTOR)) {
            assertFalse(reopened.readOnly());
            assertEquals(2, count(reopened, "warning:bad-parameter AND line:9999999999999999999"));
            reopened.reindex();
            assertEquals(2, count(reopened, "warning:bad-parameter AND line:9999999999999999999"));
        }
    }

    private static long count(CaptureIndex index, String q) throws Exception {
        index.refreshAndCommit();
        IndexSearcher s = index.acquire();
        try {
            return s == null ? 0 : FrameSearch.search(s, new MsnQueryParser(0).parseQuery(q), FrameSearch.Options.defaults()).total();
        } finally {
            index.release(s);
        }
    }
}

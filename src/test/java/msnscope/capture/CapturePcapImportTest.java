package msnscope.capture;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.pcap.ProgressListener;
import msnscope.support.Captures;
import msnscope.wire.Direction;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Each real Escargot capture imports to the frames its timeline lists, in order, on the right connection of the right login. */
class CapturePcapImportTest {

    private static final Pattern LINE = Pattern.compile("^\\s+\\d+\\.\\d+ \\[([a-z]+-(?:NS|SB))] ([CS]): (.*)$");
    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    @TempDir
    Path dir;

    /** Timeline label ({@code alice-NS}) → its C:/S: lines in order, as "C: line". */
    static Map<String, List<String>> timeline(Path file) throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String l : Files.readAllLines(file)) {
            Matcher m = LINE.matcher(l);
            if (m.matches()) {
                out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2) + ": " + m.group(3));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"escargot-msnp2", "escargot-msnp8", "escargot-msnp12"})
    void everyTimelineLineAppearsInOrderOnItsConnectionAndLoginsAreStitched(String name) throws Exception {
        CaptureStore store = new CaptureStore(dir);
        Importer importer = new Importer(store, DISSECTOR, FramerLimits.DEFAULT);
        List<long[]> progress = new ArrayList<>();
        PcapImport.Report report = PcapImport.run(importer, Captures.DIR.resolve(name + ".pcap"),
                (read, total) -> progress.add(new long[] {read, total}));
        assertEquals(2, report.sessions().size(), "one session per login (alice, bob)");
        assertEquals(4, report.connections(), "two NS and two SB connections; the HTTP login is not MSNP");
        assertFalse(progress.isEmpty());
        Map<String, List<String>> expected = timeline(Captures.DIR.resolve(name + ".timeline.txt"));
        Map<String, List<String>> actual = new LinkedHashMap<>();
        for (String s : report.sessions()) {
            CaptureStore.Loaded l = store.load(s, DISSECTOR, FramerLimits.DEFAULT);
            String login = null;
            for (ConnectionLog c : l.connections()) {
                String who = c.account().substring(0, c.account().indexOf('@'));
                login = login == null ? who : login;
                assertEquals(login, who, "connections of " + s + " belong to one login");
                String label = who + "-" + (c.role() == FormSpec.Role.SB ? "SB" : "NS");
                List<String> lines = new ArrayList<>();
                for (Dissection d : c.frames()) {
                    lines.add((d.direction() == Direction.C2S ? "C" : "S") + ": " + d.frame().line());
                    assertNotNull(d.timeMicros(), "pcap frames carry capture times");
                }
                assertNull(actual.put(label, lines), "one connection per label");
            }
        }
        assertEquals(expected.keySet(), actual.keySet());
        for (String label : expected.keySet()) {
            // In order per direction: across directions the timeline has the script's logging order, while the
            // store has capture order (a server push can be captured before the client line the script logged first).
            for (String dir : List.of("C: ", "S: ")) {
                assertEquals(expected.get(label).stream().filter(l -> l.startsWith(dir)).toList(),
                        actual.get(label).stream().filter(l -> l.startsWith(dir)).toList(), label + " " + dir);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aCaptureThatStartsMidSessionImportsWithGuessedRolesAndVersions() throws Exception {
        msnscope.pcap.PcapResult result = msnscope.pcap.PcapReader.read(Captures.DIR.resolve("escargot-msnp8.pcap"));
        List<Importer.RawConnection> raw = new ArrayList<>();
        for (msnscope.pcap.TcpConnection c : result.connections()) {
            if (!msnscope.pcap.MsnpDetector.looksLikeMsnp(c)) {
                continue;
            }
            // Drop the first 40% of each connection's chunks: no VER, no login, no switchboard USR/ANS.
            List<Importer.Chunk> chunks = new ArrayList<>();
            List<msnscope.pcap.TcpChunk> all = c.chunks();
            for (msnscope.pcap.TcpChunk ch : all.subList(all.size() * 2 / 5, all.size())) {
                chunks.add(new Importer.Chunk(ch.dir(), ch.timeMicros(), ch.data()));
            }
            raw.add(new Importer.RawConnection(c.id(), msnscope.proxy.HostPortText.of(c.client()), msnscope.proxy.HostPortText.of(c.server()), c.firstMicros(), chunks));
        }
        CaptureStore store = new CaptureStore(dir);
        List<String> sessions = new Importer(store, DISSECTOR, FramerLimits.DEFAULT).connections(raw, "mid", true);
        assertFalse(sessions.isEmpty());
        long frames = 0;
        java.util.Set<String> warnings = new java.util.HashSet<>();
        for (String s : sessions) {
            for (ConnectionLog c : store.load(s, DISSECTOR, FramerLimits.DEFAULT).connections()) {
                assertNotNull(c.role(), "a role is guessed for every connection");
                for (Dissection d : c.frames()) {
                    frames++;
                    d.warnings().forEach(w -> warnings.add(w.code()));
                }
            }
        }
        assertTrue(frames > 20, "frames after the cut are all kept: " + frames);
        assertTrue(warnings.contains("role-guessed") || warnings.contains("version-guessed"), warnings.toString());
    }
}

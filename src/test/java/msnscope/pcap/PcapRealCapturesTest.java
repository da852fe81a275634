package msnscope.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import msnscope.wire.Direction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real Escargot captures: every MSNP connection of the timeline is found, with exactly the bytes the
 * scripted client sent and received, and the HTTP login is told apart as non-MSNP.
 */
class PcapRealCapturesTest {
    private static final Path CAPTURES = Path.of("captures");

    private record Found(String name, TcpConnection connection) {
    }

    @ParameterizedTest(name = "escargot-msnp{0}")
    @ValueSource(ints = {2, 8, 12})
    void everyTimelineConnectionIsReassembledWithExactlyItsCommandLines(int version) throws Exception {
        PcapResult result = PcapReader.read(CAPTURES.resolve("escargot-msnp" + version + ".pcap"));
        Timeline timeline = Timeline.parse(CAPTURES.resolve("escargot-msnp" + version + ".timeline.txt"));

        assertEquals(List.of(), result.problems());
        List<Found> found = match(result, timeline);
        assertEquals(List.of("alice-NS", "bob-NS", "alice-SB", "bob-SB"), timeline.connectionOrder);
        assertEquals(timeline.connectionOrder, found.stream().map(Found::name).toList(),
                "MSNP connections in order of their first packet");
        for (Found f : found) {
            TcpConnection c = f.connection();
            assertTrue(MsnpDetector.looksLikeMsnp(c), f.name() + " is MSNP");
            assertTrue(c.sawSyn() && c.clientKnownFromSyn() && c.closed(), f.name() + " handshake and close");
            assertEquals(List.of(), c.problems(), f.name());
            assertEquals(f.name().endsWith("NS") ? 1863 : 1864, c.server().getPort(), f.name() + " server port");
        }
    }

    @ParameterizedTest(name = "escargot-msnp{0}")
    @ValueSource(ints = {2, 8, 12})
    void theHttpLoginIsTheOnlyNonMsnpConnection(int version) throws Exception {
        PcapResult result = PcapReader.read(CAPTURES.resolve("escargot-msnp" + version + ".pcap"));
        Timeline timeline = Timeline.parse(CAPTURES.resolve("escargot-msnp" + version + ".timeline.txt"));

        List<TcpConnection> other = result.connections().stream().filter(c -> !MsnpDetector.looksLikeMsnp(c)).toList();
        assertEquals(timeline.httpRequests, other.size(), "one HTTP connection per login");
        for (TcpConnection c : other) {
            assertEquals(8081, c.server().getPort());
            assertTrue(new String(c.bytes(Direction.C2S), StandardCharsets.ISO_8859_1).startsWith("GET /login HTTP/1.1\r\n"));
        }
        assertEquals(4 + timeline.httpRequests, result.connections().size());
    }

    @ParameterizedTest(name = "escargot-msnp{0}")
    @ValueSource(ints = {2, 8, 12})
    void chunksFollowTheTimelinesOrderAcrossDirections(int version) throws Exception {
        PcapResult result = PcapReader.read(CAPTURES.resolve("escargot-msnp" + version + ".pcap"));
        Timeline timeline = Timeline.parse(CAPTURES.resolve("escargot-msnp" + version + ".timeline.txt"));

        for (Found f : match(result, timeline)) {
            List<Direction> expected = collapse(timeline.byConnection().get(f.name()).stream().map(Timeline.Entry::dir).toList());
            List<Direction> actual = collapse(f.connection().chunks().stream().map(TcpChunk::dir).toList());
            assertEquals(expected, actual, f.name() + ": turns of speech");
        }
    }

    @ParameterizedTest(name = "escargot-msnp{0}")
    @ValueSource(ints = {2, 8, 12})
    void chunkTimesNeverGoBackwards(int version) throws Exception {
        PcapResult result = PcapReader.read(CAPTURES.resolve("escargot-msnp" + version + ".pcap"));
        long previous = 0;
        for (TcpConnection c : result.connections()) {
            assertTrue(c.firstMicros() >= previous, "connections ordered by first packet");
            previous = c.firstMicros();
            long t = c.firstMicros();
            for (TcpChunk chunk : c.chunks()) {
                assertTrue(chunk.timeMicros() >= t, c.id());
                t = chunk.timeMicros();
            }
        }
        // 2024 or later, in microseconds: the real capture's clock, not seconds or nanoseconds.
        assertTrue(result.connections().get(0).firstMicros() > 1_700_000_000_000_000L);
    }

    /** Each timeline connection is the one capture connection carrying exactly its bytes both ways. */
    private static List<Found> match(PcapResult result, Timeline timeline) {
        Map<String, List<Timeline.Entry>> byConnection = timeline.byConnection();
        List<Found> found = new ArrayList<>();
        for (String name : byConnection.keySet()) {
            byte[] c2s = timeline.bytes(name, Direction.C2S);
            byte[] s2c = timeline.bytes(name, Direction.S2C);
            List<TcpConnection> same = result.connections().stream()
                    .filter(c -> java.util.Arrays.equals(c.bytes(Direction.C2S), c2s))
                    .toList();
            assertEquals(1, same.size(), name + ": capture connections whose client bytes are the timeline's");
            assertArrayEquals(s2c, same.get(0).bytes(Direction.S2C), name + ": server bytes");
            assertFalse(c2s.length == 0);
            found.add(new Found(name, same.get(0)));
        }
        found.sort(java.util.Comparator.comparingLong(f -> f.connection().firstMicros()));
        return found;
    }

    private static List<Direction> collapse(List<Direction> dirs) {
        List<Direction> out = new ArrayList<>();
        for (Direction d : dirs) {
            if (out.isEmpty() || out.get(out.size() - 1) != d) {
                out.add(d);
            }
        }
        return out;
    }
}

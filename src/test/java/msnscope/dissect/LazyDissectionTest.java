package msnscope.dissect;

import msnscope.dissect.spec.SpecLoader;
import msnscope.export.FrameJson;
import msnscope.support.Captures;
import msnscope.support.Conversation;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dissection makes its summary and decodes its payload when first read (issue 10: the relay does not pay
 * for what only the console and the index read). Whenever and from whichever thread it is read, it must say
 * what it would have said had it been read the moment the frame was dissected.
 */
class LazyDissectionTest {

    /** One connection's frames of a capture, dissected again by a fresh stream; {@code readAtOnce}: each read as it comes. */
    private static List<Dissection> redissect(ConnectionLog c, boolean readAtOnce) {
        Dissector dissector = new Dissector(SpecLoader.builtIn());
        StreamDissector stream = dissector.stream(new SessionContext("lazy"), "c1", null);
        List<Dissection> out = new ArrayList<>();
        for (Dissection original : c.frames()) {
            Dissection d = stream.dissect(original.frame(), original.direction(), original.timeMicros());
            if (readAtOnce) {
                FrameJson.toLine(d, Map.of());
            }
            out.add(d);
        }
        stream.close();
        return out;
    }

    @Test
    void dissectionsReadLaterOnOtherThreadsSayWhatTheySaidWhenReadAtOnce() throws Exception {
        ExecutorService readers = Executors.newFixedThreadPool(4);
        int compared = 0;
        try {
            for (Path t : Captures.transcripts()) {
                for (ConnectionLog c : Captures.dissect(t).connections()) {
                    List<String> atOnce = redissect(c, true).stream().map(d -> FrameJson.toLine(d, Map.of())).toList();
                    List<Dissection> later = redissect(c, false);
                    // Four threads race to read the same dissections first; every one must see the same thing.
                    List<Future<List<String>>> reads = new ArrayList<>();
                    for (int k = 0; k < 4; k++) {
                        Callable<List<String>> read = () -> later.stream().map(d -> FrameJson.toLine(d, Map.of())).toList();
                        reads.add(readers.submit(read));
                    }
                    for (Future<List<String>> r : reads) {
                        assertEquals(atOnce, r.get(), Captures.name(t));
                    }
                    compared += atOnce.size();
                }
            }
        } finally {
            readers.shutdownNow();
        }
        assertTrue(compared > 300, "compared " + compared + " frames");
    }

    /** Warnings made when the payload is first read keep their place before those the end of the connection adds. */
    @Test
    void payloadWarningsOfAnUnreadRequestComeBeforeItsUnansweredWarning() {
        Conversation c = new Conversation();
        c.client("ANS 1 alice@example.com 12345.678 999");
        Dissection msg = c.client("MSG 2 A 5", "hello");
        c.stream().close();
        List<String> codes = msg.warnings().stream().map(Warning::code).toList();
        assertTrue(codes.contains(Warning.PAYLOAD_MALFORMED), codes.toString());
        assertEquals(Warning.UNANSWERED, codes.get(codes.size() - 1), codes.toString());
        assertTrue(msg.fields().get("payload") instanceof Map<?, ?>, "the payload is decoded into its field: " + msg.fields());
        assertTrue(msg.summary().startsWith("Send a message with acknowledgement"), msg.summary());
    }

    /** A frame without payload never gets a payload field, read or not. */
    @Test
    void aFrameWithAnEmptyPayloadHasNoPayloadField() {
        Conversation c = new Conversation();
        c.client("ANS 1 alice@example.com 12345.678 999");
        Dissection msg = c.client("MSG 2 N 0");
        assertEquals(List.of("trid", "mode", "length"), List.copyOf(msg.fields().keySet()));
    }
}

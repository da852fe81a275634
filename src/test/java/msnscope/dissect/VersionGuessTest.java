package msnscope.dissect;

import msnscope.pcap.PcapReader;
import msnscope.pcap.TcpChunk;
import msnscope.pcap.TcpConnection;
import msnscope.support.Captures;
import msnscope.support.Conversation;
import msnscope.wire.Direction;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a connection's version is taken to be when no server VER reply has been seen (yet). */
class VersionGuessTest {

    private static List<String> guesses(List<Dissection> frames) {
        List<String> out = new ArrayList<>();
        for (Dissection d : frames) {
            d.warnings().stream().filter(w -> w.code().equals(Warning.VERSION_GUESSED))
                    .forEach(w -> out.add(d.command() + ": " + w.message()));
        }
        return out;
    }

    @Test
    void cvrPipelinedBeforeTheVerReplyIsReadInTheOnlyOfferedVersion() {
        SessionAssembler s = Captures.dissect(Path.of("src/test/resources/transcripts/jml-pipelined-cvr.txt"));
        List<Dissection> frames = s.connections().get(0).frames();
        assertEquals(List.of("VER", "CVR", "VER"), frames.subList(0, 3).stream().map(Dissection::command).toList(),
                "the transcript pipelines CVR before the VER reply");
        assertEquals(List.of(), guesses(frames), "VER offered only MSNP11: nothing is guessed");
        Dissection cvr = frames.get(1);
        assertFalse(cvr.warnings().stream().anyMatch(w -> w.code().equals(Warning.VERSION_MISMATCH)), cvr.warnings().toString());
        assertEquals(11, s.connections().get(0).frames().get(frames.size() - 1).version());
    }

    @Test
    void cvrPipelinedAfterAnOfferOfSeveralVersionsIsNotCalledAGuessEither() {
        Conversation c = new Conversation();
        c.client("VER 1 MSNP8 MSNP9 MSNP10 CVR0");
        Dissection cvr = c.client("CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.2.0208 MSMSGS alice@example.com");
        assertEquals(List.of(), guesses(List.of(cvr)));
        assertEquals("MSNP8–10", c.stream().possibleVersions().toString(), "the offer bounds the versions until the reply");
        c.server("VER 1 MSNP9");
        assertEquals("MSNP9", c.stream().possibleVersions().toString());
    }

    @Test
    void aMidSessionGuessKeepsEveryVersionTheLinesFitAndFollowsLaterEvidence() throws Exception {
        // alice's notification server connection in a real Escargot MSNP12 capture, cut so that it starts at
        // a PNG: no VER, no login. QNG 60 fits the MSNP2–8 and the MSNP9+ forms; UUX exists only from MSNP11.
        TcpConnection alice = null;
        for (TcpConnection t : PcapReader.read(Captures.DIR.resolve("escargot-msnp12.pcap")).connections()) {
            if (new String(t.bytes(Direction.C2S), StandardCharsets.UTF_8).contains("hello from alice")
                    && new String(t.bytes(Direction.C2S), StandardCharsets.UTF_8).startsWith("VER")) {
                alice = t;
            }
        }
        assertNotNull(alice, "alice's NS connection is in the capture");
        List<TcpChunk> chunks = alice.chunks();
        int from = 0;
        while (!new String(chunks.get(from).data(), StandardCharsets.UTF_8).startsWith("PNG")) {
            from++;
        }
        Conversation c = new Conversation();
        List<Dissection> frames = new ArrayList<>();
        for (TcpChunk ch : chunks.subList(from, chunks.size())) {
            frames.addAll(c.bytes(ch.dir(), ch.data()));
        }
        frames.addAll(c.close());
        List<String> commands = frames.stream().map(Dissection::command).toList();
        assertEquals(List.of("PNG", "QNG", "UUX"), commands.subList(0, 3), commands.toString());

        List<String> guesses = guesses(frames);
        assertFalse(guesses.isEmpty(), "a guess is made and said");
        assertTrue(guesses.get(0).startsWith("UUX: "), "QNG 60 narrows nothing: " + guesses);
        assertTrue(guesses.get(0).endsWith("fit MSNP11+"), guesses.toString());
        assertTrue(c.stream().possibleVersions().contains(12), "the capture's real version stays possible: " + c.stream().possibleVersions());
        assertFalse(c.stream().possibleVersions().contains(8), c.stream().possibleVersions().toString());
    }

    @Test
    void aGuessALaterCommandContradictsIsRevised() {
        Conversation c = new Conversation(new SessionContext("mid"), "c1", msnscope.dissect.spec.FormSpec.Role.NS);
        Dissection qng = c.server("QNG");
        assertEquals(List.of("QNG: no VER seen on this connection: the commands so far fit MSNP2–8"), guesses(List.of(qng)),
                "a QNG without its seconds is the MSNP2–8 form");
        Dissection ubx = c.server("UBX bob@example.com 53", "<Data><PSM></PSM><CurrentMedia></CurrentMedia></Data>");
        List<String> revised = guesses(List.of(ubx));
        assertEquals(1, revised.size(), revised.toString());
        // UBX handle length is the MSNP11–13 form (14–17 add a network id): dissectors/ says which versions.
        assertTrue(revised.get(0).contains("guess revised to MSNP11–13"), revised.toString());
        assertTrue(c.stream().possibleVersions().contains(11));
        assertFalse(c.stream().possibleVersions().contains(8));
    }
}

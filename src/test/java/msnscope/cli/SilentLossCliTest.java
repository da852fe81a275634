package msnscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.export.FrameJson;
import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nothing read is lost without a word: a cut capture, an empty capture, payloads a transcript cannot give in full. */
class SilentLossCliTest {

    @TempDir
    Path dir;

    @Test
    void aPcapCutMidPacketDissectsWhatItHoldsAndSaysWhereItWasCut() throws IOException {
        byte[] whole = Files.readAllBytes(Captures.DIR.resolve("escargot-msnp8.pcap"));
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length * 2 / 3));
        CliRunner r = CliRunner.run("dissect", "--format", "jsonl", cut.toString());
        assertEquals(0, r.code(), "the frames before the cut are dissected: " + r.err());
        assertTrue(r.out().lines().count() > 20, r.out());
        List<String> warnings = r.err().lines().toList();
        assertEquals(1, warnings.size(), "one cut, one line (not also 'headers cut by the snap length'): " + r.err());
        assertTrue(warnings.stream().allMatch(l -> l.startsWith("msnscope dissect: " + cut + ": ")), r.err());
        assertTrue(warnings.stream().anyMatch(l -> l.matches(".*file ends inside (packet \\d+: \\d+ of \\d+ bytes present|the header of packet \\d+).*")), r.err());
        // import says the same about the same file
        CliRunner i = CliRunner.run("import", cut.toString(), "--data", dir.resolve("store").toString());
        assertEquals(r.err().replace("msnscope dissect: ", "msnscope import: "), i.err());
    }

    @Test
    void aHeaderOnlyPcapSaysItHoldsNoPackets() throws IOException {
        byte[] whole = Files.readAllBytes(Captures.DIR.resolve("escargot-msnp8.pcap"));
        Path empty = dir.resolve("empty.pcap");
        Files.write(empty, Arrays.copyOf(whole, 24));
        CliRunner d = CliRunner.run("dissect", empty.toString());
        assertEquals(0, d.code());
        assertEquals("msnscope dissect: " + empty + ": the capture holds no packets (only its header)\n", d.err());
        CliRunner i = CliRunner.run("import", empty.toString(), "--data", dir.resolve("store").toString());
        assertEquals(empty + ": 0 sessions\n", i.out());
        assertEquals("msnscope import: " + empty + ": the capture holds no packets (only its header)\n", i.err());
    }

    private static List<JsonNode> frames(CliRunner r) throws IOException {
        assertEquals(0, r.code(), r.err());
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            out.add(FrameJson.MAPPER.readTree(line));
        }
        return out;
    }

    private static List<String> codes(JsonNode frame) {
        List<String> out = new ArrayList<>();
        frame.get("warnings").forEach(w -> out.add(w.get("code").asText()));
        return out;
    }

    private Path transcript(String body) throws IOException {
        Path t = dir.resolve("t.txt");
        Files.writeString(t, "C: USR 1 bob@example.com 123.456\nS: USR 1 OK bob@example.com Bob\n" + body + "S: BYE alice@example.com\n");
        return t;
    }

    @Test
    void aTranscriptPayloadAboveMaxPayloadIsKeptAsFlaggedPieces() throws IOException {
        String payload = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello bob";
        Path t = transcript("S: MSG alice@example.com Alice " + payload.length() + "\n" + payload.replace("\r\n", "\n") + "\n");
        List<JsonNode> f = frames(CliRunner.run("dissect", "--format", "jsonl", "--max-payload", "20", t.toString()));
        JsonNode msg = f.get(2);
        assertEquals("MSG", msg.get("cmd").asText());
        assertTrue(codes(msg).contains("payload-too-large"), msg.toString());
        StringBuilder pieces = new StringBuilder();
        for (JsonNode piece : f.subList(3, f.size() - 1)) {
            assertTrue(piece.get("cmd").isNull() && codes(piece).contains("payload-too-large"), piece.toString());
            pieces.append(piece.get("payload").asText());
        }
        assertEquals(payload, pieces.toString(), "every payload byte is still there");
        assertEquals("BYE", f.get(f.size() - 1).get("cmd").asText());
        assertTrue(codes(f.get(f.size() - 1)).isEmpty(), "no payload line was read as a command");
    }

    @Test
    void aTranscriptPayloadLongerThanWhatFollowsIsFlaggedTruncated() throws IOException {
        Path t = transcript("S: MSG alice@example.com Alice 5000000\nhello\n");
        List<JsonNode> f = frames(CliRunner.run("dissect", "--format", "jsonl", t.toString()));
        JsonNode piece = f.get(3);
        assertEquals("hello\r\n", piece.get("payload").asText());
        assertTrue(codes(piece).contains("payload-truncated"), piece.toString());
        String message = piece.get("warnings").get(0).get("message").asText();
        assertEquals("the stream ended after 7 of 5000000 payload bytes", message);

        Path nothing = transcript("S: MSG alice@example.com Alice 99999999999999999999\n");
        JsonNode line = frames(CliRunner.run("dissect", "--format", "jsonl", nothing.toString())).get(2);
        assertTrue(codes(line).containsAll(List.of("payload-truncated", "payload-too-large")), line.toString());

        Path inLimit = transcript("S: MSG alice@example.com Alice 500\nMIME-Version: 1.0\n");
        JsonNode mismatch = frames(CliRunner.run("dissect", "--format", "jsonl", inLimit.toString())).get(2);
        assertEquals(19, mismatch.get("payloadLength").asInt());
        assertTrue(codes(mismatch).contains("payload-length-mismatch"), mismatch.toString());
    }

    @Test
    void aTranscriptBlockThatIsNotBase64IsNamedInOneLine() throws IOException {
        Path t = transcript("S@ QUJDRA=x=\n");
        CliRunner d = CliRunner.run("dissect", t.toString());
        assertEquals(2, d.code());
        assertEquals("msnscope dissect: " + t + " line 3: the S@ block is not base64\n", d.err());
        Path p = dir.resolve("p.txt");
        Files.writeString(p, "C: VER 1 MSNP8 CVR0\nC: MSG 2 N 5\n@@ payload-base64 QQ=x\n");
        CliRunner i = CliRunner.run("import", p.toString(), "--data", dir.resolve("store").toString());
        assertEquals(2, i.code());
        assertEquals("msnscope import: skipped " + p + " line 3: the payload-base64 line is not base64\n", i.err());
    }
}

package msnscope.dissect.payload;

import static msnscope.dissect.payload.Samples.crlf;
import static msnscope.dissect.payload.Samples.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class P2pMessageTest {

    /** A P2P body: 48-byte little-endian header, data, 4-byte big-endian footer. */
    private static byte[] p2pBody(long session, long id, long offset, long total, long chunk, long flags,
                                  long ackSession, long ackUnique, long ackSize, byte[] data, int appId) {
        ByteBuffer h = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt((int) session).putInt((int) id).putLong(offset).putLong(total).putInt((int) chunk).putInt((int) flags)
                .putInt((int) ackSession).putInt((int) ackUnique).putLong(ackSize);
        ByteBuffer f = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(appId);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.array());
        out.writeBytes(data);
        out.writeBytes(f.array());
        return out.toByteArray();
    }

    private static MimePayload msg(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8(crlf("MIME-Version: 1.0", "Content-Type: application/x-msnmsgrp2p", "P2P-Dest: bob@example.com", "")));
        out.writeBytes(body);
        return MimePayload.decode(out.toByteArray());
    }

    @Test
    void p2pHeaderDecodesLittleEndianFieldsAndBigEndianFooter() {
        byte[] data = new byte[1202];
        byte[] body = p2pBody(0x01020304L, 0xFFFFFFFEL, 2404, 0x1_0000_0000L, 1202, 0x20, 0x11223344L, 0x55667788L,
                7, data, 12);
        Decoded d = P2pMessage.decode(msg(body));
        assertEquals("bob@example.com", d.get("p2p-dest"));
        assertEquals(0x01020304L, d.get("session-id"));
        assertEquals(0xFFFFFFFEL, d.get("message-id"), "unsigned 32-bit ids never turn negative");
        assertEquals(2404L, d.get("offset"));
        assertEquals(0x1_0000_0000L, d.get("total-size"));
        assertEquals(1202L, d.get("chunk-size"));
        assertEquals(0x20L, d.get("flags"));
        assertEquals(0x11223344L, d.get("ack-session-id"));
        assertEquals(0x55667788L, d.get("ack-unique-id"));
        assertEquals(7L, d.get("ack-data-size"));
        assertEquals(12L, d.get("app-id"));
        assertEquals(1202, d.get("data-length"));
        assertNull(d.get("slp"));
        assertEquals(List.of(), d.problems());
    }

    @Test
    void p2pHeaderReadsEveryByteInLittleEndianOrder() {
        byte[] raw = new byte[48];
        for (int i = 0; i < 48; i++) {
            raw[i] = (byte) (i + 1);
        }
        P2pHeader h = P2pHeader.parse(raw, 0);
        assertEquals(0x04030201L, h.sessionId());
        assertEquals(0x08070605L, h.messageId());
        assertEquals(0x100F0E0D0C0B0A09L, h.offset());
        assertEquals(0x1817161514131211L, h.totalSize());
        assertEquals(0x1C1B1A19L, h.chunkSize());
        assertEquals(0x201F1E1DL, h.flags());
        assertEquals(0x24232221L, h.ackSessionId());
        assertEquals(0x28272625L, h.ackUniqueId());
        assertEquals(0x302F2E2D2C2B2A29L, h.ackDataSize());
        assertNull(P2pHeader.parse(new byte[47], 0));
    }

    @Test
    void chunkSizeThatDiffersFromTheBytesPresentIsAProblem() {
        Decoded d = P2pMessage.decode(msg(p2pBody(5, 1, 0, 2000, 1202, 0x20, 0, 0, 0, new byte[100], 1)));
        assertEquals(100, d.get("data-length"));
        assertEquals(List.of("P2P header says the chunk is 1202 bytes but 100 data bytes are present"), d.problems());
    }

    @Test
    void chunkPastTheTotalSizeIsAProblem() {
        Decoded d = P2pMessage.decode(msg(p2pBody(5, 1, 1000, 1010, 20, 0, 0, 0, 0, new byte[20], 1)));
        assertEquals(List.of("P2P chunk ends at byte 1020, past the total size 1010"), d.problems());
    }

    @Test
    void bodyTooShortForHeaderOrFooterIsAProblem() {
        Decoded tiny = P2pMessage.decode(msg(new byte[10]));
        assertEquals(List.of("P2P body is 10 bytes, shorter than the 48-byte binary header"), tiny.problems());
        Decoded noFooter = P2pMessage.decode(msg(new byte[50]));
        assertEquals(0L, noFooter.get("session-id"));
        assertNull(noFooter.get("app-id"));
        assertTrue(noFooter.problems().get(0).contains("no complete 4-byte footer"), noFooter.problems().toString());
    }

    @Test
    void slpInviteInSessionZeroIsDecoded() {
        String context = Base64.getEncoder().encodeToString((Samples.MSNOBJ + "\0").getBytes(StandardCharsets.UTF_8));
        String slpBody = crlf("EUF-GUID: {A4268EEC-FEC5-49E5-95C3-F126696BDBF6}", "SessionID: 1980589", "AppID: 1",
                "Context: " + context, "") + "\0";
        String slp = crlf("INVITE MSNMSGR:bob@example.com MSNSLP/1.0", "To: <msnmsgr:bob@example.com>",
                "From: <msnmsgr:alice@example.com>", "Via: MSNSLP/1.0/TLP ;branch={A0D624A6-6C0C-4283-A9E0-BC97B4B46D32}",
                "CSeq: 0 ", "Call-ID: {A2D8F6E1-1A4D-4F2C-8C4E-0D2D1B7B3C1F}", "Max-Forwards: 0",
                "Content-Type: application/x-msnmsgr-sessionreqbody",
                "Content-Length: " + slpBody.getBytes(StandardCharsets.UTF_8).length, "") + slpBody;
        byte[] data = slp.getBytes(StandardCharsets.UTF_8);
        Decoded d = P2pMessage.decode(msg(p2pBody(0, 9, 0, data.length, data.length, 0, 1234, 0, 0, data, 0)));
        assertEquals(List.of(), d.problems());
        Map<?, ?> s = (Map<?, ?>) d.get("slp");
        assertEquals("INVITE MSNMSGR:bob@example.com MSNSLP/1.0", s.get("start-line"));
        assertEquals("INVITE", s.get("method"));
        assertEquals("MSNMSGR:bob@example.com", s.get("request-uri"));
        assertEquals("<msnmsgr:bob@example.com>", s.get("to"));
        assertEquals("<msnmsgr:alice@example.com>", s.get("from"));
        assertEquals("MSNSLP/1.0/TLP ;branch={A0D624A6-6C0C-4283-A9E0-BC97B4B46D32}", s.get("via"));
        assertEquals("0 ", s.get("cseq"));
        assertEquals("{A2D8F6E1-1A4D-4F2C-8C4E-0D2D1B7B3C1F}", s.get("call-id"));
        assertEquals("application/x-msnmsgr-sessionreqbody", s.get("content-type"));
        assertEquals(Map.of("Max-Forwards", "0"), s.get("other-headers"));
        assertEquals("{A4268EEC-FEC5-49E5-95C3-F126696BDBF6}", s.get("euf-guid"));
        assertEquals("MSNObject", s.get("euf-guid-name"));
        assertEquals(1980589L, s.get("session-id"));
        assertEquals(1L, s.get("app-id"));
        assertEquals(context, s.get("context"));
        assertEquals("buddy1@hotmail.com", ((Map<?, ?>) s.get("context-msnobj")).get("creator"));
        assertEquals(true, s.get("complete"));
    }

    @Test
    void slpStatusLineAndContentLengthMismatch() {
        String slp = crlf("MSNSLP/1.0 603 Decline", "To: <msnmsgr:alice@example.com>", "Content-Length: 99", "")
                + crlf("SessionID: 7", "") + "\0";
        byte[] data = slp.getBytes(StandardCharsets.US_ASCII);
        Decoded d = P2pMessage.decode(msg(p2pBody(0, 9, 0, data.length, data.length, 0, 0, 0, 0, data, 0)));
        Map<?, ?> s = (Map<?, ?>) d.get("slp");
        assertEquals(603, s.get("status-code"));
        assertEquals("Decline", s.get("reason"));
        assertEquals(List.of("SLP Content-Length is 99 but the body has " + (data.length - slp.indexOf("SessionID")) + " bytes"),
                d.problems());
    }

    @Test
    void slpSplitAcrossChunksIsMarkedIncompleteWithoutAProblem() {
        String slp = crlf("INVITE MSNMSGR:bob@example.com MSNSLP/1.0", "Content-Length: 5000", "") + "EUF-GUID: {x}\r\n";
        byte[] data = slp.getBytes(StandardCharsets.US_ASCII);
        Decoded d = P2pMessage.decode(msg(p2pBody(0, 9, 0, 5200, data.length, 0, 0, 0, 0, data, 0)));
        assertEquals(false, ((Map<?, ?>) d.get("slp")).get("complete"));
        assertEquals(List.of(), d.problems());
    }

    @Test
    void reversedTransportAddressFieldsAreDecodedUnreversed() {
        String body = crlf("Bridge: TCPv1", "Listening: true", "Nonce: {3B2E0C17-3A6F-4F46-B3C5-12D0C0C0FFEE}",
                "IPv4External-Addrs: 198.51.100.4", "IPv4External-Port: 1863",
                reverse("IPv4Internal-Addrs") + ": " + reverse("192.168.1.111 10.0.0.5"),
                reverse("IPv4Internal-Port") + ": " + reverse("4000"),
                reverse("IPv4InternalAddrsAndPorts") + ": " + reverse("192.168.1.111:4000"), "") + "\0";
        String slp = crlf("MSNSLP/1.0 200 OK", "Content-Type: application/x-msnmsgr-transrespbody",
                "Content-Length: " + body.length(), "") + body;
        byte[] data = slp.getBytes(StandardCharsets.US_ASCII);
        Decoded d = P2pMessage.decode(msg(p2pBody(0, 9, 0, data.length, data.length, 0, 0, 0, 0, data, 0)));
        assertEquals(List.of(), d.problems());
        Map<?, ?> s = (Map<?, ?>) d.get("slp");
        assertEquals(List.of(
                Map.of("field", "IPv4External-Addrs", "value", "198.51.100.4", "reversed", false),
                Map.of("field", "IPv4External-Port", "value", "1863", "reversed", false),
                Map.of("field", "IPv4Internal-Addrs", "value", "192.168.1.111 10.0.0.5", "reversed", true),
                Map.of("field", "IPv4Internal-Port", "value", "4000", "reversed", true),
                Map.of("field", "IPv4InternalAddrsAndPorts", "value", "192.168.1.111:4000", "reversed", true)),
                s.get("addresses"));
        assertEquals("5.0.0.01 111.1.861.291", ((Map<?, ?>) s.get("body")).get("srddA-lanretnI4vPI"),
                "the body map keeps the fields as sent");
    }

    @Test
    void dataInANonZeroSessionIsNeverReadAsSlp() {
        byte[] data = crlf("INVITE x MSNSLP/1.0", "").getBytes(StandardCharsets.US_ASCII);
        Decoded d = P2pMessage.decode(msg(p2pBody(77, 9, 0, data.length, data.length, 0, 0, 0, 0, data, 2)));
        assertNull(d.get("slp"));
        assertFalse(d.hasProblems());
    }

    private static String reverse(String s) {
        return new StringBuilder(s).reverse().toString();
    }
}

package msnscope.dissect.payload;

import static msnscope.dissect.payload.Samples.crlf;
import static msnscope.dissect.payload.Samples.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Text, typing, datacast, emoticon, invitation and header-field messages. */
class BodyDecodersTest {

    private static MimePayload mime(String payload) {
        return MimePayload.decode(utf8(payload));
    }

    @Test
    void textMessageIsDecodedAsUtf8WithItsFormat() {
        Decoded d = TextMessage.decode(mime(Samples.TEXT_ALICE));
        assertEquals("Hello Bob! éè ☺", d.get("text"));
        assertEquals(15, d.get("text-length"));
        assertEquals("Segoe UI", ((Map<?, ?>) d.get("format")).get("font"));
        assertFalse(d.hasProblems());
    }

    @Test
    void invalidUtf8InMessageTextIsAProblem() {
        byte[] head = utf8(crlf("MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8", ""));
        byte[] p = new byte[head.length + 3];
        System.arraycopy(head, 0, p, 0, head.length);
        p[head.length] = 'h';
        p[head.length + 1] = (byte) 0xFF;
        p[head.length + 2] = 'i';
        Decoded d = TextMessage.decode(MimePayload.decode(p));
        assertEquals("h\uFFFDi", d.get("text"));
        assertEquals(List.of("message text is not valid UTF-8 (1 invalid sequence replaced with U+FFFD)"), d.problems());
    }

    @Test
    void typingNotificationNamesTheTypingUser() {
        Decoded d = TypingMessage.decode(mime(Samples.TYPING));
        assertEquals(Map.of("typing-user", "alice@example.com"), d.fields());
        assertFalse(d.hasProblems());
        assertTrue(TypingMessage.decode(mime(crlf("MIME-Version: 1.0", "Content-Type: text/x-msmsgscontrol", "")))
                .problems().contains("typing notification has no TypingUser header"));
    }

    @Test
    void datacastNudgeIsTheOnlyDocumentedId() {
        Decoded nudge = DatacastMessage.decode(mime(crlf("MIME-Version: 1.0", "Content-Type: text/x-msnmsgr-datacast",
                "", "ID: 1", "")));
        assertEquals(1, nudge.get("id"));
        assertEquals("nudge", nudge.get("meaning"));
        assertEquals(true, nudge.get("documented"));
        assertFalse(nudge.hasProblems());

        Decoded wink = DatacastMessage.decode(mime(crlf("MIME-Version: 1.0", "Content-Type: text/x-msnmsgr-datacast",
                "", "ID: 2", "Data: " + Samples.MSNOBJ.replace("Type=\"3\"", "Type=\"8\""), "")));
        assertEquals("wink", wink.get("meaning"));
        assertEquals(false, wink.get("documented"));
        assertEquals("wink", ((Map<?, ?>) wink.get("data-msnobj")).get("type-name"));

        Decoded action = DatacastMessage.decode(mime(crlf("MIME-Version: 1.0", "Content-Type: text/x-msnmsgr-datacast",
                "", "ID: 4", "Data: waves", "")));
        assertEquals("action message", action.get("meaning"));
        assertEquals("waves", action.get("data"));
        assertEquals("voice clip", DatacastMessage.decode(mime(crlf("Content-Type: text/x-msnmsgr-datacast", "",
                "ID: 3"))).get("meaning"));
    }

    @Test
    void datacastWithoutIdIsAProblem() {
        Decoded d = DatacastMessage.decode(mime(crlf("MIME-Version: 1.0", "Content-Type: text/x-msnmsgr-datacast", "", "")));
        assertTrue(d.problems().contains("datacast has no ID line"), d.problems().toString());
    }

    @Test
    void emoticonMessageSplitsTabSeparatedShortcutAndMsnObjectPairs() {
        String smile = Samples.MSNOBJ.replace("Type=\"3\"", "Type=\"2\"");
        Decoded d = EmoticonMessage.decode(mime(crlf("MIME-Version: 1.0", "Content-Type: text/x-mms-emoticon", "")
                + ":yay:\t" + smile + "\t(cake)\t" + smile + "\t"));
        assertEquals(2, d.get("count"));
        List<?> list = (List<?>) d.get("emoticons");
        Map<?, ?> first = (Map<?, ?>) list.get(0);
        assertEquals(":yay:", first.get("shortcut"));
        assertEquals(smile, first.get("msnobj"));
        assertEquals("custom emoticon", ((Map<?, ?>) first.get("object")).get("type-name"));
        assertEquals("(cake)", ((Map<?, ?>) list.get(1)).get("shortcut"));
        // Changing Type breaks the published SHA1C: the check must notice, per emoticon.
        assertTrue(d.problems().get(0).startsWith("emoticon \":yay:\": SHA1C"), d.problems().toString());
    }

    @Test
    void emoticonShortcutWithoutObjectIsAProblem() {
        Decoded d = EmoticonMessage.decode(mime(crlf("Content-Type: text/x-mms-emoticon", "") + ":a:\t" + Samples.MSNOBJ
                + "\t:b:"));
        assertEquals(1, d.get("count"));
        assertTrue(d.problems().contains("emoticon list ends with a shortcut that has no MSNObject"), d.problems().toString());
    }

    @Test
    void inviteBodyLinesBecomeFieldsAndAddressesAreListed() {
        Decoded d = InviteMessage.decode(mime(crlf("MIME-Version: 1.0", "Content-Type: text/x-msmsgsinvite; charset=UTF-8",
                "", "IP-Address: 192.0.2.10", "IP-Address-Internal: 10.0.0.2", "Port: 6891", "PortX: 11178",
                "AuthCookie: 1185339025", "Sender-Connect: TRUE", "Invitation-Command: ACCEPT",
                "Invitation-Cookie: 8472938", "Launch-Application: FALSE", "Request-Data: IP-Address:", "")));
        assertEquals("ACCEPT", d.get("invitation-command"));
        assertEquals("8472938", d.get("invitation-cookie"));
        assertEquals(List.of(Map.of("field", "IP-Address", "value", "192.0.2.10"),
                Map.of("field", "IP-Address-Internal", "value", "10.0.0.2"), Map.of("field", "Port", "value", "6891"),
                Map.of("field", "PortX", "value", "11178")), d.get("addresses"));
        Map<?, ?> fields = (Map<?, ?>) d.get("fields");
        assertEquals("IP-Address:", fields.get("Request-Data"));
        assertEquals(List.of("IP-Address", "IP-Address-Internal", "Port", "PortX", "AuthCookie", "Sender-Connect",
                "Invitation-Command", "Invitation-Cookie", "Launch-Application", "Request-Data"), new ArrayList<>(fields.keySet()));
        assertFalse(d.hasProblems());
    }

    @Test
    void fileTransferInvitationIsRecognisedByItsGuid() {
        Decoded d = InviteMessage.decode(mime(crlf("MIME-Version: 1.0", "Content-Type: text/x-msmsgsinvite; charset=UTF-8",
                "", "Application-Name: File Transfer", "Application-GUID: {5D3E02AB-6190-11d3-BBBB-00C04F795683}",
                "Invitation-Command: INVITE", "Invitation-Cookie: 1", "Application-File: a.txt",
                "Application-FileSize: 12", "")));
        assertEquals("file transfer", d.get("application"));
        assertEquals("File Transfer", d.get("application-name"));
        assertNull(d.get("addresses"));
    }

    @Test
    void profileHeadersBecomeAFieldMapWithTheJoinedMemberId() {
        Decoded d = HeaderFieldsMessage.decode(mime(Samples.PROFILE_LF));
        Map<?, ?> fields = (Map<?, ?>) d.get("fields");
        assertEquals(21, fields.size());
        assertEquals("LoginTime", fields.keySet().iterator().next());
        assertEquals("192.168.1.111", fields.get("ClientIP"));
        assertEquals("", fields.get("PostalCode"));
        assertEquals((1L << 32) | 2L, d.get("member-id"));
        assertFalse(d.hasProblems());
    }

    @Test
    void mailDataNotificationIsSummarised() {
        String md = "<MD><E><I>12</I><IU>3</IU><O>4</O><OU>1</OU></E><Q><QTM>409600</QTM><QNM>204800</QNM></Q>"
                + "<M><T>11</T><S>6</S><RT>2005-11-15T22:24:27.000Z</RT><RS>0</RS><SZ>1223</SZ><E>bob@example.com</E>"
                + "<I>08CBD8BE-9972-433C-A9DA-84A0A725ABFA</I><F>00000000-0000-0000-0000-000000000009</F>"
                + "<N>=?utf-8?B?Ym9i?=</N></M></MD>";
        Decoded d = HeaderFieldsMessage.decode(mime(crlf("MIME-Version: 1.0",
                "Content-Type: text/x-msmsgsinitialmdatanotification; charset=UTF-8", "", "Mail-Data: " + md,
                "Inbox-URL: /cgi-bin/HoTMaiL", "")));
        Map<?, ?> mail = (Map<?, ?>) d.get("mail-data");
        assertEquals(12L, mail.get("inbox-total"));
        assertEquals(3L, mail.get("inbox-unread"));
        assertEquals(4L, mail.get("other-total"));
        assertEquals(1L, mail.get("other-unread"));
        assertEquals(409600L, mail.get("quota-total"));
        assertEquals(1, mail.get("offline-message-count"));
        Map<?, ?> oim = (Map<?, ?>) ((List<?>) mail.get("offline-messages")).get(0);
        assertEquals("bob@example.com", oim.get("from"));
        assertEquals(1223L, oim.get("size"));
        assertEquals("/cgi-bin/HoTMaiL", ((Map<?, ?>) d.get("fields")).get("Inbox-URL"));
        assertFalse(d.hasProblems(), d.problems().toString());
    }

    @Test
    void malformedMailDataIsAProblem() {
        Decoded d = HeaderFieldsMessage.decode(mime(crlf("Content-Type: text/x-msmsgsoimnotification", "",
                "Mail-Data: <MD><E>")));
        assertTrue(d.problems().get(0).startsWith("Mail-Data: malformed XML"), d.problems().toString());
        assertEquals("too-large", ((Map<?, ?>) HeaderFieldsMessage.decode(mime(crlf(
                "Content-Type: text/x-msmsgsoimnotification", "", "Mail-Data: too-large"))).get("mail-data")).get("value"));
    }

    @Test
    void emailNotificationFieldsComeFromTheBody() {
        Decoded d = HeaderFieldsMessage.decode(mime(crlf("MIME-Version: 1.0",
                "Content-Type: text/x-msmsgsemailnotification; charset=UTF-8", "", "From: Bob",
                "Message-URL: /cgi-bin/getmsg?msg=MSG1", "Subject: =?utf-8?B?aGk=?=", "Dest-Folder: ACTIVE", "")));
        assertEquals(List.of("From", "Message-URL", "Subject", "Dest-Folder"),
                new ArrayList<>(((Map<?, ?>) d.get("fields")).keySet()));
    }

    @Test
    void textMessageBytesRoundTripThroughTheCapture() {
        assertEquals("Hi Alice, got it.", new String(mime(Samples.TEXT_BOB).body(), StandardCharsets.UTF_8));
        assertEquals("AAA=", Base64.getEncoder().encodeToString(new byte[2]));
    }
}

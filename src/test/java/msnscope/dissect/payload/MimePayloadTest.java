package msnscope.dissect.payload;

import static msnscope.dissect.payload.Samples.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MimePayloadTest {

    @Test
    void crlfHeadersAreSplitFromTheBodyKeepingOrderAndCase() {
        MimePayload m = MimePayload.decode(utf8(Samples.TYPING));
        assertEquals(List.of(new MimeHeader("MIME-Version", "1.0"),
                new MimeHeader("Content-Type", "text/x-msmsgscontrol"),
                new MimeHeader("TypingUser", "alice@example.com")), m.headers());
        assertArrayEquals(utf8("\r\n"), m.body());
        assertEquals(88, m.bodyOffset());
        assertEquals("CRLF", m.lineEndings());
        assertEquals("text/x-msmsgscontrol", m.contentType());
        assertNull(m.charset());
        assertEquals(List.of(), m.problems());
    }

    @Test
    void contentTypeAndCharsetAreSplitOutWhileTheHeaderStaysRaw() {
        MimePayload m = MimePayload.decode(utf8(Samples.TEXT_ALICE));
        assertEquals("text/plain", m.contentType());
        assertEquals("UTF-8", m.charset());
        assertEquals("FN=Segoe%20UI; EF=; CO=0; CS=1; PF=0", m.header("x-mms-im-format"));
        assertEquals("Hello Bob! éè ☺", new String(m.body(), StandardCharsets.UTF_8));
    }

    @Test
    void bareLfHeadersAsInTheWikiTranscriptAreAccepted() {
        MimePayload m = MimePayload.decode(utf8(Samples.PROFILE_LF));
        assertEquals("LF", m.lineEndings());
        assertEquals("text/x-msmsgsprofile", m.contentType());
        assertEquals("192.168.1.111", m.header("ClientIP"));
        assertEquals("", m.header("PostalCode"));
        assertEquals(23, m.headers().size());
        assertEquals(0, m.bodyLength());
        assertEquals(List.of(), m.problems());
    }

    @Test
    void missingBlankLineIsAProblem() {
        MimePayload m = MimePayload.decode(utf8("MIME-Version: 1.0\r\nContent-Type: text/plain\r\n"));
        assertTrue(m.problems().contains("MIME header block has no blank line"), m.problems().toString());
        assertEquals(2, m.headers().size());
        assertEquals(0, m.bodyLength());
    }

    @Test
    void mixedLineEndingsAreAProblem() {
        MimePayload m = MimePayload.decode(utf8("MIME-Version: 1.0\r\nContent-Type: text/plain\n\r\nhi"));
        assertEquals("mixed", m.lineEndings());
        assertTrue(m.problems().get(0).contains("mix CRLF and bare LF"), m.problems().toString());
        assertEquals("hi", new String(m.body(), StandardCharsets.US_ASCII));
    }

    @Test
    void headerLineWithoutColonIsAProblemNotAnException() {
        MimePayload m = MimePayload.decode(utf8("MIME-Version: 1.0\r\ngarbage\r\nContent-Type: text/plain\r\n\r\n"));
        assertEquals(2, m.headers().size());
        assertTrue(m.problems().get(0).contains("has no colon"), m.problems().toString());
    }

    @Test
    void repeatedHeaderMapsToAListOfValuesAndIsReported() {
        Decoded d = MimePayload.decode(utf8(Samples.crlf("MIME-Version: 1.0", "Content-Type: text/plain",
                "X-Dup: one", "X-Dup: two", "") + "body")).toDecoded();
        assertEquals(List.of("one", "two"), ((Map<?, ?>) d.get("headers")).get("X-Dup"));
        assertTrue(d.problems().stream().anyMatch(p -> p.contains("X-Dup")), d.problems().toString());
        assertEquals(4, d.get("body-length"));
    }

    @Test
    void toDecodedGivesContentTypeCharsetHeadersBodyLengthAndLineEndings() {
        Decoded d = MimePayload.decode(utf8(Samples.TEXT_BOB)).toDecoded();
        assertEquals(List.of("content-type", "charset", "headers", "body-length", "line-endings"),
                List.copyOf(d.fields().keySet()));
        assertEquals("text/plain", d.get("content-type"));
        assertEquals(17, d.get("body-length"));
    }

    @Test
    void replaceHeaderChangesOnlyThatValue() {
        byte[] in = utf8(Samples.PROFILE_CRLF);
        byte[] out = MimePayload.replaceHeader(in, "clientip", "203.0.113.7");
        assertEquals(Samples.PROFILE_CRLF.replace("ClientIP: 192.168.1.111", "ClientIP: 203.0.113.7"),
                new String(out, StandardCharsets.UTF_8));
        assertEquals(in.length - 2, out.length);
    }

    @Test
    void replaceHeaderKeepsBareLfAndNeverTouchesTheBody() {
        String payload = "MIME-Version: 1.0\nContent-Type: text/plain\nMSPAuth: secret\n\nMSPAuth: in the body\n";
        byte[] out = MimePayload.replaceHeader(utf8(payload), "MSPAuth", "***");
        assertEquals(payload.replace("MSPAuth: secret", "MSPAuth: ***"), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void replaceHeaderWithoutThatHeaderReturnsAnIdenticalCopy() {
        byte[] in = utf8(Samples.TYPING);
        assertArrayEquals(in, MimePayload.replaceHeader(in, "ClientIP", "1.2.3.4"));
    }

    @Test
    void replaceHeaderRefusesLineBreaksThatWouldInjectHeaders() {
        assertThrows(IllegalArgumentException.class,
                () -> MimePayload.replaceHeader(utf8(Samples.TYPING), "TypingUser", "x\r\nEvil: 1"));
    }

    @Test
    void invalidUtf8InHeadersIsAProblem() {
        byte[] p = {'X', ':', ' ', (byte) 0xC3, '\r', '\n', '\r', '\n'};
        MimePayload m = MimePayload.decode(p);
        assertEquals("\uFFFD", m.header("X"));
        assertTrue(m.problems().stream().anyMatch(s -> s.contains("not valid UTF-8")), m.problems().toString());
    }

    @Test
    void emptyAndNullPayloadsDecodeToNothingWithAProblem() {
        assertEquals(List.of("MIME header block has no blank line"), MimePayload.decode(new byte[0]).problems());
        assertEquals(0, MimePayload.decode(null).headers().size());
    }

    @Test
    void headerContentTypeNamesTheTypeAsWrittenWithoutParameters() {
        assertEquals("text/plain", MimePayload.headerContentType(utf8("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhi")));
        assertEquals("Text/X-MsMsgsControl", MimePayload.headerContentType(utf8("content-type:Text/X-MsMsgsControl\nTypingUser: a@b.c\n\n")));
        assertNull(MimePayload.headerContentType(utf8("MIME-Version: 1.0\r\n\r\nno type")));
        assertNull(MimePayload.headerContentType(utf8("Content-Type: ;charset=x\r\n")));
        assertNull(MimePayload.headerContentType(new byte[0]));
        assertNull(MimePayload.headerContentType(utf8("x".repeat(2000) + "Content-Type: text/plain\r\n")), "only the head is searched");
    }
}

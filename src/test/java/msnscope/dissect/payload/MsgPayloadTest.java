package msnscope.dissect.payload;

import static msnscope.dissect.payload.Samples.crlf;
import static msnscope.dissect.payload.Samples.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whole MSG payloads from the transcripts, as the dissector will see them. */
class MsgPayloadTest {

    @Test
    void capturedTextMessageIsDecodedByContentType() {
        Decoded d = PayloadTestSupport.decodeByDeclaredType(utf8(Samples.TEXT_BOB));
        assertEquals(List.of("content-type", "charset", "headers", "body-length", "line-endings", "decoder", "content"),
                List.copyOf(d.fields().keySet()));
        assertEquals("text", d.get("decoder"));
        Map<?, ?> content = (Map<?, ?>) d.get("content");
        assertEquals("Hi Alice, got it.", content.get("text"));
        assertEquals("#FF0000", ((Map<?, ?>) content.get("format")).get("color"));
        assertFalse(d.hasProblems());
    }

    @Test
    void capturedTypingNotificationIsDecodedByContentType() {
        Decoded d = PayloadTestSupport.decodeByDeclaredType(utf8(Samples.TYPING));
        assertEquals("typing", d.get("decoder"));
        assertEquals(Map.of("typing-user", "alice@example.com"), d.get("content"));
    }

    @Test
    void seedProfileIsDecodedAsFieldsEvenWithBareLf() {
        Decoded d = PayloadTestSupport.decodeByDeclaredType(utf8(Samples.PROFILE_LF));
        assertEquals("fields", d.get("decoder"));
        assertEquals("LF", d.get("line-endings"));
        assertEquals("1033", ((Map<?, ?>) ((Map<?, ?>) d.get("content")).get("fields")).get("lang_preference"));
        assertFalse(d.hasProblems());
    }

    @Test
    void unknownContentTypeGivesMimeFieldsOnly() {
        Decoded d = PayloadTestSupport.decodeByDeclaredType(utf8(crlf("MIME-Version: 1.0", "Content-Type: application/x-never-declared", "",
                "Client-Name: Gaim/2.0")));
        assertEquals("application/x-never-declared", d.get("content-type"));
        assertNull(d.get("decoder"));
        assertNull(d.get("content"));
    }

    @Test
    void decoderCanBeChosenByNameAsTheDissectorTablesWill() {
        MimePayload mime = MimePayload.decode(utf8(crlf("MIME-Version: 1.0", "Content-Type: text/x-clientcaps", "",
                "Client-Name: Gaim/2.0", "")));
        Decoded d = MsgPayload.decode(mime, "fields");
        assertEquals("Gaim/2.0", ((Map<?, ?>) ((Map<?, ?>) d.get("content")).get("fields")).get("Client-Name"));
        assertEquals(Optional.empty(), BodyDecoders.byName("nope"));
        assertEquals(List.of("text", "typing", "datacast", "emoticons", "invite", "fields", "p2p"),
                List.copyOf(BodyDecoders.names()));
        assertEquals("p2p", PayloadTestSupport.declaredDecoder("application/x-msnmsgrp2p"));
        assertEquals("emoticons", PayloadTestSupport.declaredDecoder("text/x-mms-animemoticon"));
    }
}

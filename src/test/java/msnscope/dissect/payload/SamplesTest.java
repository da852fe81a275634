package msnscope.dissect.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The copied payloads must be byte-for-byte what the transcripts announce, or every other test lies. */
class SamplesTest {

    @Test
    void copiedPayloadsHaveTheLengthsTheirCommandLinesAnnounce() {
        assertEquals(90, Samples.utf8(Samples.TYPING).length);
        assertEquals(136, Samples.utf8(Samples.TEXT_ALICE).length);
        assertEquals(132, Samples.utf8(Samples.TEXT_BOB).length);
        assertEquals(465, Samples.utf8(Samples.PROFILE_CRLF).length);
        assertEquals(145, Samples.utf8(Samples.SHIELDS).length);
        assertEquals(54, Samples.utf8(Samples.UBX_FRAGMENT).length);
        assertEquals(40, Samples.utf8(Samples.UUX_EMPTY_FRAGMENT).length);
        assertEquals(69, Samples.utf8(Samples.UUX_ALICE).length);
        assertEquals(53, Samples.utf8(Samples.UBX_EMPTY).length);
    }
}

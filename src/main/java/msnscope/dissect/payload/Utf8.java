package msnscope.dissect.payload;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * UTF-8 decoding that counts what it had to replace. MSNP payloads are UTF-8 by convention, but the bytes
 * come from the wire: an invalid sequence is evidence worth reporting, not a reason to fail.
 */
final class Utf8 {

    private Utf8() {
    }

    /**
     * Decodes {@code len} bytes from {@code off}; each malformed or unmappable sequence becomes U+FFFD and is
     * counted. {@code what} names the decoded thing in the problem sentence ("message text").
     */
    static DecodedText decode(byte[] bytes, int off, int len, String what) {
        if (isAscii(bytes, off, len)) {
            // The common case: no decoder state to set up.
            return DecodedText.clean(new String(bytes, off, len, StandardCharsets.ISO_8859_1));
        }
        if (msnscope.wire.Frame.isUtf8(bytes, off, len)) {
            // Nothing to replace, so nothing to count: the String constructor decodes it as the decoder would.
            return DecodedText.clean(new String(bytes, off, len, StandardCharsets.UTF_8));
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, off, len);
        CharBuffer out = CharBuffer.allocate(len + 1);
        int replaced = 0;
        while (true) {
            CoderResult r = in.hasRemaining() ? decoder.decode(in, out, true) : CoderResult.UNDERFLOW;
            if (r.isError()) {
                out.put('\uFFFD');
                in.position(in.position() + r.length());
                replaced++;
                continue;
            }
            if (r.isOverflow()) {
                CharBuffer bigger = CharBuffer.allocate(out.capacity() * 2 + 2);
                out.flip();
                bigger.put(out);
                out = bigger;
                continue;
            }
            break; // underflow with end-of-input: everything consumed
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        if (replaced == 0) {
            return DecodedText.clean(text);
        }
        return new DecodedText(text, List.of(what + " is not valid UTF-8 (" + replaced
                + " invalid sequence" + (replaced == 1 ? "" : "s") + " replaced with U+FFFD)"));
    }

    static DecodedText decode(byte[] bytes, String what) {
        return decode(bytes, 0, bytes.length, what);
    }

    private static boolean isAscii(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }
}

package msnscope.dissect.payload;

/**
 * {@code application/x-msnmsgrp2p} messages (§7.5): header {@code P2P-Dest}, then a body of a 48-byte
 * little-endian {@link P2pHeader}, the chunk data, and a 4-byte big-endian footer (the application id).
 *
 * <p>Fields: {@code p2p-dest}, {@code p2p-src} (MSNP16+), the header fields of {@link P2pHeader#toFields()},
 * {@code data-length} (data bytes actually present), {@code app-id} (the footer, raw number), and
 * {@code slp} (see {@link SlpMessage}) when the session id is 0 and the data is SLP text. Problems: a body
 * too short for the header or footer, a chunk size that differs from the data present, a chunk that runs
 * past the total size.
 */
public final class P2pMessage {

    /** Footer length in bytes. */
    public static final int FOOTER_LENGTH = 4;

    private P2pMessage() {
    }

    public static Decoded decode(MimePayload mime) {
        Decoded.Builder b = Decoded.builder();
        b.put("p2p-dest", mime.header("P2P-Dest"));
        b.put("p2p-src", mime.header("P2P-Src"));
        b.merge(decodeBody(mime.bodyBytes()));
        return b.build();
    }

    /** Decodes a P2P body (header, data, footer) on its own, e.g. after a framing layer has removed the MIME. */
    public static Decoded decodeBody(byte[] body) {
        Decoded.Builder b = Decoded.builder();
        byte[] p = body == null ? new byte[0] : body;
        P2pHeader h = P2pHeader.parse(p, 0);
        if (h == null) {
            return b.put("body-length", p.length)
                    .problem("P2P body is " + p.length + " bytes, shorter than the 48-byte binary header").build();
        }
        h.toFields().forEach(b::put);
        int dataLength;
        if (p.length < P2pHeader.LENGTH + FOOTER_LENGTH) {
            dataLength = p.length - P2pHeader.LENGTH;
            b.problem("P2P body has no complete 4-byte footer (" + dataLength + " bytes after the header)");
        } else {
            dataLength = p.length - P2pHeader.LENGTH - FOOTER_LENGTH;
            b.put("app-id", P2pHeader.u32BigEndian(p, p.length - FOOTER_LENGTH));
        }
        b.put("data-length", dataLength);
        if (h.chunkSize() != dataLength) {
            b.problem("P2P header says the chunk is " + h.chunkSize() + " bytes but " + dataLength
                    + " data bytes are present");
        }
        if (h.offset() < 0 || h.totalSize() < 0 || h.ackDataSize() < 0) {
            b.problem("a 64-bit P2P size field exceeds 2^63-1 and is shown as a negative number");
        } else if (h.offset() + h.chunkSize() > h.totalSize()) {
            b.problem("P2P chunk ends at byte " + (h.offset() + h.chunkSize()) + ", past the total size "
                    + h.totalSize());
        }
        if (h.sessionId() == 0 && h.offset() == 0 && SlpMessage.looksLikeSlp(p, P2pHeader.LENGTH, dataLength)) {
            boolean whole = h.totalSize() <= dataLength;
            b.nest("slp", SlpMessage.decode(p, P2pHeader.LENGTH, Math.max(0, dataLength), whole));
        }
        return b.build();
    }
}

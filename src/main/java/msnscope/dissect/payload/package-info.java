/**
 * Decoders for what MSNP commands carry after their command line: {@code MSG} payloads (MIME headers, then
 * text, typing, datacast, emoticon, invitation, header-field or binary P2P/SLP bodies), the XML of
 * {@code UUX}/{@code UBX}/{@code ADL}/{@code RML}/{@code NOT}/{@code GCF}, MSNObjects, and the small
 * encodings inside them ({@code X-MMS-IM-Format}, CurrentMedia, percent-encoding).
 *
 * <p>Every decoder is a pure function from bytes or text to an immutable {@link msnscope.dissect.payload.Decoded}:
 * ordered, JSON-ready fields named in lower case with dashes, plus problems as sentences. None of them
 * throws on any input — garbage, truncated, non-UTF-8 or oversized — because a dissector that stops at the
 * first odd byte is useless on real traffic; what is wrong is reported instead. Sizes and counts are
 * bounded (see each class), so a hostile payload cannot make a result large.
 *
 * <p>Entry points: {@link msnscope.dissect.payload.MsgPayload#decode(MimePayload, String)} for a whole {@code MSG}
 * payload, {@link msnscope.dissect.payload.XmlPayload#decode(byte[], String)} for XML payloads,
 * {@link msnscope.dissect.payload.MimePayload#replaceHeader(byte[], String, String)} for rewriting one
 * header byte-exactly.
 */
package msnscope.dissect.payload;

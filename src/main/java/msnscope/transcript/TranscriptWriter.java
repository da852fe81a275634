package msnscope.transcript;

import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * Writes frames in the transcript format that {@link TranscriptReader} reads back to the same bytes:
 * the plain wiki form where it can hold the frame exactly, an {@code @@}/{@code C@}/{@code S@} extension
 * where it cannot (binary payloads, bare LF, invalid UTF-8, truncated or over-long lines).
 */
public final class TranscriptWriter {

    private final StringBuilder out;

    public TranscriptWriter(StringBuilder out) {
        this.out = out;
    }

    public void connection(String server) {
        if (out.length() > 0) {
            out.append('\n');
        }
        out.append("Client opens a connection to ").append(server == null ? "the server" : server).append("\n\n");
    }

    public void frame(Direction dir, Frame frame, Long timeMicros) {
        if (timeMicros != null) {
            Instant t = Instant.ofEpochSecond(timeMicros / 1_000_000L, (timeMicros % 1_000_000L) * 1_000L);
            out.append("@@ time ").append(t).append('\n');
        }
        String prefix = dir.transcriptPrefix();
        if (!plainLine(frame)) {
            out.append(prefix).append("@ ").append(Base64.getEncoder().encodeToString(frame.copyBytes())).append('\n');
            return;
        }
        out.append(prefix).append(": ").append(frame.line()).append('\n');
        if (!frame.hasPayload() || frame.payloadLength() == 0) {
            return;
        }
        byte[] payload = frame.payload();
        String text = plainPayload(payload, frame.declaredLength());
        if (text == null) {
            out.append("@@ payload-base64 ").append(Base64.getEncoder().encodeToString(payload)).append('\n');
            return;
        }
        String[] lines = text.split("\r\n", -1);
        int n = text.endsWith("\r\n") ? lines.length - 1 : lines.length;
        for (int i = 0; i < n; i++) {
            out.append(lines[i]).append('\n');
        }
    }

    /** A line the plain form holds: CR LF ended, valid UTF-8 without CR, complete. */
    private static boolean plainLine(Frame frame) {
        // A streamed payload's line and pieces go raw: the reader frames raw blocks of a direction as one
        // stream, so the pieces stay the payload the line declares and are never read as commands.
        int bad = Frame.BARE_LF | Frame.LINE_TRUNCATED | Frame.LINE_TOO_LONG | Frame.PAYLOAD_TRUNCATED | Frame.PAYLOAD_TOO_LARGE
                | Frame.PAYLOAD_STREAMED | Frame.PAYLOAD_PART;
        if ((frame.flags() & bad) != 0 || frame.terminatorLength() != 2) {
            return false;
        }
        byte[] line = frame.lineBytes();
        for (byte b : line) {
            if (b == '\r' || b == 0) {
                return false;
            }
        }
        String s = new String(line, StandardCharsets.UTF_8);
        return Arrays.equals(s.getBytes(StandardCharsets.UTF_8), line) && !s.startsWith("@");
    }

    /** The payload as text when its lines rebuild to exactly these bytes, else null. */
    private static String plainPayload(byte[] payload, int declared) {
        if (payload.length != declared) {
            return null;
        }
        String s = new String(payload, StandardCharsets.UTF_8);
        if (!Arrays.equals(s.getBytes(StandardCharsets.UTF_8), payload) || s.indexOf('\0') >= 0 || s.startsWith("@@ ")
                || s.startsWith(".. ")) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean crlf = c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n';
            if (crlf) {
                i++;
            } else if (c == '\r' || c == '\n') {
                return null;
            }
        }
        // A payload line that looks like a transcript line would end the payload early on reading.
        for (String line : s.split("\r\n", -1)) {
            if (TranscriptReader.looksLikeTranscriptLine(line)) {
                return null;
            }
        }
        return s;
    }
}

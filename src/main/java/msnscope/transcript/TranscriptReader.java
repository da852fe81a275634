package msnscope.transcript;

import msnscope.wire.CommandKeys;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.EnumMap;
import java.util.Map;
import msnscope.wire.FramerLimits;
import msnscope.wire.PayloadOracle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the wiki transcript format (see {@code captures/README.md}): {@code C: }/{@code S: } lines,
 * {@code .. } continuations, payload lines rebuilt with CR LF to the declared length, narration lines
 * as connection boundaries, and msnscope's {@code @@}/{@code C@}/{@code S@} extensions for bytes the
 * plain format cannot hold.
 */
public final class TranscriptReader {

    private static final Pattern OPENS = Pattern.compile("^Client opens a connection to (\\S+).*");
    private static final Pattern HOST_PORT = Pattern.compile("[^\\s:]+:\\d{1,5}|\\[[0-9a-fA-F:]+]:\\d{1,5}");
    private static final String CONTINUATION = ".. ";
    private static final String PAYLOAD_BASE64 = "@@ payload-base64 ";
    private static final String TIME = "@@ time ";
    private static final String CONNECTION = "@@ connection ";

    private final FramerLimits limits;

    public TranscriptReader(FramerLimits limits) {
        this.limits = limits;
    }

    /** True when the text looks like a transcript: some line starts with {@code C: } or {@code S: }. */
    public static boolean looksLikeTranscript(String text) {
        return Pattern.compile("^(C|S)[:@] ", Pattern.MULTILINE).matcher(text).find();
    }

    public void read(String text, TranscriptSink sink) {
        List<String> lines = text.lines().toList();
        RawStreams rawStreams = new RawStreams(limits);
        PayloadOracle oracle = null;
        boolean closedByNarration = false;
        Long time = null;
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i++);
            Matcher opens = OPENS.matcher(line);
            if (opens.matches() || line.startsWith(CONNECTION)) {
                if (oracle != null) {
                    rawStreams.endAll(time, sink);
                    sink.close();
                }
                String target = opens.matches() ? opens.group(1) : line.substring(CONNECTION.length()).trim();
                oracle = sink.open(HOST_PORT.matcher(target).matches() ? target : null);
                closedByNarration = false;
                continue;
            }
            if (line.startsWith("Client disconnects") || line.startsWith("Server disconnects")) {
                closedByNarration = true;
                continue;
            }
            if (line.startsWith(TIME)) {
                time = parseTime(line.substring(TIME.length()).trim());
                continue;
            }
            Direction dir = direction(line);
            if (dir == null) {
                continue;
            }
            boolean raw = line.charAt(1) == '@';
            String body = line.substring(3);
            while (!raw && i < lines.size() && lines.get(i).startsWith(CONTINUATION)) {
                body = body + " " + lines.get(i++).substring(CONTINUATION.length());
            }
            if (oracle == null || (closedByNarration && dir == Direction.C2S && startsConnection(body))) {
                if (oracle != null) {
                    rawStreams.endAll(time, sink);
                    sink.close();
                }
                oracle = sink.open(null);
                closedByNarration = false;
            }
            if (raw) {
                rawStreams.frame(dir, base64(body, i, line.substring(0, 2) + " block"), oracle, time, sink);
                time = null;
                continue;
            }
            rawStreams.end(dir, time, sink);
            byte[] lineBytes = body.getBytes(StandardCharsets.UTF_8);
            String command = commandOf(body);
            long declared = declaredPayload(body, command, dir, oracle);
            byte[] payload = null;
            if (declared >= 0) {
                if (i < lines.size() && lines.get(i).startsWith(PAYLOAD_BASE64)) {
                    payload = base64(lines.get(i).substring(PAYLOAD_BASE64.length()), i + 1, "payload-base64 line");
                    i++;
                } else {
                    int[] next = {i};
                    payload = rebuildPayload(lines, next, declared);
                    i = next[0];
                }
            }
            if (declared > limits.maxPayloadLength()) {
                // Larger than --max-payload: framed as the wire framer frames it (the line flagged
                // payload-too-large, the payload in flagged pieces, a shortfall flagged truncated), so the
                // payload lines are kept and the frame says why it is not dissected.
                for (Frame f : tooLarge(lineBytes, payload, declared, dir, oracle)) {
                    sink.frame(dir, f, time);
                }
                time = null;
                continue;
            }
            sink.frame(dir, Frame.of(lineBytes, false, payload, (int) declared, command, 0), time);
            time = null;
        }
        if (oracle != null) {
            rawStreams.endAll(time, sink);
            sink.close();
        }
    }

    /**
     * The raw ({@code C@}/{@code S@}) blocks of each direction of the current connection, framed as one
     * stream: a payload the proxy streamed in pieces (its line and each piece a block of its own) is framed
     * again as the payload its line declares, so the pieces never become commands. What is left when the
     * direction's raw blocks end (a text frame follows, or the connection) is a truncated frame.
     */
    private static final class RawStreams {
        private final FramerLimits limits;
        private final Map<Direction, Framer> framers = new EnumMap<>(Direction.class);
        private final Map<Direction, ByteBuf> buffers = new EnumMap<>(Direction.class);

        RawStreams(FramerLimits limits) {
            this.limits = limits;
        }

        void frame(Direction dir, byte[] bytes, PayloadOracle oracle, Long time, TranscriptSink sink) {
            Framer framer = framers.computeIfAbsent(dir, d -> new Framer(d, oracle, limits));
            ByteBuf buf = buffers.computeIfAbsent(dir, d -> Unpooled.buffer());
            buf.writeBytes(bytes);
            for (Frame f; (f = framer.decode(buf)) != null; ) {
                sink.frame(dir, f, time);
            }
            if (!framer.insidePayload() && buf.isReadable()) {
                // A raw block holds whole frames; an unended line in it is a frame of its own (cut short).
                Frame last = framer.decodeLast(buf);
                if (last != null) {
                    sink.frame(dir, last, time);
                }
            }
            buf.discardReadBytes();
        }

        void end(Direction dir, Long time, TranscriptSink sink) {
            Framer framer = framers.remove(dir);
            ByteBuf buf = buffers.remove(dir);
            if (framer == null) {
                return;
            }
            for (Frame f; (f = framer.decodeLast(buf)) != null; ) {
                sink.frame(dir, f, time);
            }
        }

        void endAll(Long time, TranscriptSink sink) {
            for (Direction d : Direction.values()) {
                end(d, time, sink);
            }
        }
    }

    /** Decodes a base64 line; {@code lineNo} (1-based) and {@code what} name it when it is not base64. */
    private static byte[] base64(String text, int lineNo, String what) {
        try {
            return Base64.getMimeDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            throw new TranscriptException("line " + lineNo + ": the " + what + " is not base64");
        }
    }

    private static Direction direction(String line) {
        if (line.length() < 3 || line.charAt(2) != ' ' || (line.charAt(1) != ':' && line.charAt(1) != '@')) {
            return null;
        }
        return switch (line.charAt(0)) {
            case 'C' -> Direction.C2S;
            case 'S' -> Direction.S2C;
            default -> null;
        };
    }

    /** After a disconnect narration, a client VER (login) or a switchboard USR/ANS opens the next connection. */
    private static boolean startsConnection(String body) {
        return body.startsWith("VER ") || body.startsWith("ANS ")
                || (body.startsWith("USR ") && body.split(" ").length == 4 && body.contains("@"));
    }

    private static String commandOf(String body) {
        if (body.length() >= 3 && (body.length() == 3 || body.charAt(3) == ' ')) {
            String c = body.substring(0, 3);
            return CommandKeys.of(c) == CommandKeys.NONE ? null : c;
        }
        return null;
    }

    /**
     * The payload length the line declares, or -1 when its command takes none. As on the wire, any run of
     * digits counts: a number too large for memory is saturated, not dropped, so the lines after it are
     * still read as its payload.
     */
    private static long declaredPayload(String body, String command, Direction dir, PayloadOracle oracle) {
        if (command == null) {
            return -1;
        }
        String[] tokens = body.split(" ", -1);
        String last = tokens[tokens.length - 1];
        if (tokens.length < 2 || last.isEmpty() || !last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        if (!oracle.expectsPayload(CommandKeys.of(command), dir, tokens.length)) {
            return -1;
        }
        return last.length() > 18 ? Long.MAX_VALUE : Long.parseLong(last);
    }

    /**
     * A line with a payload above the limit and the payload lines that follow it, framed as on the wire.
     * When the transcript holds less than declared, the last frame is flagged truncated and declares what
     * was missing from it (the wire framer cannot tell a streamed payload that stops early; a transcript can):
     * the last piece, or the line itself when no payload line follows.
     */
    private List<Frame> tooLarge(byte[] line, byte[] payload, long declared, Direction dir, PayloadOracle oracle) {
        List<Frame> frames = new java.util.ArrayList<>(Framer.frameAll(lineAndPayload(line, payload), dir, oracle, limits));
        int last = frames.size() - 1;
        if (payload.length >= declared || last < 0) {
            return frames;
        }
        Frame f = frames.get(last);
        long before = payload.length - (f.has(Frame.PAYLOAD_PART) ? f.payloadLength() : 0);
        int missingFrom = (int) Math.min(Integer.MAX_VALUE, declared - before);
        int payloadOffset = f.lineLength() + f.terminatorLength();
        int flags = (f.flags() | Frame.PAYLOAD_TRUNCATED) & ~Frame.PAYLOAD_STREAMED;
        frames.set(last, Frame.ofRaw(f.copyBytes(), f.lineLength(), payloadOffset, missingFrom,
                f.has(Frame.PAYLOAD_PART) ? flags | Frame.PAYLOAD_PART : flags, f.command()));
        return frames;
    }

    private static byte[] lineAndPayload(byte[] line, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(line.length + 2 + payload.length);
        out.write(line, 0, line.length);
        out.write('\r');
        out.write('\n');
        out.write(payload, 0, payload.length);
        return out.toByteArray();
    }

    /**
     * Takes payload lines until the declared length is reached, joining them with CR LF; a payload that
     * does not end in CR LF ends after its last line. If the lines cannot make the exact length (the next
     * command comes first, or a line overshoots), what was read stands and the frame shows the mismatch.
     */
    private static byte[] rebuildPayload(List<String> lines, int[] next, long declared) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(declared, 1 << 16));
        while (out.size() < declared && next[0] < lines.size()) {
            String candidate = lines.get(next[0]);
            byte[] b = candidate.getBytes(StandardCharsets.UTF_8);
            if (looksLikeTranscriptLine(candidate)) {
                break;
            }
            next[0]++;
            out.write(b, 0, b.length);
            if (out.size() < declared) {
                out.write('\r');
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    /**
     * A line that ends a short payload: a command line ({@code C: XYZ …}), a raw frame, a narration or an
     * extension. The writer never writes payload text with such lines (it uses base64), so a payload that
     * runs into one was declared longer than it is.
     */
    static boolean looksLikeTranscriptLine(String line) {
        Direction dir = direction(line);
        if (dir != null) {
            return line.charAt(1) == '@' || commandOf(line.substring(3)) != null;
        }
        return line.startsWith("Client opens a connection") || line.startsWith("Client disconnects")
                || line.startsWith("Server disconnects") || line.startsWith("@@ ");
    }

    private static Long parseTime(String iso) {
        try {
            Instant t = Instant.parse(iso);
            return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

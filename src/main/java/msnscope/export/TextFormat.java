package msnscope.export;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Warning;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The readable view: one block per frame — number, arrow, the line, the dissector's summary, then
 * indented fields, the payload and warnings. ANSI colour when asked (a terminal), plain otherwise.
 */
public final class TextFormat {

    /** Payload lines shown before the rest is summarised; the full bytes are in jsonl and transcripts. */
    private static final int MAX_PAYLOAD_LINES = 60;
    private static final int MAX_HEX_BYTES = 512;

    private static final java.time.format.DateTimeFormatter CLOCK =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private final boolean colour;

    public TextFormat(boolean colour) {
        this.colour = colour;
    }

    public String connectionHeader(ConnectionLog c) {
        StringBuilder sb = new StringBuilder();
        sb.append("== connection ").append(c.id());
        if (c.role() != null) {
            sb.append(" · ").append(c.role());
        }
        if (c.version() > 0) {
            sb.append(" · MSNP").append(c.version());
        }
        if (c.account() != null) {
            sb.append(" · ").append(c.account());
        }
        if (c.authStage() != null) {
            sb.append(" · ").append(c.authStage());
        }
        if (c.status() != null) {
            sb.append(" · status ").append(c.status());
        }
        if (c.server() != null) {
            sb.append(" · server ").append(c.server());
        }
        int shown = c.frames().size();
        sb.append(" · ").append(shown == c.totalFrames() ? "" : shown + " of ").append(c.totalFrames()).append(" frames ==");
        return paint(sb.toString(), "1;36");
    }

    public String frame(Dissection d) {
        StringBuilder sb = new StringBuilder();
        Frame f = d.frame();
        String arrow = d.direction() == Direction.C2S ? "C->S" : "S->C";
        sb.append(String.format("%4d ", d.seq()));
        if (d.timeMicros() != null) {
            sb.append(paint(CLOCK.format(java.time.Instant.ofEpochSecond(d.timeMicros() / 1_000_000L, d.timeMicros() % 1_000_000L * 1_000L)), "2"))
                    .append(' ');
        }
        sb.append(paint(arrow, d.direction() == Direction.C2S ? "32" : "34")).append("  ");
        sb.append(paint(f.line(), "1"));
        if (d.replyTo() != null) {
            sb.append(paint("   <- #" + d.replyTo(), "2"));
        }
        sb.append('\n');
        String indent = d.timeMicros() == null ? "           " : "                            ";
        if (d.edit() != null) {
            sb.append(indent).append(paint(EditText.of(d.edit()), "1;35")).append('\n');
        }
        if (EditText.dropped(d)) {
            sb.append(indent).append(paint("=> " + EditText.droppedLine(d), "1;35")).append('\n');
        } else if (d.rewritten() != null) {
            // What the other side received: a rule's replacement, or the proxy's own address instead of the server's.
            sb.append(indent).append(paint("=> " + EditText.receiver(d.direction()) + " received: ", "1;35"))
                    .append(d.rewritten()).append('\n');
        }
        sb.append(indent).append(d.summary()).append('\n');
        for (Map.Entry<String, Object> e : d.fields().entrySet()) {
            if (e.getKey().equals("payload")) {
                continue;
            }
            sb.append(indent).append(paint(e.getKey() + ":", "2")).append(' ').append(render(e.getValue())).append('\n');
        }
        if (d.fields().get("payload") instanceof Map<?, ?> decoded) {
            flatten("payload", decoded, indent, sb);
        }
        if (f.hasPayload() && f.payloadLength() > 0) {
            payload(f.payload(), indent, sb);
        }
        for (Warning w : d.warnings()) {
            sb.append(indent).append(paint("! " + w.code() + ": " + w.message(), "1;33")).append('\n');
        }
        return sb.toString();
    }

    private void payload(byte[] payload, String indent, StringBuilder sb) {
        if (FrameJson.isText(payload)) {
            String[] lines = new String(payload, StandardCharsets.UTF_8).split("\r\n", -1);
            int n = Math.min(lines.length, MAX_PAYLOAD_LINES);
            for (int i = 0; i < n; i++) {
                if (i == lines.length - 1 && lines[i].isEmpty()) {
                    break;
                }
                sb.append(indent).append(paint("| ", "2")).append(lines[i]).append('\n');
            }
            if (lines.length > n) {
                sb.append(indent).append(paint("| … " + (lines.length - n) + " more lines", "2")).append('\n');
            }
            return;
        }
        int n = Math.min(payload.length, MAX_HEX_BYTES);
        for (int off = 0; off < n; off += 16) {
            StringBuilder hex = new StringBuilder();
            StringBuilder ascii = new StringBuilder();
            for (int i = off; i < off + 16; i++) {
                if (i < n) {
                    hex.append(String.format("%02x ", payload[i] & 0xff));
                    char c = (char) (payload[i] & 0xff);
                    ascii.append(c >= 0x20 && c < 0x7f ? c : '.');
                } else {
                    hex.append("   ");
                }
            }
            sb.append(indent).append(paint(String.format("| %04x  %s %s", off, hex, ascii), "2")).append('\n');
        }
        if (payload.length > n) {
            sb.append(indent).append(paint("| … " + (payload.length - n) + " more bytes", "2")).append('\n');
        }
    }

    /**
     * Decoded payload fields one per line with dotted names ({@code payload.content.text}); the raw
     * headers are left out here since the payload lines below show them.
     */
    private void flatten(String prefix, Map<?, ?> map, String indent, StringBuilder sb) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + "." + e.getKey();
            if (key.equals("payload.headers")) {
                continue;
            }
            if (e.getValue() instanceof Map<?, ?> inner && !inner.isEmpty()) {
                flatten(key, inner, indent, sb);
            } else {
                sb.append(indent).append(paint(key + ":", "2")).append(' ').append(render(e.getValue())).append('\n');
            }
        }
    }

    static String render(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            try {
                return FrameJson.MAPPER.writeValueAsString(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return String.valueOf(value);
    }

    private String paint(String s, String code) {
        return colour ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }
}

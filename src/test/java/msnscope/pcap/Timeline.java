package msnscope.pcap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import msnscope.wire.Direction;

/**
 * Test-only reader of the capturing script's timelines ({@code captures/escargot-msnp*.timeline.txt}):
 * lines {@code <t> [connection] C:|S:|--: text}, a payload's lines following as {@code | text}.
 * Rebuilds, per connection and direction, the exact bytes the script sent or received.
 */
final class Timeline {
    /** One command line of a connection, with its payload bytes (empty for none). */
    record Entry(String connection, Direction dir, String line, byte[] payload) {
        byte[] wireBytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(payload);
            return out.toByteArray();
        }
    }

    private static final Pattern EVENT = Pattern.compile("^\\s*\\d+\\.\\d+ \\[([^\\]]+)\\] (C|S|--): ?(.*)$");
    private static final Pattern PAYLOAD_LINE = Pattern.compile("^\\s*\\|(?: (.*))?$");

    /** Every C:/S: entry, in file order; narration ({@code --:}) lines are left out. */
    final List<Entry> entries = new ArrayList<>();
    /** Connection names in the order they connected ({@code --: connected to …}). */
    final List<String> connectionOrder = new ArrayList<>();
    /** HTTP requests narrated by the script ({@code [HTTP] --: GET …}). */
    int httpRequests;

    static Timeline parse(Path file) throws IOException {
        Timeline t = new Timeline();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = EVENT.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            String connection = m.group(1);
            String kind = m.group(2);
            String text = m.group(3);
            if (kind.equals("--")) {
                if (text.startsWith("connected to ")) {
                    t.connectionOrder.add(connection);
                } else if (connection.equals("HTTP") && text.startsWith("GET ")) {
                    t.httpRequests++;
                }
                continue;
            }
            List<String> body = new ArrayList<>();
            while (i + 1 < lines.size()) {
                Matcher p = PAYLOAD_LINE.matcher(lines.get(i + 1));
                if (!p.matches()) {
                    break;
                }
                body.add(p.group(1) == null ? "" : p.group(1));
                i++;
            }
            byte[] payload = new byte[0];
            if (!body.isEmpty()) {
                String[] words = text.split(" ");
                int length = Integer.parseInt(words[words.length - 1]);
                byte[] joined = String.join("\r\n", body).getBytes(StandardCharsets.UTF_8);
                if (joined.length < length) {
                    throw new IllegalStateException("payload shorter than declared in: " + text);
                }
                payload = java.util.Arrays.copyOf(joined, length);
            }
            t.entries.add(new Entry(connection, kind.equals("C") ? Direction.C2S : Direction.S2C, text, payload));
        }
        return t;
    }

    /** The bytes one connection's direction carried, as the script logged them. */
    byte[] bytes(String connection, Direction dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            if (e.connection.equals(connection) && e.dir == dir) {
                out.writeBytes(e.wireBytes());
            }
        }
        return out.toByteArray();
    }

    /** Entries per connection, in order. */
    Map<String, List<Entry>> byConnection() {
        Map<String, List<Entry>> map = new LinkedHashMap<>();
        for (Entry e : entries) {
            map.computeIfAbsent(e.connection, k -> new ArrayList<>()).add(e);
        }
        return map;
    }
}

package msnscope.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import msnscope.dissect.Dissection;
import msnscope.dissect.Text;
import msnscope.dissect.Warning;
import msnscope.wire.Frame;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Lines contract: one object per frame with the keys documented in the README, in this order.
 * {@code dissect}, {@code search} and the proxy console all write frames through here.
 */
public final class FrameJson {

    /** Characters outside the BMP (emoji in messages) as UTF-8, not escaped pairs, whether writing bytes or text. */
    public static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build())
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private FrameJson() {
    }

    /** The frame's JSON Lines object (no newline), with {@code extras} after the contract's keys. */
    public static String toLine(Dissection d, Map<String, ?> extras) {
        return new String(toBytes(d, extras), StandardCharsets.UTF_8);
    }

    /** {@link #toLine} as UTF-8 bytes, straight from the generator. */
    private static byte[] toBytes(Dissection d, Map<String, ?> extras) {
        ByteArrayBuilder out = new ByteArrayBuilder(1024);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            write(g, d, extras);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * {@link #toLine} as a map, keys in the contract's order, written into Jackson's token buffer and read back
     * without text in between: what search holds for each hit (to highlight, print or re-serialise).
     */
    public static LinkedHashMap<String, Object> toMap(Dissection d, Map<String, ?> extras) {
        try {
            TokenBuffer tokens = new TokenBuffer(MAPPER, false);
            write(tokens, d, extras);
            try (JsonParser p = tokens.asParser()) {
                return MAPPER.readValue(p, new TypeReference<LinkedHashMap<String, Object>>() { });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the contract's keys for one frame, in the documented order, then {@code extras}. Streams
     * straight from the dissection (dissect, search and the proxy console write one per frame), so no map is
     * built first.
     */
    public static void write(JsonGenerator g, Dissection d, Map<String, ?> extras) throws IOException {
        Frame f = d.frame();
        g.writeStartObject();
        g.writeStringField("session", d.session());
        g.writeStringField("stream", d.stream());
        g.writeNumberField("seq", d.seq());
        g.writeStringField("time", d.timeMicros() == null ? null : isoTime(d.timeMicros()));
        g.writeStringField("dir", d.direction().name());
        g.writeStringField("role", d.role() == null ? null : d.role().name());
        g.writeStringField("version", d.version() == null ? null : "MSNP" + d.version());
        g.writeStringField("cmd", d.command());
        g.writeFieldName("trid");
        writeValue(g, d.trid());
        g.writeFieldName("params");
        writeValue(g, d.params());
        g.writeStringField("raw", f.line());
        g.writeNumberField("payloadLength", f.payloadLength());
        byte[] payload = f.hasPayload() ? f.payload() : null;
        boolean text = payload != null && isText(payload);
        g.writeStringField("payload", payload != null && text ? new String(payload, StandardCharsets.UTF_8) : null);
        g.writeStringField("payloadBase64", payload != null && !text ? Base64.getEncoder().encodeToString(payload) : null);
        g.writeStringField("summary", d.summary());
        g.writeFieldName("fields");
        writeValue(g, d.fields());
        g.writeFieldName("replyTo");
        writeValue(g, d.replyTo());
        g.writeArrayFieldStart("warnings");
        for (Warning w : d.warnings()) {
            g.writeStartObject();
            g.writeStringField("code", w.code());
            g.writeStringField("message", w.message());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("rawBase64", exactFromText(f) ? null : Base64.getEncoder().encodeToString(f.copyBytes()));
        g.writeStringField("rewritten", d.rewritten());
        byte[] forwarded = d.forwarded();
        // A dropped frame (nothing forwarded) is "rewritten": "" with "rewrittenBase64": "": an empty line would give CR LF back.
        g.writeStringField("rewrittenBase64", forwarded == null || exactLine(forwarded, d.rewritten(), f) ? null
                : Base64.getEncoder().encodeToString(forwarded));
        msnscope.wire.Edit edit = d.edit();
        if (edit != null) {
            // Only on frames a rule or the hook changed, or msnscope made: every other frame's object stays as it was.
            g.writeObjectFieldStart("edited");
            g.writeStringField("by", edit.by());
            g.writeStringField("action", edit.action());
            if (edit.made()) {
                g.writeBooleanField("made", true);
            }
            g.writeEndObject();
        }
        for (Map.Entry<String, ?> e : extras.entrySet()) {
            g.writeFieldName(e.getKey());
            writeValue(g, e.getValue());
        }
        g.writeEndObject();
    }

    /**
     * True when {@code rewritten} + CR LF + the original payload gives the forwarded bytes back exactly (a
     * rewritten referral line); false when the payload changed too (a rewritten profile) or the line is not
     * plain UTF-8 with CR LF.
     */
    private static boolean exactLine(byte[] forwarded, String rewritten, Frame original) {
        byte[] line = (rewritten + "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] payload = original.hasPayload() ? original.payload() : new byte[0];
        if (line.length + payload.length != forwarded.length) {
            return false;
        }
        return java.util.Arrays.equals(forwarded, 0, line.length, line, 0, line.length)
                && java.util.Arrays.equals(forwarded, line.length, forwarded.length, payload, 0, payload.length);
    }

    /** The values a dissection holds, written as databind would write them, without its serializer lookups. */
    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else {
            g.writeObject(v);
        }
    }

    public static String toLine(Map<String, Object> map) {
        try {
            return MAPPER.writeValueAsString(map);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * ISO-8601 UTC with microseconds, exactly as {@link Instant#toString()} writes it (fraction in groups of
     * three digits, none when zero), written by hand for years 0000–9999: the formatter was the costliest
     * part of writing a frame's JSON, which every output does for every frame.
     */
    public static String isoTime(long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int fraction = (int) Math.floorMod(micros, 1_000_000L);
        long day = Math.floorDiv(seconds, 86_400L);
        if (day < YEAR_0 || day > YEAR_9999_END) {
            return Instant.ofEpochSecond(seconds, fraction * 1_000L).toString();
        }
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(day);
        StringBuilder sb = new StringBuilder(27);
        digits(sb, date.getYear(), 4).append('-');
        digits(sb, date.getMonthValue(), 2).append('-');
        digits(sb, date.getDayOfMonth(), 2).append('T');
        digits(sb, secondOfDay / 3600, 2).append(':');
        digits(sb, secondOfDay / 60 % 60, 2).append(':');
        digits(sb, secondOfDay % 60, 2);
        if (fraction != 0) {
            sb.append('.');
            if (fraction % 1000 == 0) {
                digits(sb, fraction / 1000, 3);
            } else {
                digits(sb, fraction, 6);
            }
        }
        return sb.append('Z').toString();
    }

    /** Epoch days of 0000-01-01 and 9999-12-31. */
    private static final long YEAR_0 = -719_528L;
    private static final long YEAR_9999_END = 2_932_896L;

    private static StringBuilder digits(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    /** Payload shown as text: valid UTF-8 without NUL bytes. */
    public static boolean isText(byte[] payload) {
        for (byte b : payload) {
            if (b == 0) {
                return false;
            }
        }
        return Text.isUtf8(payload, 0, payload.length);
    }

    /** True when {@code raw} + CR LF + the payload key give back the frame's exact bytes. */
    private static boolean exactFromText(Frame f) {
        if (f.terminatorLength() != 2 || f.flags() != 0 && (f.flags() & ~Frame.NOT_A_COMMAND) != 0) {
            return false;
        }
        return f.lineIsUtf8() && (!f.hasPayload() || f.payloadLength() == f.declaredLength());
    }
}

package msnscope.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import msnscope.dissect.Dissection;
import msnscope.dissect.Text;
import msnscope.dissect.Warning;
import msnscope.wire.Frame;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Lines contract: one object per frame with the keys documented in the README, in this order.
 * {@code dissect}, {@code search} and the proxy console all write frames through here.
 */
public final class FrameJson {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private FrameJson() {
    }

    /** The contract's keys for one frame; callers may add extras after them. */
    public static Map<String, Object> toMap(Dissection d) {
        Frame f = d.frame();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session", d.session());
        m.put("stream", d.stream());
        m.put("seq", d.seq());
        m.put("time", d.timeMicros() == null ? null : isoTime(d.timeMicros()));
        m.put("dir", d.direction().name());
        m.put("role", d.role() == null ? null : d.role().name());
        m.put("version", d.version() == null ? null : "MSNP" + d.version());
        m.put("cmd", d.command());
        m.put("trid", d.trid());
        m.put("params", d.params());
        m.put("raw", d.frame().line());
        m.put("payloadLength", f.payloadLength());
        byte[] payload = f.hasPayload() ? f.payload() : null;
        boolean text = payload != null && isText(payload);
        m.put("payload", payload != null && text ? new String(payload, StandardCharsets.UTF_8) : null);
        m.put("payloadBase64", payload != null && !text ? Base64.getEncoder().encodeToString(payload) : null);
        m.put("summary", d.summary());
        m.put("fields", d.fields());
        m.put("replyTo", d.replyTo());
        List<Map<String, String>> warnings = new ArrayList<>();
        for (Warning w : d.warnings()) {
            Map<String, String> wm = new LinkedHashMap<>();
            wm.put("code", w.code());
            wm.put("message", w.message());
            warnings.add(wm);
        }
        m.put("warnings", warnings);
        m.put("rawBase64", exactFromText(f) ? null : Base64.getEncoder().encodeToString(f.copyBytes()));
        return m;
    }

    public static String toLine(Map<String, Object> map) {
        try {
            return MAPPER.writeValueAsString(map);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ISO-8601 UTC with microseconds. */
    public static String isoTime(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L).toString();
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

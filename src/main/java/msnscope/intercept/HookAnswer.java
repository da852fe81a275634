package msnscope.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.wire.Frame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * One answer of the hook protocol (README, "A hook in any language") turned into a {@link Verdict}, or into
 * the one-line reason it cannot be: the hook is someone's script, so every mistake in it must be named
 * precisely enough to fix without reading msnscope's code.
 */
final class HookAnswer {

    /** Who every hook verdict is recorded as coming from. */
    static final String BY = "hook";

    /** An answer that is JSON but says something msnscope cannot do; the message completes "the answer is wrong: …". */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private HookAnswer() {
    }

    /** The verdict {@code answer} (a JSON object whose id is {@code frame}'s) gives for {@code frame}. */
    static Verdict verdict(JsonNode answer, Frame frame) throws Invalid {
        String action = string(answer, "action");
        if (action == null) {
            throw new Invalid("no \"action\" (forward, drop, replace or delay)");
        }
        byte[] replacement = null;
        boolean drop = false;
        long delay = 0;
        switch (action) {
            case "forward" -> {
            }
            case "drop" -> drop = true;
            case "replace" -> replacement = replacement(answer, frame);
            case "delay" -> delay = millis(answer);
            default -> throw new Invalid("unknown action \"" + action + "\" (forward, drop, replace or delay)");
        }
        List<Verdict.Injection> injections = injections(answer.get("inject"));
        Side close = close(answer.get("close"));
        List<String> words = new ArrayList<>();
        if (!action.equals("forward")) {
            words.add(action);
        }
        if (!injections.isEmpty()) {
            words.add("inject");
        }
        if (close != null) {
            words.add("close");
        }
        return words.isEmpty() ? Verdict.FORWARD
                : new Verdict(replacement, drop, delay, injections, close, BY, String.join("+", words));
    }

    /**
     * The frame's replacement: {@code raw} alone keeps the payload, a payload alone keeps the line, and an
     * explicit {@code "payload": null} leaves the frame without one (so a hook that echoes the frame object
     * back with a new {@code raw} says exactly what it means).
     */
    private static byte[] replacement(JsonNode answer, Frame frame) throws Invalid {
        String raw = line(answer, "raw", false);
        boolean mentionsPayload = answer.has("payload") || answer.has("payloadBase64");
        if (raw == null && !mentionsPayload) {
            throw new Invalid("\"replace\" needs \"raw\", \"payload\" or \"payloadBase64\"");
        }
        byte[] payload = mentionsPayload ? payload(answer, "") : frame.hasPayload() ? frame.payload() : null;
        return bytes(raw != null ? raw : frame.line(), payload, flag(answer, "exact", ""));
    }

    private static byte[] bytes(String line, byte[] payload, boolean exact) {
        return exact ? FrameBytes.exact(line, payload) : FrameBytes.build(line, payload);
    }

    private static long millis(JsonNode answer) throws Invalid {
        JsonNode ms = answer.get("ms");
        if (ms == null || !ms.isIntegralNumber() || !ms.canConvertToLong() || ms.asLong() < 0) {
            throw new Invalid("\"delay\" needs \"ms\", a whole number of milliseconds, 0 or more"
                    + (ms == null ? "" : ", not " + shown(ms)));
        }
        return ms.asLong();
    }

    private static List<Verdict.Injection> injections(JsonNode inject) throws Invalid {
        if (inject == null || inject.isNull()) {
            return List.of();
        }
        if (!inject.isArray()) {
            throw new Invalid("\"inject\" must be an array of frames, not " + shown(inject));
        }
        List<Verdict.Injection> out = new ArrayList<>();
        for (int i = 0; i < inject.size(); i++) {
            JsonNode one = inject.get(i);
            String where = "inject[" + i + "]";
            if (!one.isObject()) {
                throw new Invalid(where + " must be an object, not " + shown(one));
            }
            String to = string(one, "to", where);
            Side side = to == null ? null : switch (to.toLowerCase(Locale.ROOT)) {
                case "client" -> Side.CLIENT;
                case "server" -> Side.SERVER;
                default -> null;
            };
            if (side == null) {
                throw new Invalid(where + " needs \"to\": \"client\" or \"server\"" + (to == null ? "" : ", not \"" + to + "\""));
            }
            String raw = line(one, "raw", true, where);
            out.add(new Verdict.Injection(side, flag(one, "before", where), bytes(raw, payload(one, where + "."), flag(one, "exact", where))));
        }
        return out;
    }

    private static Side close(JsonNode close) throws Invalid {
        if (close == null || close.isNull()) {
            return null;
        }
        String side = close.isTextual() ? close.asText().toLowerCase(Locale.ROOT) : "";
        return switch (side) {
            case "client" -> Side.CLIENT;
            case "server" -> Side.SERVER;
            case "both" -> Side.BOTH;
            default -> throw new Invalid("\"close\" must be \"client\", \"server\" or \"both\", not " + shown(close));
        };
    }

    /** The payload named by {@code payload} (text, sent as UTF-8) or {@code payloadBase64}; null when neither is given. */
    private static byte[] payload(JsonNode o, String where) throws Invalid {
        JsonNode text = o.get("payload");
        JsonNode b64 = o.get("payloadBase64");
        boolean hasText = text != null && !text.isNull();
        boolean hasB64 = b64 != null && !b64.isNull();
        if (hasText && hasB64) {
            throw new Invalid(where + "\"payload\" and \"payloadBase64\" are both given: give one");
        }
        if (hasText) {
            if (!text.isTextual()) {
                throw new Invalid(where + "\"payload\" must be a string, not " + shown(text));
            }
            return text.asText().getBytes(StandardCharsets.UTF_8);
        }
        if (hasB64) {
            if (!b64.isTextual()) {
                throw new Invalid(where + "\"payloadBase64\" must be a string, not " + shown(b64));
            }
            try {
                return Base64.getDecoder().decode(b64.asText());
            } catch (IllegalArgumentException e) {
                throw new Invalid(where + "\"payloadBase64\" is not valid base64");
            }
        }
        return null;
    }

    /** A command line: a non-empty string of one line (a trailing CR LF is allowed and dropped). */
    private static String line(JsonNode o, String key, boolean required, String where) throws Invalid {
        String s = string(o, key, where);
        if (s == null) {
            if (required) {
                throw new Invalid(where + " needs \"" + key + "\", the command line");
            }
            return null;
        }
        String trimmed = s.replaceAll("[\r\n]+$", "");
        if (trimmed.isEmpty()) {
            throw new Invalid(prefix(where) + "\"" + key + "\" is empty");
        }
        if (trimmed.indexOf('\n') >= 0 || trimmed.indexOf('\r') >= 0) {
            throw new Invalid(prefix(where) + "\"" + key + "\" must be one line (inject a second frame instead)");
        }
        return trimmed;
    }

    private static String line(JsonNode o, String key, boolean required) throws Invalid {
        return line(o, key, required, "");
    }

    private static String string(JsonNode o, String key) throws Invalid {
        return string(o, key, "");
    }

    /** The string at {@code key}; null when absent or null. */
    private static String string(JsonNode o, String key, String where) throws Invalid {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new Invalid(prefix(where) + "\"" + key + "\" must be a string, not " + shown(v));
        }
        return v.asText();
    }

    private static boolean flag(JsonNode o, String key, String where) throws Invalid {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new Invalid(prefix(where) + "\"" + key + "\" must be true or false, not " + shown(v));
        }
        return v.asBoolean();
    }

    private static String prefix(String where) {
        return where.isEmpty() || where.endsWith(".") ? where : where + ".";
    }

    /** A JSON value as a reader would recognise it in the hook's output, kept short. */
    static String shown(JsonNode v) {
        String kind = v.isTextual() ? "a string" : v.isNumber() ? "a number" : v.isBoolean() ? "a boolean"
                : v.isArray() ? "an array" : v.isObject() ? "an object" : "null";
        return kind + " (" + HookText.clip(v.toString()) + ")";
    }
}

package msnscope.intercept;

import msnscope.dissect.Dissection;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a rule does to a frame it matches: the one action of a rule. */
sealed interface RuleAction {

    /** The action's word in the record ({@code reply}, {@code drop}, …). */
    String word();

    /** The action for the exit summary: {@code delay 3s}, {@code reply '911 {trid}'}. */
    String describe();

    /**
     * The verdict for one frame, or null when the action changes nothing (a {@code replace} whose regex finds
     * nothing). {@code draft} holds what earlier rules' replacements made of the frame.
     */
    Verdict apply(Dissection d, String connection, Draft draft, String by) throws RuleSkip;

    /** Answers the sender locally: the frame is dropped and the templated line goes back where it came from. */
    record Reply(Template line) implements RuleAction {
        public String word() {
            return "reply";
        }

        public String describe() {
            return "reply '" + line + "'";
        }

        public Verdict apply(Dissection d, String connection, Draft draft, String by) throws RuleSkip {
            Side sender = d.direction() == Direction.C2S ? Side.CLIENT : Side.SERVER;
            byte[] bytes = FrameBytes.exact(line.render(d, connection), null);
            return new Verdict(null, true, 0, List.of(new Verdict.Injection(sender, false, bytes)), null, by, word());
        }
    }

    record Drop() implements RuleAction {
        public String word() {
            return "drop";
        }

        public String describe() {
            return "drop";
        }

        public Verdict apply(Dissection d, String connection, Draft draft, String by) {
            return new Verdict(null, true, 0, List.of(), null, by, word());
        }
    }

    record Delay(long millis, String text) implements RuleAction {
        public String word() {
            return "delay";
        }

        public String describe() {
            return "delay " + text;
        }

        public Verdict apply(Dissection d, String connection, Draft draft, String by) {
            return new Verdict(null, false, millis, List.of(), null, by, word());
        }
    }

    /**
     * A regex replacement in the line or the payload. A UTF-8 payload is replaced as text; any other payload
     * (binary P2P data, a legacy code page) byte for byte: each byte is one character U+0000–U+00FF, and the
     * regex and {@code with} stand for their UTF-8 bytes, so every byte the regex does not touch stays as it was.
     *
     * @param text       the regex for text
     * @param with       the replacement for text ({@code $1} groups)
     * @param bytes      the regex for bytes
     * @param bytesWith  the replacement for bytes
     */
    record Replace(boolean inPayload, Pattern text, String with, Pattern bytes, String bytesWith) implements RuleAction {

        /** {@code regex} and {@code with} as both forms; the caller has checked they compile and agree. */
        static Replace of(boolean inPayload, Pattern regex, String with) {
            Pattern bytes = Pattern.compile(latin1(regex.pattern()), regex.flags());
            return new Replace(inPayload, regex, with, bytes, latin1(with));
        }

        /** The characters of {@code s}'s UTF-8 bytes, one per byte. */
        private static String latin1(String s) {
            return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        }

        public String word() {
            return "replace";
        }

        public String describe() {
            return "replace in " + (inPayload ? "payload" : "line") + " /" + text.pattern() + "/ with '" + with + "'";
        }

        public Verdict apply(Dissection d, String connection, Draft draft, String by) throws RuleSkip {
            if (inPayload) {
                byte[] p = draft.payload();
                if (p == null) {
                    return null;
                }
                boolean utf8 = Frame.isUtf8(p, 0, p.length);
                String was = new String(p, utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
                String now = replace(utf8 ? text : bytes, utf8 ? with : bytesWith, was);
                if (now == null) {
                    return null;
                }
                draft.payload(now.getBytes(utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
            } else {
                String now = replace(text, with, draft.line());
                if (now == null) {
                    return null;
                }
                draft.line(now);
            }
            return new Verdict(draft.bytes(), false, 0, List.of(), null, by, word());
        }

        /** The replaced text, or null when nothing changed. */
        private static String replace(Pattern p, String with, String was) {
            Matcher m = p.matcher(was);
            if (!m.find()) {
                return null;
            }
            String now = m.replaceAll(with);
            return now.equals(was) ? null : now;
        }
    }

    /** A frame msnscope sends on its own, before or after the matched one. */
    record Inject(Side to, boolean before, Template line, Template payload) implements RuleAction {
        public String word() {
            return "inject";
        }

        public String describe() {
            return "inject to " + to.name().toLowerCase(java.util.Locale.ROOT) + (before ? " before" : "") + " '" + line + "'"
                    + (payload == null ? "" : " with a payload");
        }

        public Verdict apply(Dissection d, String connection, Draft draft, String by) throws RuleSkip {
            String l = line.render(d, connection);
            byte[] bytes = payload == null ? FrameBytes.exact(l, null)
                    : FrameBytes.build(l, payload.render(d, connection).getBytes(StandardCharsets.UTF_8));
            return new Verdict(null, false, 0, List.of(new Verdict.Injection(to, before, bytes)), null, by, word());
        }
    }

    record Close(Side side) implements RuleAction {
        public String word() {
            return "close";
        }

        public String describe() {
            return "close " + side.name().toLowerCase(java.util.Locale.ROOT);
        }

        public Verdict apply(Dissection d, String connection, Draft draft, String by) {
            return new Verdict(null, false, 0, List.of(), side, by, word());
        }
    }
}

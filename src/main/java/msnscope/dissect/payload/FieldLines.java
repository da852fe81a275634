package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Name: value} lines in a text body (invitations, datacasts, mail notifications, SLP bodies), and
 * the conversion of such lines to an ordered field map.
 */
final class FieldLines {

    /** Most lines read from one body; beyond this the body is garbage, not a field list. */
    static final int MAX_LINES = 512;

    private FieldLines() {
    }

    /** The parsed lines and the problems (lines without a colon, too many lines). */
    record Result(List<MimeHeader> lines, List<String> problems) {
    }

    /**
     * Splits on CRLF or bare LF, skips empty lines, and splits each line at its first colon. {@code what}
     * names the body in problem sentences ("invitation body").
     */
    static Result parse(String text, String what) {
        List<MimeHeader> lines = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int noColon = 0;
        int start = 0;
        int lineNo = 0;
        while (start <= text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(start, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            lineNo++;
            if (!line.isEmpty()) {
                if (lines.size() >= MAX_LINES) {
                    problems.add(what + " has more than " + MAX_LINES + " lines; the rest are not read");
                    break;
                }
                int colon = line.indexOf(':');
                if (colon < 0) {
                    if (++noColon <= 3) {
                        problems.add(what + " line " + lineNo + " has no colon: \"" + Text.clip(line) + "\"");
                    }
                } else {
                    lines.add(new MimeHeader(line.substring(0, colon).strip(), stripLeading(line.substring(colon + 1))));
                }
            }
            if (nl < 0) {
                break;
            }
            start = nl + 1;
        }
        if (noColon > 3) {
            problems.add(what + " has " + (noColon - 3) + " more lines without a colon");
        }
        return new Result(lines, problems);
    }

    /**
     * Ordered map from name to value. A name sent more than once maps to the list of its values (so
     * nothing the peer sent is hidden) and is reported, since peers may disagree on which one counts.
     */
    static Map<String, Object> toMap(List<MimeHeader> lines, String what, List<String> problems) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (MimeHeader h : lines) {
            Object old = map.get(h.name());
            if (old == null) {
                map.put(h.name(), h.value());
            } else if (old instanceof String s) {
                List<String> values = new ArrayList<>();
                values.add(s);
                values.add(h.value());
                map.put(h.name(), values);
                problems.add(what + " has \"" + Text.clip(h.name()) + "\" more than once");
            } else {
                @SuppressWarnings("unchecked")
                List<String> values = (List<String>) old;
                values.add(h.value());
            }
        }
        return map;
    }

    /** First value of {@code name}, matched without regard to case, or {@code null}. */
    static String first(List<MimeHeader> lines, String name) {
        for (MimeHeader h : lines) {
            if (h.hasName(name)) {
                return h.value();
            }
        }
        return null;
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return s.substring(i);
    }
}

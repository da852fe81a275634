package msnscope.replay;

import msnscope.dissect.Dissection;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ParamSpec;
import msnscope.dissect.spec.ParamType;
import msnscope.dissect.spec.VolatileSpec;
import msnscope.wire.Frame;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a live frame says what a captured one said. Parameters are lined up by the form the captured frame
 * matched; a parameter (or an MSG payload header) that {@code dissectors/types.yaml} declares volatile may
 * differ, and the comparison names its kind. Anything else that differs makes the frames differ.
 *
 * @param same       equal but for volatile values
 * @param volatiles  the volatile kinds that differed (sorted)
 * @param difference the first real difference in words, or null when same
 */
public record Comparison(boolean same, Set<String> volatiles, String difference) {

    public static Comparison of(Dissection captured, Dissection live, VolatileSpec volatility) {
        Frame c = captured.frame();
        Frame l = live.frame();
        Set<String> kinds = new TreeSet<>();
        if (c.command() == null || l.command() == null || !c.command().equals(l.command())) {
            return differ(kinds, "line " + quote(l.line()) + " instead of " + quote(c.line()));
        }
        FormSpec form = captured.form();
        String[] ct = c.lineTokens();
        String[] lt = l.lineTokens();
        FormSpec.Binding cb = form == null ? null : form.bind(ct, 1);
        FormSpec.Binding lb = form == null ? null : form.bind(lt, 1);
        if (cb == null || lb == null || !cb.exact() || !lb.exact()) {
            if (!Arrays.equals(ct, lt)) {
                return differ(kinds, "line " + quote(l.line()) + " instead of " + quote(c.line()));
            }
        } else {
            List<ParamSpec> params = form.params();
            for (int i = 0; i < params.size(); i++) {
                ParamSpec p = params.get(i);
                String cv = String.join(" ", Arrays.asList(ct).subList(cb.start()[i], cb.start()[i] + cb.count()[i]));
                String lv = String.join(" ", Arrays.asList(lt).subList(lb.start()[i], lb.start()[i] + lb.count()[i]));
                // The payload is compared itself: its length follows it.
                if (cv.equals(lv) || p.type() == ParamType.LENGTH) {
                    continue;
                }
                String kind = volatility.kindOf(p);
                if (kind == null) {
                    return differ(kinds, p.name() + " " + quote(lv) + " instead of " + quote(cv));
                }
                kinds.add(kind);
            }
        }
        String payload = comparePayloads(c, l, form != null && "mime".equals(form.payload()), volatility, kinds);
        return payload == null ? new Comparison(true, kinds, null) : differ(kinds, payload);
    }

    private static Comparison differ(Set<String> kinds, String what) {
        return new Comparison(false, kinds, what);
    }

    /** The payload difference in words, or null when the payloads agree but for volatile headers. */
    private static String comparePayloads(Frame c, Frame l, boolean mime, VolatileSpec volatility, Set<String> kinds) {
        byte[] cp = c.payload();
        byte[] lp = l.payload();
        if (Arrays.equals(cp, lp)) {
            return null;
        }
        if (mime) {
            Mime cm = Mime.parse(cp);
            Mime lm = Mime.parse(lp);
            if (cm != null && lm != null) {
                if (!cm.headers.keySet().equals(lm.headers.keySet())) {
                    return "payload headers " + lm.headers.keySet() + " instead of " + cm.headers.keySet();
                }
                for (Map.Entry<String, String> h : cm.headers.entrySet()) {
                    String lv = lm.headers.get(h.getKey());
                    if (h.getValue().equals(lv)) {
                        continue;
                    }
                    String kind = volatility.kindOfHeader(h.getKey());
                    if (kind == null) {
                        return "payload header " + h.getKey() + ": " + quote(lv) + " instead of " + quote(h.getValue());
                    }
                    kinds.add(kind);
                }
                return Arrays.equals(cm.body, lm.body) ? null : "payload body differs (" + lm.body.length + " bytes instead of "
                        + cm.body.length + ")";
            }
        }
        return "payload differs (" + lp.length + " bytes instead of " + cp.length + ")";
    }

    /** An MSG payload: headers in order (names as written), then the body after the blank line. */
    private record Mime(Map<String, String> headers, byte[] body) {
        static Mime parse(byte[] payload) {
            String text = new String(payload, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            int sep = 4;
            if (end < 0) {
                end = text.indexOf("\n\n");
                sep = 2;
            }
            String head = end < 0 ? text : text.substring(0, end);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : head.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    return null;
                }
                headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
            byte[] body = end < 0 ? new byte[0] : Arrays.copyOfRange(payload, end + sep, payload.length);
            return new Mime(headers, body);
        }
    }

    private static String quote(String s) {
        return s == null ? "(none)" : "'" + s + "'";
    }

}

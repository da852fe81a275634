package msnscope.replay;

import msnscope.dissect.Dissection;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ParamSpec;
import msnscope.dissect.spec.ParamType;
import msnscope.dissect.spec.ReferralSpec;
import msnscope.proxy.HostPort;
import msnscope.wire.Frame;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;

/**
 * A captured server frame made ready for the client {@code serve} plays to: the client's TrID in place of the
 * captured one, and a referral's addresses pointing at serve. Which token is the TrID, the referral address
 * and the informational {@code also} addresses comes only from the form the dissector matched
 * ({@code dissectors/commands/*.yaml}); only those tokens change, byte for byte, the rest of the line, its
 * terminator and the payload are kept. Command lines carry no length, so nothing else is recomputed.
 */
final class ServeLine {

    /** What "the server you are on" is written as in a referral ({@code XFR 0 NS 0}), per {@code dissectors/README.md}. */
    private static final String SAME_SERVER = "0";

    private ServeLine() {
    }

    /** The frame with only the TrID replaced (null {@code trid}: the frame as captured). */
    static Frame withTrid(ScriptFrame f, Long trid) {
        TreeMap<Integer, String> replace = new TreeMap<>();
        int at = tridIndex(f.dissection());
        if (trid != null && at > 0) {
            replace.put(at, Long.toString(trid));
        }
        return splice(f.frame(), replace);
    }

    /**
     * {@code frame} (the captured frame, TrID already replaced) with its referral addresses pointing at
     * {@code self} ({@code host:port}); null when {@code f} is no referral or names no address to change.
     */
    static Frame referredTo(ScriptFrame f, Frame frame, String self) {
        FormSpec form = f.dissection().form();
        ReferralSpec spec = form == null ? null : form.referral();
        if (spec == null) {
            return null;
        }
        String[] tokens = Frame.split(frame.line());
        FormSpec.Binding binding = form.bind(tokens, 1);
        TreeMap<Integer, String> replace = new TreeMap<>();
        int address = tokenIndex(binding, spec.address());
        if (address < 0 || SAME_SERVER.equals(tokens[address]) || HostPort.tryParse(tokens[address]) == null) {
            return null;
        }
        replace.put(address, self);
        if (spec.also() != null) {
            for (String name : spec.also()) {
                int i = tokenIndex(binding, name);
                if (i > 0 && HostPort.tryParse(tokens[i]) != null) {
                    replace.put(i, self);
                }
            }
        }
        return splice(frame, replace);
    }

    /** The referral's address as the capture wrote it, or null. */
    static String referralAddress(ScriptFrame f) {
        FormSpec form = f.dissection().form();
        if (form == null || form.referral() == null) {
            return null;
        }
        int i = tokenIndex(form.bind(Frame.split(f.line()), 1), form.referral().address());
        return i < 0 ? null : Frame.split(f.line())[i];
    }

    /** Position (command = 0) of the TrID token of a dissected line, or -1 when its form has none. */
    static int tridIndex(Dissection d) {
        FormSpec form = d.form();
        if (form == null || d.trid() == null) {
            return -1;
        }
        List<ParamSpec> ps = form.params();
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i).type() == ParamType.TRID) {
                FormSpec.Binding b = form.bind(Frame.split(d.frame().line()), 1);
                return b.count()[i] == 1 ? b.start()[i] : -1;
            }
        }
        return -1;
    }

    /** The line with the TrID token left out: two lines that differ only in their TrIDs have the same key. */
    static String withoutTrid(Dissection d) {
        String[] tokens = Frame.split(d.frame().line());
        int at = tridIndex(d);
        if (at > 0 && at < tokens.length) {
            tokens[at] = "";
        }
        return String.join(" ", tokens);
    }

    private static int tokenIndex(FormSpec.Binding b, String name) {
        List<ParamSpec> ps = b.form().params();
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i).name().equals(name)) {
                return b.count()[i] == 1 ? b.start()[i] : -1;
            }
        }
        return -1;
    }

    /** The frame with whole space-separated tokens of its line replaced; the same frame when nothing is. */
    private static Frame splice(Frame frame, TreeMap<Integer, String> replace) {
        if (replace.isEmpty()) {
            return frame;
        }
        byte[] all = frame.copyBytes();
        int lineLength = frame.lineLength();
        ByteArrayOutputStream out = new ByteArrayOutputStream(all.length + 16);
        int token = 0;
        int start = 0;
        for (int i = 0; i <= lineLength; i++) {
            if (i == lineLength || all[i] == ' ') {
                String r = replace.get(token);
                if (r != null) {
                    out.writeBytes(r.getBytes(StandardCharsets.UTF_8));
                } else {
                    out.write(all, start, i - start);
                }
                if (i < lineLength) {
                    out.write(' ');
                }
                token++;
                start = i + 1;
            }
        }
        int newLineLength = out.size();
        out.write(all, lineLength, all.length - lineLength);
        byte[] bytes = out.toByteArray();
        int payloadOffset = newLineLength + frame.terminatorLength();
        return Frame.ofRaw(bytes, newLineLength, payloadOffset, frame.declaredLength(), frame.flags(), frame.command());
    }
}

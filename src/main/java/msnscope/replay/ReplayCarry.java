package msnscope.replay;

import msnscope.dissect.Dissection;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ParamSpec;
import msnscope.dissect.spec.ParamType;
import msnscope.dissect.spec.VolatileSpec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Values the live server chose in place of the captured ones (a switchboard cookie, a session id): learnt
 * from each captured server frame and the live frame matched to it, for every volatile parameter, and put
 * into the later client commands that echo them, in the parameter of the same name ({@code XFR SB}'s
 * {@code cookie} into the switchboard {@code USR}'s, {@code RNG}'s {@code session} into {@code ANS}'s).
 * TrIDs are not carried: every live request gets a fresh one.
 */
final class ReplayCarry {

    private final VolatileSpec volatility;
    /** source, parameter name, captured value -> live value. */
    private final Map<List<String>, String> values = new ConcurrentHashMap<>();

    ReplayCarry(VolatileSpec volatility) {
        this.volatility = volatility;
    }

    void learn(String source, Dissection captured, Dissection live) {
        FormSpec form = captured.form();
        if (form == null) {
            return;
        }
        FormSpec.Binding c = form.bind(captured.frame().lineTokens(), 1);
        FormSpec.Binding l = form.bind(live.frame().lineTokens(), 1);
        if (!c.exact() || !l.exact()) {
            return;
        }
        List<ParamSpec> params = form.params();
        for (int i = 0; i < params.size(); i++) {
            ParamSpec p = params.get(i);
            if (p.type() == ParamType.TRID || p.type() == ParamType.LENGTH || volatility.kindOf(p) == null
                    || c.count()[i] != 1 || l.count()[i] != 1) {
                continue;
            }
            String was = c.tokens()[c.start()[i]];
            String now = l.tokens()[l.start()[i]];
            if (!was.equals(now)) {
                values.put(List.of(source, p.name(), was), now);
            }
        }
    }

    /** The live value for a captured token of parameter {@code name}, or the token itself. */
    String apply(String source, String name, String token) {
        return values.getOrDefault(List.of(source, name, token), token);
    }
}

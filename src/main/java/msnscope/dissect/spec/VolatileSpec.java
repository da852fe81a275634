package msnscope.dissect.spec;

import java.util.Locale;
import java.util.Map;

/**
 * The {@code volatile:} table of {@code dissectors/types.yaml}: which values a server chooses anew in every
 * session (TrIDs, cookies, session ids, addresses, times, challenges, tickets), each with the kind it is.
 * {@code replay} holds a captured reply and a live one equal when they differ only in these.
 *
 * @param byType   kind of every parameter of a type
 * @param byParam  kind of a parameter by its name, in any command (wins over its type)
 * @param byHeader kind of a payload header, by lower-case name
 */
public record VolatileSpec(Map<ParamType, String> byType, Map<String, String> byParam, Map<String, String> byHeader) {

    public static final VolatileSpec NONE = new VolatileSpec(Map.of(), Map.of(), Map.of());

    /** The volatile kind of a parameter, or null when a change in it is a real difference. */
    public String kindOf(ParamSpec param) {
        String byName = byParam.get(param.name());
        return byName != null ? byName : byType.get(param.type());
    }

    /** The volatile kind of a payload header, or null. */
    public String kindOfHeader(String header) {
        return byHeader.get(header.trim().toLowerCase(Locale.ROOT));
    }
}

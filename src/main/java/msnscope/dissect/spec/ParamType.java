package msnscope.dissect.spec;

import java.util.Locale;

/**
 * How a parameter token is decoded. The names are the ones written in {@code dissectors/} (see its
 * README); the decoding itself is in {@code msnscope.dissect.ParamDecoder}.
 */
public enum ParamType {
    TRID, INT, LENGTH, HOSTPORT, COOKIE, SECRET, HANDLE, NICK, URLENC, STATUS, CAPS, LISTBITS, LIST, NETWORK,
    GUID, TIMESTAMP, UNIXTIME, VERSION, LOCALE, URL, MSNOBJ, KV, PREFIXED, ENUM, BOOL, HEX, TEXT;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type for a name written in a file, or null when there is none. */
    public static ParamType byName(String name) {
        for (ParamType t : values()) {
            if (t.yamlName().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The value table a type reads by default (e.g. {@code status} reads the table {@code status}). */
    public String defaultTable() {
        return switch (this) {
            case STATUS, LIST, NETWORK, CAPS, LISTBITS -> yamlName();
            default -> null;
        };
    }

    /** Values that an export with {@code --redact} must hide. */
    public boolean isSecret() {
        return this == COOKIE || this == SECRET;
    }
}

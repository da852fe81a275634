package msnscope.dissect.payload;

/**
 * One {@code Name: value} line as sent: the name keeps its original case, the value is raw (not
 * URL-decoded, not unquoted) with only the whitespace after the colon removed.
 */
public record MimeHeader(String name, String value) {

    public MimeHeader {
        name = name == null ? "" : name;
        value = value == null ? "" : value;
    }

    /** MSNP header names are matched without regard to case, as the clients do. */
    public boolean hasName(String other) {
        return name.equalsIgnoreCase(other);
    }
}

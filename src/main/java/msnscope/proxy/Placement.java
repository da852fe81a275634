package msnscope.proxy;

/**
 * Where a proxied connection's frames are kept: the session and the connection's id within it, the ids that
 * {@code show}, {@code search} and {@code export} know it by afterwards. The console prints these, so a line
 * seen live can be opened later by exactly the ids it showed.
 *
 * @param session the session id ({@code s3}), or null while not known
 * @param stream  the connection's id within the session ({@code c2}), or null while not known
 * @param settled false while the recorder may still move the connection (a notification server connection
 *                that could belong to more than one login until it names its account); the console waits
 */
public record Placement(String session, String stream, boolean settled) {

    /** Not placed yet: a switchboard connection before its first line names its cookie. */
    public static final Placement PENDING = new Placement(null, null, false);

    /** {@code s3/c2}, the form {@code show} takes. */
    public String id() {
        return session + "/" + stream;
    }
}

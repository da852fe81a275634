package msnscope.replay;

/**
 * Where a client did something the captured client did not: the served connection, what the client sent, and
 * what the capture had instead. {@link #line()} is the one line {@code serve} prints.
 *
 * @param connection the served connection's id ({@code c4}) and, when known, the captured connection it plays
 * @param sent       the client's command line
 * @param instead    what the capture had instead, in words
 */
public record ServeDivergence(String connection, String sent, String instead) {

    private static final int LONGEST = 100;

    public String line() {
        return "divergence on " + connection + ": the client sent '" + shorten(sent) + "'; " + instead;
    }

    /** A command line as a divergence quotes it: long lines (tickets, XML) are cut. */
    static String shorten(String line) {
        return line.length() <= LONGEST ? line : line.substring(0, LONGEST - 3) + "...";
    }
}

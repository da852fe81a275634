package msnscope.search;

/** A query the user typed that cannot be run: the message is one line saying what is wrong and how to fix it. */
public final class QuerySyntaxException extends Exception {
    public QuerySyntaxException(String message) {
        super(message);
    }
}

package msnscope.replay;

/** A replay that could not play at all (the upstream unreachable); the message is one line for the user. */
public final class ReplayException extends Exception {
    public ReplayException(String message) {
        super(message);
    }
}

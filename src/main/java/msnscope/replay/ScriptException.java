package msnscope.replay;

/** A source that cannot be played: its message is one line for the user, naming the source. */
public final class ScriptException extends Exception {

    public ScriptException(String message) {
        super(message);
    }
}

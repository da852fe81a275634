package msnscope.replay;

/** A Passport login that did not give a ticket; the message is one line for the user. */
public final class PassportException extends Exception {
    public PassportException(String message) {
        super(message);
    }
}

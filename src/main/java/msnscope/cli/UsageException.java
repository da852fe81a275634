package msnscope.cli;

/** A user mistake (bad option, unreadable file): printed as one line, exit code 2, no stack trace. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}

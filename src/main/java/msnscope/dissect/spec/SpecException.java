package msnscope.dissect.spec;

/** A mistake in a {@code dissectors/} file; the message names the file and the entry. */
public final class SpecException extends RuntimeException {
    public SpecException(String message) {
        super(message);
    }

    public SpecException(String message, Throwable cause) {
        super(message, cause);
    }
}

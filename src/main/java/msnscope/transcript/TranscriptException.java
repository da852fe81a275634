package msnscope.transcript;

/**
 * A transcript line that cannot be read as what it says it is (a {@code C@}/{@code S@} block or an
 * {@code @@ payload-base64} line that is not base64). The message names the line, for one line to the user.
 */
public final class TranscriptException extends IllegalArgumentException {
    public TranscriptException(String message) {
        super(message);
    }
}

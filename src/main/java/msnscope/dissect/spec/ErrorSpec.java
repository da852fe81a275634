package msnscope.dissect.spec;

/** A numeric error code of {@code dissectors/errors.yaml}. */
public record ErrorSpec(int code, String name, String meaning, boolean disconnects) {
}

package msnscope.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code msnscope} in-process and keeps its exit code, standard output and standard error. */
public record CliRunner(int code, String out, String err) {

    public static CliRunner run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRunner(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Standard output as JSON Lines: one object per non-blank line. */
    public java.util.List<com.fasterxml.jackson.databind.JsonNode> jsonLines() throws java.io.IOException {
        return jsonLines(out);
    }

    /** {@code jsonl} read as JSON Lines: one object per non-blank line. */
    public static java.util.List<com.fasterxml.jackson.databind.JsonNode> jsonLines(String jsonl) throws java.io.IOException {
        java.util.List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
        for (String l : jsonl.split("\n")) {
            if (!l.isBlank()) {
                out.add(msnscope.export.FrameJson.MAPPER.readTree(l));
            }
        }
        return out;
    }
}

package msnscope.chaos;

import com.fasterxml.jackson.core.type.TypeReference;
import msnscope.cli.CliRunner;
import msnscope.export.FrameJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The store as a user sees it: {@code sessions}, {@code export --format jsonl} and {@code search --format
 * jsonl} run through {@code msnscope}'s own entry point (in this JVM, after the proxy has stopped), their
 * JSON Lines parsed. A command that fails is a {@link Findings} item quoting its exit code and first line.
 */
final class StoreCommands {

    /** Enough for every frame of a chaos run: search must return them all. */
    static final String ALL_FRAMES_LIMIT = "200000";
    /**
     * A query every frame matches: each has a direction. ({@code cmd:*} is not one: a line that is not a
     * command, such as binary garbage, has no cmd term.)
     */
    static final String ALL_FRAMES = "dir:C2S OR dir:S2C";

    private final Path dir;
    private final Findings findings;
    /** Standard error of every command so far: where a damaged file must be reported. */
    private final StringBuilder stderr = new StringBuilder();
    private boolean lastFailed;
    private final java.util.Set<String> reported = new java.util.HashSet<>();

    StoreCommands(Path dir, Findings findings) {
        this.dir = dir;
        this.findings = findings;
    }

    /** Runs a command that must succeed; the same failure of the same command is one finding, however often it recurs. */
    CliRunner run(String... args) {
        CliRunner r = quietly(args);
        if (r.code() != 0 && reported.add(args[0] + " " + r.code() + " " + firstLine(r.err()))) {
            findings.add("msnscope " + String.join(" ", args) + " exited with " + r.code() + ": " + firstLine(r.err()));
        }
        return r;
    }

    /** Runs a command that may succeed or refuse (exit 2) in one line, like an export of a damaged session. */
    CliRunner runOrRefuse(String... args) {
        CliRunner r = quietly(args);
        findings.check(r.code() == 0 || r.code() == 2 && r.err().strip().lines().count() == 1, "msnscope " + String.join(" ", args)
                + " neither worked nor refused in one line: exit " + r.code() + ": " + r.err().strip());
        return r;
    }

    private CliRunner quietly(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data");
        all.add(dir.toString());
        CliRunner r = CliRunner.run(all.toArray(new String[0]));
        stderr.append(r.err());
        lastFailed = r.code() != 0;
        return r;
    }

    /** True when the last command exited with an error (its finding is already added). */
    boolean lastFailed() {
        return lastFailed;
    }

    String stderr() {
        return stderr.toString();
    }

    /** Session ids from {@code sessions --format jsonl}. */
    List<String> sessions() {
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> row : jsonl(run("sessions", "--format", "jsonl").out())) {
            ids.add(String.valueOf(row.get("session")));
        }
        return ids;
    }

    /** Every frame of the given sessions, by {@code export ID --format jsonl}. */
    List<Map<String, Object>> export(List<String> sessions) {
        List<Map<String, Object>> frames = new ArrayList<>();
        for (String s : sessions) {
            frames.addAll(jsonl(run("export", s, "--format", "jsonl").out()));
        }
        return frames;
    }

    /** The hits of {@code search QUERY --format jsonl}, as many as there are. */
    List<Map<String, Object>> search(String query, String... options) {
        List<String> args = new ArrayList<>(List.of("search", query, "--format", "jsonl", "--limit", ALL_FRAMES_LIMIT));
        args.addAll(List.of(options));
        return jsonl(run(args.toArray(String[]::new)).out());
    }

    static List<Map<String, Object>> jsonl(String text) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(FrameJson.MAPPER.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() { }));
            } catch (IOException e) {
                throw new UncheckedIOException("not a JSON line: " + line, e);
            }
        }
        return out;
    }

    static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}

package msnscope.cli;

import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's shell examples ({@code ```sh} blocks) as a newcomer pastes them, in order: each names a real
 * command with real options, writes nowhere inside the clone, and prints something. An example that
 * prints nothing (a filter over a capture that has no match) reads as broken to someone trying it out.
 */
class ReadmeExamplesTest {

    /** Commands that read files or the store and finish in seconds; the others are only parsed. */
    private static final Set<String> RUNNABLE = Set.of("dissect", "import", "sessions", "search", "show", "export", "delete", "reindex");
    private static final Set<String> STORE = Set.of("import", "sessions", "search", "show", "export", "delete", "reindex");

    /** One pasted line: its pipeline segments, each a list of words, and where standard output is redirected. */
    private record Example(String line, List<List<String>> segments, String redirect) {

        List<String> msnscope() {
            for (List<String> s : segments) {
                if (!s.isEmpty() && (s.get(0).equals("msnscope") || s.get(0).equals("./msnscope"))) {
                    return s.subList(1, s.size());
                }
            }
            return null;
        }

        /** The file {@code cat FILE | msnscope …} feeds to standard input, or null. */
        String catInput() {
            List<String> first = segments.get(0);
            return segments.size() > 1 && first.size() == 2 && first.get(0).equals("cat") ? first.get(1) : null;
        }

        /** The jq program the output is piped into, or null. */
        String jqFilter() {
            for (List<String> s : segments) {
                if (!s.isEmpty() && s.get(0).equals("jq")) {
                    return s.get(s.size() - 1);
                }
            }
            return null;
        }
    }

    private static List<Example> examples() throws IOException {
        List<Example> out = new ArrayList<>();
        boolean sh = false;
        for (String line : Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                sh = !sh && line.strip().equals("```sh");
                continue;
            }
            if (sh && !line.isBlank()) {
                out.add(parse(line));
            }
        }
        assertTrue(out.size() >= 10, "the README's shell examples were found: " + out.size());
        return out;
    }

    /** Splits a line as a POSIX shell would for these simple examples: quotes, |, &&, > and # comments. */
    static Example parse(String line) {
        List<List<String>> segments = new ArrayList<>();
        List<String> words = new ArrayList<>();
        String redirect = null;
        boolean redirecting = false;
        StringBuilder word = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' || c == '"') {
                int end = line.indexOf(c, i + 1);
                word = word == null ? new StringBuilder() : word;
                word.append(line, i + 1, end);
                i = end;
            } else if (Character.isWhitespace(c) || c == '|' || c == '>' || c == '&' || c == '#' && word == null) {
                if (word != null) {
                    if (redirecting) {
                        redirect = word.toString();
                        redirecting = false;
                    } else {
                        words.add(word.toString());
                    }
                    word = null;
                }
                if (c == '#') {
                    break;
                }
                if (c == '|' || c == '&') {
                    if (!words.isEmpty()) {
                        segments.add(words);
                    }
                    words = new ArrayList<>();
                } else if (c == '>') {
                    redirecting = true;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            if (redirecting) {
                redirect = word.toString();
            } else {
                words.add(word.toString());
            }
        }
        if (!words.isEmpty()) {
            segments.add(words);
        }
        return new Example(line, segments, redirect);
    }

    @Test
    void theShellParserSplitsPipesQuotesRedirectsAndComments() {
        Example e = parse("msnscope search 'cmd:XFR AND account:a@b' --format jsonl | jq -c 'select(.x != [])' > /tmp/o  # note");
        assertEquals(List.of(List.of("msnscope", "search", "cmd:XFR AND account:a@b", "--format", "jsonl"),
                List.of("jq", "-c", "select(.x != [])")), e.segments());
        assertEquals("/tmp/o", e.redirect());
        assertEquals("captures/x.pcap", parse("cat captures/x.pcap | msnscope dissect -").catInput());
    }

    @Test
    void everyShellExampleNamesARealCommandWithRealOptions() throws Exception {
        int checked = 0;
        for (Example e : examples()) {
            List<String> args = e.msnscope();
            if (args == null) {
                continue;
            }
            Command command = Main.commands().get(args.get(0));
            assertNotNull(command, "README example names no msnscope command: " + e.line());
            Options options = command.options();
            options.addOption(Option.builder("h").longOpt("help").build());
            try {
                new DefaultParser().parse(options, args.subList(1, args.size()).toArray(String[]::new));
            } catch (ParseException x) {
                fail("README example does not parse (" + x.getMessage() + "): " + e.line());
            }
            checked++;
        }
        assertTrue(checked >= 10, "msnscope examples checked: " + checked);
    }

    @Test
    void noShellExampleWritesIntoTheClone() throws Exception {
        for (Example e : examples()) {
            List<String> args = e.msnscope();
            List<String> targets = new ArrayList<>();
            if (e.redirect() != null) {
                targets.add(e.redirect());
            }
            for (int i = 0; args != null && i + 1 < args.size(); i++) {
                if (args.get(i).equals("-o") || args.get(i).equals("--output")) {
                    targets.add(args.get(i + 1));
                }
            }
            for (String t : targets) {
                assertTrue(t.equals("-") || Path.of(t).isAbsolute(),
                        "README example writes " + t + " into the directory it runs in (the clone): " + e.line());
            }
        }
    }

    /**
     * Runs the dissect and store examples in README order, the store ones against a fresh {@code --data}
     * and every {@code -o} file moved into a temporary folder: each exits 0 and prints (or writes) something.
     */
    @Test
    void theExamplesRunInOrderAndEachPrintsSomething(@TempDir Path tmp) throws Exception {
        Path store = tmp.resolve("store");
        int ran = 0;
        for (Example e : examples()) {
            List<String> args = e.msnscope();
            if (args == null || !RUNNABLE.contains(args.get(0))) {
                continue;
            }
            List<String> run = new ArrayList<>(args);
            Path written = null;
            for (int i = 0; i + 1 < run.size(); i++) {
                if ((run.get(i).equals("-o") || run.get(i).equals("--output")) && !run.get(i + 1).equals("-")) {
                    written = tmp.resolve("out-" + ran + "-" + Path.of(run.get(i + 1)).getFileName());
                    run.set(i + 1, written.toString());
                }
            }
            if (STORE.contains(args.get(0))) {
                // The example's own store (a story's --data /tmp/…) becomes the test's, shared by all examples in order.
                int at = run.indexOf("--data");
                if (at >= 0 && at + 1 < run.size()) {
                    run.set(at + 1, store.toString());
                } else {
                    run.addAll(List.of("--data", store.toString()));
                }
            }
            String input = e.catInput();
            CliRunner r = input == null ? CliRunner.run(run.toArray(String[]::new))
                    : CliStdin.run(Files.readAllBytes(Path.of(input)), run.toArray(String[]::new));
            assertEquals(Main.OK, r.code(), e.line() + "\n" + r.err());
            if (written != null) {
                assertTrue(Files.size(written) > 0, "wrote nothing: " + e.line());
            } else {
                assertFalse(r.out().isBlank(), "printed nothing: " + e.line() + "\n" + r.err());
            }
            assertFalse(r.out().startsWith("no frames matched"), "matched nothing: " + e.line());
            String jq = e.jqFilter();
            if ("select(.warnings != [])".equals(jq)) {
                assertTrue(Arrays.stream(r.out().split("\n")).anyMatch(l -> l.contains("\"warnings\":[{")),
                        "the jq filter selects nothing from this example's output: " + e.line());
            }
            ran++;
        }
        assertTrue(ran >= 10, "README examples run: " + ran);
    }
}

package msnscope.cli;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Help as a newcomer reads it: whole sentences, wrapped once, for every command, agreeing with the README. */
class HelpTextTest {

    private static final int WIDTH = HelpText.width();

    /** Lines no wider than the width, and no wrapped line whose first word would have fitted on the line above it. */
    private static void wrappedOnce(String text, String what) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            assertTrue(line.length() <= WIDTH, what + ": line wider than " + WIDTH + ": " + line);
            if (i > 0 && continuation(lines.get(i - 1), line)) {
                String first = line.strip().split(" ")[0];
                String above = lines.get(i - 1);
                assertTrue(above.length() + 1 + first.length() > WIDTH,
                        what + ": '" + first + "' would have fitted on the line above:\n" + above + "\n" + line);
            }
        }
    }

    /** Whether {@code line} continues the text of {@code above} (a description or paragraph wrapped onto it). */
    private static boolean continuation(String above, String line) {
        String text = line.strip();
        String before = above.strip();
        if (line.isBlank() || above.isBlank() || text.startsWith("-") || text.startsWith("[") || text.startsWith("msnscope ")
                || above.endsWith(":") || before.startsWith("usage:") || before.startsWith("-") && !before.contains("  ")) {
            return false;
        }
        int indent = line.length() - line.stripLeading().length();
        return indent >= 8 || indent == 0 && !above.startsWith(" ");
    }

    @Test
    void overviewGivesEveryCommandAWholeSentence() {
        CliRunner r = CliRunner.run("--help");
        assertEquals(Main.OK, r.code());
        wrappedOnce(r.out(), "--help");
        for (Command c : Main.commands().values()) {
            String sentence = HelpText.firstSentence(c.description());
            assertTrue(sentence.endsWith("."), c.name() + ": " + sentence);
            String shown = String.join(" ", HelpText.words(r.out()));
            assertTrue(shown.contains(c.name() + " " + sentence), c.name() + " is described by its whole first sentence: " + sentence);
        }
    }

    @Test
    void everyCommandsHelpIsWrappedOnceWithinTheWidth() {
        for (String name : Main.commands().keySet()) {
            CliRunner r = CliRunner.run(name, "--help");
            assertEquals(Main.OK, r.code(), name);
            wrappedOnce(r.out(), name + " --help");
            String text = String.join(" ", HelpText.words(r.out()));
            assertTrue(text.contains(String.join(" ", HelpText.words(Main.commands().get(name).description()))),
                    name + ": the description is all there");
        }
    }

    @Test
    void helpCommandPrintsThatCommandsHelp() {
        for (String name : Main.commands().keySet()) {
            CliRunner help = CliRunner.run("help", name);
            assertEquals(Main.OK, help.code(), name);
            assertTrue(help.out().startsWith("usage: msnscope " + name + " "), help.out());
            assertEquals(CliRunner.run(name, "--help").out(), help.out());
        }
        CliRunner unknown = CliRunner.run("help", "serach");
        assertEquals(Main.USAGE, unknown.code());
        assertEquals(1, unknown.err().lines().count(), unknown.err());
        assertTrue(unknown.err().contains("unknown command 'serach'"), unknown.err());
        assertTrue(CliRunner.run("help").out().contains("commands:"));
    }

    @Test
    void versionIsTheProjectVersionOfThePom() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<artifactId>msnscope</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "the pom names its version");
        for (String flag : new String[] {"--version", "-V"}) {
            CliRunner r = CliRunner.run(flag);
            assertEquals(Main.OK, r.code());
            assertEquals("msnscope " + m.group(1), r.out().strip());
        }
        assertTrue(CliRunner.run("--help").out().startsWith("msnscope " + m.group(1) + " "));
    }

    @Test
    void dissectHelpSaysWhichFilesItReads() {
        String help = String.join(" ", HelpText.words(CliRunner.run("dissect", "--help").out()));
        assertTrue(help.contains("pcap"), help);
        assertTrue(help.contains("transcript"), help);
    }

    /** {@code --name ARG}, {@code --name[=ARG]} or a bare {@code --name}, as the README and the help write them. */
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--([a-z][a-z-]*)(\\[=([^\\]]+)\\]| ((?:[A-Z][A-Z:=_-]*)|(?:[a-z]+(?:\\|[a-z]+)+)))?");

    @Test
    void readmeAndHelpNameEveryOptionAndItsArgumentAlike() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        Map<String, Command> commands = Main.commands();
        Pattern heading = Pattern.compile("^#+ .*`msnscope ([a-z-]+)( [^`]*)?`");
        Command current = null;
        List<String> checked = new ArrayList<>();
        boolean code = false;
        for (String raw : readme) {
            if (raw.startsWith("```")) {
                code = !code;
                continue;
            }
            Matcher h = heading.matcher(raw);
            if (!code && raw.startsWith("#")) {
                current = h.find() ? commands.get(h.group(1)) : null;
                if (current != null && h.group(2) != null) {
                    check(current, h.group(2), raw, checked);
                }
                continue;
            }
            if (current == null || code) {
                continue;
            }
            String line = raw.replace("\\|", "|");
            String lead = null;
            if (line.startsWith("| `")) {
                lead = line.substring(1, line.indexOf('|', 2));
            } else if (line.startsWith("- `--")) {
                Matcher m = Pattern.compile("^- ((?:`[^`]*`[/, ]*)+)").matcher(line);
                lead = m.find() ? m.group(1) : null;
            }
            if (lead != null) {
                check(current, lead, raw, checked);
            }
        }
        assertTrue(checked.size() > 30, "the README's option tables were read: " + checked);
    }

    private static void check(Command command, String text, String readmeLine, List<String> checked) {
        Options options = command.options();
        for (String snippet : text.split("`")) {
            Matcher m = OPTION.matcher(snippet);
            while (m.find()) {
                Option o = options.getOption(m.group(1));
                assertNotNull(o, "README names --" + m.group(1) + " for " + command.name() + ", which has no such option: " + readmeLine);
                String readmeArg = m.group(3) != null ? m.group(3) : m.group(4);
                if (readmeArg != null && o.hasArg()) {
                    assertEquals(o.getArgName(), readmeArg, command.name() + " --" + m.group(1) + ": README and help disagree: " + readmeLine);
                }
                assertFalse(readmeArg != null && !o.hasArg(), command.name() + " --" + m.group(1) + " takes no value: " + readmeLine);
                checked.add(command.name() + " --" + m.group(1));
            }
        }
    }

    @Test
    void anUpstreamPortOutOfRangeSaysTheRange() {
        for (String port : new String[] {"99999", "0"}) {
            CliRunner r = CliRunner.run("proxy", "--upstream", "127.0.0.1:" + port);
            assertEquals(Main.USAGE, r.code());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("the port must be 1–65535, not " + port), r.err());
        }
    }
}

package msnscope.cli;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The help screens, wrapped to the terminal: {@code $COLUMNS} when the shell exports it, else 80. Text
 * is reflowed (a line break inside a paragraph of a description is only where the source was cut), then
 * wrapped once at word boundaries, so a line never ends in a lone word pushed over by a second wrap.
 */
final class HelpText {

    static final int DEFAULT_WIDTH = 80;
    /** Options column: wider left parts put their description on the next line. */
    private static final int MAX_LEFT = 28;

    private HelpText() {
    }

    static int width() {
        String columns = System.getenv("COLUMNS");
        if (columns != null && columns.matches("\\d{2,3}")) {
            return Math.max(40, Math.min(160, Integer.parseInt(columns)));
        }
        return DEFAULT_WIDTH;
    }

    /** {@code msnscope COMMAND --help}: usage, description, options. */
    static String command(Command command, Options options, int width) {
        StringBuilder sb = new StringBuilder();
        String prefix = "usage: msnscope " + command.name() + " ";
        sb.append(wrap(usageUnits(command.usage()), prefix, " ".repeat(prefix.length()), width));
        for (String paragraph : paragraphs(command.description())) {
            sb.append('\n').append(wrap(words(paragraph), "", "", width));
        }
        sb.append("\noptions:\n");
        List<Option> list = new ArrayList<>(options.getOptions());
        list.sort(Comparator.comparing(o -> o.getLongOpt() != null ? o.getLongOpt() : o.getOpt()));
        int left = 0;
        for (Option o : list) {
            int n = left(o).length();
            if (n <= MAX_LEFT) {
                left = Math.max(left, n);
            }
        }
        int column = left + 2;
        String indent = " ".repeat(column);
        for (Option o : list) {
            String l = left(o);
            List<String> words = words(o.getDescription() == null ? "" : o.getDescription());
            if (l.length() <= left) {
                sb.append(wrap(words, l + " ".repeat(column - l.length()), indent, width));
            } else {
                sb.append(l).append('\n').append(wrap(words, indent, indent, width));
            }
        }
        return sb.toString();
    }

    /** {@code msnscope --help}: one complete sentence per command. */
    static String overview(String version, Map<String, Command> commands, int width) {
        StringBuilder sb = new StringBuilder();
        sb.append(wrap(words("msnscope " + version + " — intercepting proxy and traffic analyzer for the MSN Messenger protocol"),
                "", "", width));
        sb.append("\nusage: msnscope COMMAND [options]\n       msnscope help COMMAND   (or msnscope COMMAND --help)\n"
                + "       msnscope --version\n\ncommands:\n");
        int name = 0;
        for (String n : commands.keySet()) {
            name = Math.max(name, n.length());
        }
        String indent = " ".repeat(name + 4);
        for (Command c : commands.values()) {
            sb.append(wrap(words(firstSentence(c.description())), "  " + c.name() + " ".repeat(name + 2 - c.name().length()), indent, width));
        }
        return sb.toString();
    }

    /** {@code  -f, --format FORMAT} / {@code      --redact[=WHAT]}. */
    static String left(Option o) {
        StringBuilder sb = new StringBuilder("  ");
        sb.append(o.getOpt() != null && o.getLongOpt() != null ? "-" + o.getOpt() + ", " : "    ");
        sb.append(o.getLongOpt() != null ? "--" + o.getLongOpt() : "-" + o.getOpt());
        if (o.hasArg()) {
            String arg = o.getArgName() == null ? "VALUE" : o.getArgName();
            sb.append(o.hasOptionalArg() ? "[=" + arg + "]" : " " + arg);
        }
        return sb.toString();
    }

    /** The description's first sentence, whole (a period after "e.g" or "i.e" ends none). */
    static String firstSentence(String description) {
        String text = String.join(" ", words(description));
        Matcher m = SENTENCE_END.matcher(text);
        while (m.find()) {
            String before = text.substring(0, m.start());
            if (!before.endsWith("e.g") && !before.endsWith("i.e") && !before.endsWith("etc")) {
                return text.substring(0, m.start() + 1);
            }
        }
        return text;
    }

    private static final Pattern SENTENCE_END = Pattern.compile("\\.(?= [A-Z(`'\"-]|$)");

    static List<String> paragraphs(String text) {
        List<String> out = new ArrayList<>();
        for (String p : text.split("\n\\s*\n")) {
            if (!p.isBlank()) {
                out.add(p);
            }
        }
        return out;
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** A usage line's pieces that must stay on one line: a bracketed group is never split. */
    static List<String> usageUnits(String usage) {
        List<String> out = new ArrayList<>();
        StringBuilder unit = new StringBuilder();
        int depth = 0;
        for (char c : usage.trim().toCharArray()) {
            if (c == ' ' && depth == 0) {
                if (unit.length() > 0) {
                    out.add(unit.toString());
                    unit.setLength(0);
                }
                continue;
            }
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            unit.append(c);
        }
        if (unit.length() > 0) {
            out.add(unit.toString());
        }
        return out;
    }

    /** Greedy word wrap; the first line starts with {@code first}, the others with {@code rest}; ends with a newline. */
    static String wrap(List<String> words, String first, String rest, int width) {
        StringBuilder sb = new StringBuilder(first);
        int lineStart = 0;
        boolean empty = true;
        for (String w : words) {
            int length = sb.length() - lineStart;
            if (!empty && length + 1 + w.length() > width) {
                sb.append('\n');
                lineStart = sb.length();
                sb.append(rest);
                empty = true;
            }
            sb.append(empty ? "" : " ").append(w);
            empty = false;
        }
        return sb.append('\n').toString();
    }
}

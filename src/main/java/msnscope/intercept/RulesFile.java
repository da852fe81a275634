package msnscope.intercept;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import msnscope.search.FrameFilter;
import msnscope.search.QuerySyntaxException;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads and checks a rules file: every mistake is found on load and told in one line naming the file and the
 * rule, so a proxy never starts (or reloads) with a rule that would fail on its first frame.
 */
final class RulesFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final List<String> ACTIONS = List.of("reply", "drop", "delay", "replace", "inject", "close");
    private static final List<String> KEYS = List.of("match", "name", "stop", "reply", "drop", "delay", "replace", "inject", "close");
    private static final List<String> REPLACE_KEYS = List.of("in", "regex", "with");
    private static final List<String> INJECT_KEYS = List.of("to", "line", "payload", "position");
    private static final String EXAMPLE = "e.g. \"- match: 'cmd:QNG AND dir:S2C'\" and \"  drop: true\" on the next line";

    private RulesFile() {
    }

    /** The rules of {@code file}, in file order. */
    static List<Rule> read(Path file) throws RulesException {
        String where = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RulesException(where + ": no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new RulesException(where + ": cannot read it (permission denied)");
        } catch (IOException e) {
            throw new RulesException(where + ": cannot read it (" + (Files.isDirectory(file) ? "a folder" : e.getMessage()) + ")");
        }
        JsonNode root;
        try {
            root = YAML.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new RulesException(where + syntaxError(e));
        } catch (IOException e) {
            throw new RulesException(where + ": cannot read it (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            // The YAML parser's own limits (nesting, aliases) end in unchecked exceptions on hostile files.
            throw new RulesException(where + ": not valid YAML: " + (e.getMessage() == null ? "the parser gave up" : e.getMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new RulesException(where + ": is empty; a rules file is a list of rules, " + EXAMPLE);
        }
        if (!root.isArray()) {
            throw new RulesException(where + ": a rules file is a list of rules (each starts with '- '), not " + kind(root) + "; " + EXAMPLE);
        }
        String fileName = file.getFileName() == null ? where : file.getFileName().toString();
        List<Rule> rules = new ArrayList<>();
        int n = 0;
        for (JsonNode node : root) {
            n++;
            rules.add(rule(node, n, where, fileName));
        }
        return List.copyOf(rules);
    }

    /** {@code line 3: not valid YAML: <what> (<while doing what>)}: the parser's reason without its echo of the source. */
    private static String syntaxError(JsonProcessingException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                String problem = m.getProblem() == null ? "syntax error" : m.getProblem();
                int line = m.getProblemMark().getLine() + 1;
                String context = m.getContext();
                if (context != null && m.getContextMark() != null && m.getContextMark().getLine() + 1 != line) {
                    context += " that starts on line " + (m.getContextMark().getLine() + 1);
                }
                return " line " + line + ": not valid YAML: " + problem + (context == null ? "" : " (" + context + ")");
            }
        }
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            return ": not valid YAML: nested too deep or too large for a rules file";
        }
        JsonLocation at = e.getLocation();
        String why = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage().lines().findFirst().orElse("syntax error");
        return (at == null || at.getLineNr() < 1 ? "" : " line " + at.getLineNr()) + ": not valid YAML: " + why;
    }

    private static String kind(JsonNode n) {
        String v = n.asText();
        return n.isObject() ? "a mapping" : n.isArray() ? "a list" : n.isNull() ? "nothing"
                : "a value (" + (v.length() > 40 ? v.substring(0, 40) + "…" : v) + ")";
    }

    private static Rule rule(JsonNode node, int number, String where, String fileName) throws RulesException {
        String at = where + " rule " + number;
        if (!node.isObject()) {
            throw new RulesException(at + ": a rule is a mapping with match: and one action, not " + kind(node) + "; " + EXAMPLE);
        }
        JsonNode match = node.get("match");
        if (match != null && match.isValueNode() && !match.isNull()) {
            at += " (match '" + match.asText() + "')";
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new RulesException(at + ": " + unknown(key, KEYS) + "; a rule has match, one action (" + String.join(", ", ACTIONS)
                        + "), and optional stop and name");
            }
        }
        if (match == null) {
            throw new RulesException(at + ": no match: (the query that selects its frames, e.g. match: 'cmd:QNG AND dir:S2C'; '*' for every frame)");
        }
        String query = text(match, at + ": match");
        if (query.isBlank()) {
            throw new RulesException(at + ": match is empty; write '*' to match every frame");
        }
        FrameFilter filter;
        try {
            filter = FrameFilter.parse(query);
        } catch (QuerySyntaxException e) {
            throw new RulesException(at + ": " + e.getMessage());
        }
        List<String> given = new ArrayList<>();
        for (String a : ACTIONS) {
            if (node.has(a)) {
                given.add(a);
            }
        }
        if (given.isEmpty()) {
            throw new RulesException(at + ": no action; give one of " + String.join(", ", ACTIONS));
        }
        if (given.size() > 1) {
            throw new RulesException(at + ": has " + given.size() + " actions (" + String.join(", ", given)
                    + "); a rule takes one: write one rule per action with the same match");
        }
        String word = given.get(0);
        RuleAction action = action(word, node.get(word), at + ": " + word);
        boolean stop = false;
        if (node.has("stop")) {
            JsonNode s = node.get("stop");
            if (!s.isBoolean()) {
                throw new RulesException(at + ": stop takes true or false, not " + show(s));
            }
            stop = s.booleanValue();
        }
        String name = node.has("name") ? text(node.get("name"), at + ": name") : null;
        return new Rule(number, name, filter, filter.interest(), action, stop, canonical(node),
                name != null ? name : "rule " + number + " (" + fileName + ")", new Rule.Tally());
    }

    /** The rule as data, keys sorted: the same rule written in another order or style has the same text. */
    private static String canonical(JsonNode node) {
        if (node.isObject()) {
            java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
            node.fields().forEachRemaining(e -> sorted.put(e.getKey(), canonical(e.getValue())));
            StringBuilder sb = new StringBuilder("{");
            sorted.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append(new com.fasterxml.jackson.databind.node.TextNode(k)).append(':').append(v));
            return sb.append('}').toString();
        }
        return node.toString();
    }

    private static RuleAction action(String word, JsonNode v, String at) throws RulesException {
        return switch (word) {
            case "reply" -> new RuleAction.Reply(lineTemplate(v, at));
            case "drop" -> {
                if (!v.isBoolean() || !v.booleanValue()) {
                    throw new RulesException(at + " takes true, not " + show(v) + " (leave the rule out to forward the frames)");
                }
                yield new RuleAction.Drop();
            }
            case "delay" -> {
                long ms = v.isTextual() ? Durations.millis(v.textValue()) : -1;
                if (ms < 0) {
                    throw new RulesException(at + " must be a duration like 3s or 250ms (ms, s or m; at most 1 hour), not " + show(v));
                }
                yield new RuleAction.Delay(ms, v.textValue().strip());
            }
            case "replace" -> replace(v, at);
            case "inject" -> inject(v, at);
            case "close" -> new RuleAction.Close(side(v, at, true));
            default -> throw new IllegalStateException(word);
        };
    }

    private static RuleAction replace(JsonNode v, String at) throws RulesException {
        Map<String, JsonNode> m = mapping(v, at, REPLACE_KEYS, "{in: payload, regex: 'hello', with: 'HELLO'}");
        String in = text(required(m, "in", at), at + ": in").strip().toLowerCase(Locale.ROOT);
        if (!in.equals("line") && !in.equals("payload")) {
            throw new RulesException(at + ": in must be line or payload, not " + show(m.get("in")));
        }
        String regex = text(required(m, "regex", at), at + ": regex");
        if (regex.isEmpty()) {
            throw new RulesException(at + ": regex is empty");
        }
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new RulesException(at + ": regex is not a valid Java regular expression: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " at " + (e.getIndex() + 1) : ""));
        }
        String with = text(required(m, "with", at), at + ": with");
        checkReplacement(p, with, at);
        boolean payload = in.equals("payload");
        if (!payload && (with.indexOf('\r') >= 0 || with.indexOf('\n') >= 0)) {
            throw new RulesException(at + ": with puts a line break in the line, which would split the frame; use inject for another frame");
        }
        try {
            return RuleAction.Replace.of(payload, p, with);
        } catch (PatternSyntaxException e) {
            // Written with non-ASCII text inside a construct that its UTF-8 bytes break: only payloads that are not UTF-8 need that form.
            throw new RulesException(at + ": regex cannot be used on payloads that are not UTF-8 (" + e.getDescription()
                    + "); write non-ASCII characters outside classes and quantifiers");
        }
    }

    /** Group references in {@code with} ({@code $2}, {@code ${name}}) that the regex has, and escapes that end. */
    private static void checkReplacement(Pattern p, String with, String at) throws RulesException {
        // The regex or an empty match: a matcher that always matches, with the regex's own groups (unset).
        Matcher m = Pattern.compile("(?:" + p.pattern() + ")|", p.flags()).matcher("");
        if (!m.find()) {
            return;
        }
        try {
            m.appendReplacement(new StringBuilder(), with);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new RulesException(at + ": with: " + e.getMessage() + " (groups are $1.." + "$" + p.matcher("").groupCount()
                    + "; write \\$ for a dollar sign)");
        }
    }

    private static RuleAction inject(JsonNode v, String at) throws RulesException {
        Map<String, JsonNode> m = mapping(v, at, INJECT_KEYS, "{to: client, line: 'OUT OTH'}");
        Side to = side(required(m, "to", at), at + ": to", false);
        Template line = lineTemplate(required(m, "line", at), at + ": line");
        Template payload = m.containsKey("payload") ? template(m.get("payload"), at + ": payload") : null;
        boolean before = false;
        if (m.containsKey("position")) {
            String pos = text(m.get("position"), at + ": position").strip().toLowerCase(Locale.ROOT);
            if (!pos.equals("before") && !pos.equals("after")) {
                throw new RulesException(at + ": position must be before or after, not " + show(m.get("position")));
            }
            before = pos.equals("before");
        }
        return new RuleAction.Inject(to, before, line, payload);
    }

    private static Side side(JsonNode v, String at, boolean both) throws RulesException {
        String s = v.isTextual() ? v.textValue().strip().toLowerCase(Locale.ROOT) : "";
        switch (s) {
            case "client" -> {
                return Side.CLIENT;
            }
            case "server" -> {
                return Side.SERVER;
            }
            case "both" -> {
                if (both) {
                    return Side.BOTH;
                }
            }
            default -> {
            }
        }
        throw new RulesException(at + " must be client" + (both ? ", server or both" : " or server") + ", not " + show(v));
    }

    private static Map<String, JsonNode> mapping(JsonNode v, String at, List<String> keys, String example) throws RulesException {
        if (!v.isObject()) {
            throw new RulesException(at + " takes a mapping like " + example + ", not " + show(v));
        }
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!keys.contains(e.getKey())) {
                throw new RulesException(at + ": " + unknown(e.getKey(), keys) + "; it takes " + String.join(", ", keys));
            }
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    private static JsonNode required(Map<String, JsonNode> m, String key, String at) throws RulesException {
        JsonNode v = m.get(key);
        if (v == null) {
            throw new RulesException(at + ": no " + key + ":");
        }
        return v;
    }

    private static String unknown(String key, List<String> known) {
        String close = Closest.of(key, known);
        return "unknown key '" + key + "'" + (close == null ? "" : " (did you mean '" + close + "'?)");
    }

    /** A scalar as text; a number or true is taken as written, a mapping or list is refused. */
    private static String text(JsonNode v, String label) throws RulesException {
        if (v == null || v.isNull() || !v.isValueNode()) {
            throw new RulesException(label + " must be text, not " + (v == null ? "nothing" : show(v))
                    + (v != null && v.isObject() ? " (quote text that starts with '{')" : ""));
        }
        return v.asText();
    }

    private static Template template(JsonNode v, String at) throws RulesException {
        String t = text(v, at);
        try {
            return Template.parse(t);
        } catch (IllegalArgumentException e) {
            throw new RulesException(at + ": " + e.getMessage());
        }
    }

    /** A template that must stay one line: a line break in it would be read as a second frame. */
    private static Template lineTemplate(JsonNode v, String at) throws RulesException {
        Template t = template(v, at);
        String s = t.toString();
        if (s.isBlank()) {
            throw new RulesException(at + " is empty; it is the command line to send, e.g. '911 {trid}'");
        }
        if (s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0) {
            throw new RulesException(at + " holds a line break; it is one command line (a payload goes in inject's payload:)");
        }
        return t;
    }

    private static String show(JsonNode v) {
        if (v.isTextual()) {
            return "\"" + v.textValue() + "\"";
        }
        return v.isObject() ? "a mapping" : v.isArray() ? "a list" : v.isNull() ? "nothing" : v.toString();
    }
}

package msnscope.intercept;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every mistake in a rules file is refused on load with one line naming the file, the rule and the fix. */
class RulesLoadTest {

    @TempDir
    Path dir;
    private RulesFixture fx;
    private String f;

    @BeforeEach
    void setUp() {
        fx = new RulesFixture(dir);
        f = fx.file.toString();
    }

    private String error(String yaml) {
        String e = fx.error(yaml);
        assertFalse(e.contains("\n"), "one line: " + e);
        assertFalse(e.matches(".*\\b(java|com\\.fasterxml|org\\.)\\.[a-z].*Exception.*"), "no exception class: " + e);
        return e;
    }

    @Test
    void aYamlSyntaxErrorNamesItsLine() {
        assertEquals(f + " line 5: not valid YAML: found unexpected end of stream (while scanning a quoted scalar that starts on line 3)",
                error("- match: 'cmd:QNG'\n  drop: true\n- match: 'cmd:JOI\n  delay: 3s\n"));
        String tabs = error("- match: 'cmd:QNG'\n\tdrop: true\n");
        assertTrue(tabs.startsWith(f + " line 2: not valid YAML: found character '\\t(TAB)' that cannot start any token"), tabs);
        String indent = error("- match: 'cmd:QNG'\n  drop: true\n   delay: 3s\n");
        assertTrue(indent.startsWith(f + " line 3: not valid YAML: "), indent);
    }

    @Test
    void aFileThatIsNotAListIsRefused() {
        assertEquals(f + ": a rules file is a list of rules (each starts with '- '), not a mapping; e.g. \"- match: 'cmd:QNG AND dir:S2C'\" and \"  drop: true\" on the next line",
                error("match: 'cmd:QNG'\ndrop: true\n"));
        assertTrue(error("").startsWith(f + ": is empty; a rules file is a list of rules"));
        assertTrue(error("# nothing yet\n").startsWith(f + ": is empty"));
    }

    @Test
    void aMissingFileIsOneLine() {
        assertEquals(dir.resolve("nope.yaml") + ": no such file", assertThrowsRules(dir.resolve("nope.yaml")));
        assertTrue(assertThrowsRules(dir).startsWith(dir + ": cannot read it"), assertThrowsRules(dir));
    }

    private static String assertThrowsRules(Path p) {
        try (Rules r = Rules.load(p, s -> { }, false)) {
            throw new AssertionError("loaded " + r.describe());
        } catch (RulesException e) {
            return e.getMessage();
        }
    }

    @Test
    void aRuleThatIsNotAMappingIsRefused() {
        assertEquals(f + " rule 2: a rule is a mapping with match: and one action, not a value (drop); e.g. \"- match: 'cmd:QNG AND dir:S2C'\" and \"  drop: true\" on the next line",
                error("- match: 'cmd:QNG'\n  drop: true\n- drop\n"));
    }

    @Test
    void aRuleWithoutMatchIsRefused() {
        assertEquals(f + " rule 1: no match: (the query that selects its frames, e.g. match: 'cmd:QNG AND dir:S2C'; '*' for every frame)",
                error("- drop: true\n"));
        assertEquals(f + " rule 1 (match ''): match is empty; write '*' to match every frame", error("- match: ''\n  drop: true\n"));
    }

    @Test
    void aBadQueryCarriesTheSearchMessage() {
        String e = error("- match: 'cmd:QNG AND wat:x'\n  drop: true\n");
        assertTrue(e.startsWith(f + " rule 1 (match 'cmd:QNG AND wat:x'): bad query: unknown field 'wat' (fields: "), e);
        String open = error("- match: 'cmd:(QNG OR'\n  drop: true\n");
        assertTrue(open.startsWith(f + " rule 1 (match 'cmd:(QNG OR'): bad query: "), open);
    }

    @Test
    void anUnknownKeyIsNamedWithTheClosestKnownOne() {
        assertEquals(f + " rule 1 (match 'cmd:QNG'): unknown key 'dorp' (did you mean 'drop'?); a rule has match, one action (reply, drop, delay, replace, inject, close), and optional stop and name",
                error("- match: 'cmd:QNG'\n  dorp: true\n"));
        assertEquals(f + " rule 1 (match 'cmd:QNG'): unknown key 'colour'; a rule has match, one action (reply, drop, delay, replace, inject, close), and optional stop and name",
                error("- match: 'cmd:QNG'\n  drop: true\n  colour: red\n"));
        assertEquals(f + " rule 1 (match 'cmd:MSG'): replace: unknown key 'regx' (did you mean 'regex'?); it takes in, regex, with",
                error("- match: 'cmd:MSG'\n  replace: {in: payload, regx: 'a', with: 'b'}\n"));
        assertEquals(f + " rule 1 (match 'cmd:MSG'): inject: unknown key 'postion' (did you mean 'position'?); it takes to, line, payload, position",
                error("- match: 'cmd:MSG'\n  inject: {to: client, line: 'OUT', postion: before}\n"));
    }

    @Test
    void aDuplicateKeyIsRefused() {
        String e = error("- match: 'cmd:QNG'\n  drop: true\n  drop: true\n");
        assertTrue(e.startsWith(f + " line 3: not valid YAML: Duplicate field 'drop'"), e);
    }

    @Test
    void aRuleNeedsExactlyOneAction() {
        assertEquals(f + " rule 1 (match 'cmd:QNG'): no action; give one of reply, drop, delay, replace, inject, close",
                error("- match: 'cmd:QNG'\n  stop: true\n"));
        assertEquals(f + " rule 1 (match 'cmd:QNG'): has 2 actions (drop, delay); a rule takes one: write one rule per action with the same match",
                error("- match: 'cmd:QNG'\n  drop: true\n  delay: 1s\n"));
    }

    @Test
    void aDelayMustBeADurationWithAUnit() {
        assertEquals(f + " rule 3 (match 'cmd:JOI'): delay must be a duration like 3s or 250ms (ms, s or m; at most 1 hour), not \"soon\"",
                error("- match: 'cmd:QNG'\n  drop: true\n- match: 'cmd:PNG'\n  drop: true\n- match: 'cmd:JOI'\n  delay: soon\n"));
        assertTrue(error("- match: 'cmd:JOI'\n  delay: 3\n").endsWith("at most 1 hour), not 3"));
        assertTrue(error("- match: 'cmd:JOI'\n  delay: 0ms\n").endsWith("not \"0ms\""));
        assertTrue(error("- match: 'cmd:JOI'\n  delay: 2h\n").endsWith("not \"2h\""));
        assertTrue(error("- match: 'cmd:JOI'\n  delay: 61m\n").endsWith("not \"61m\""));
    }

    @Test
    void dropTakesOnlyTrue() {
        assertEquals(f + " rule 1 (match 'cmd:QNG'): drop takes true, not false (leave the rule out to forward the frames)",
                error("- match: 'cmd:QNG'\n  drop: false\n"));
    }

    @Test
    void replaceIsChecked() {
        String at = f + " rule 1 (match 'cmd:MSG'): replace";
        assertEquals(at + ": in must be line or payload, not \"body\"", error("- match: 'cmd:MSG'\n  replace: {in: body, regex: a, with: b}\n"));
        assertEquals(at + ": no with:", error("- match: 'cmd:MSG'\n  replace: {in: line, regex: a}\n"));
        assertEquals(at + " takes a mapping like {in: payload, regex: 'hello', with: 'HELLO'}, not \"hello\"",
                error("- match: 'cmd:MSG'\n  replace: hello\n"));
        String regex = error("- match: 'cmd:MSG'\n  replace: {in: line, regex: 'a(b', with: x}\n");
        assertTrue(regex.startsWith(at + ": regex is not a valid Java regular expression: Unclosed group"), regex);
        String group = error("- match: 'cmd:MSG'\n  replace: {in: line, regex: 'a(b)', with: '$2'}\n");
        assertEquals(at + ": with: No group 2 (groups are $1..$1; write \\$ for a dollar sign)", group);
        String named = error("- match: 'cmd:MSG'\n  replace: {in: line, regex: 'a(?<x>b)', with: '${y}'}\n");
        assertTrue(named.startsWith(at + ": with: No group with name {y}"), named);
        assertEquals(at + ": with puts a line break in the line, which would split the frame; use inject for another frame",
                error("- match: 'cmd:MSG'\n  replace: {in: line, regex: 'a', with: \"b\\r\\nOUT\"}\n"));
    }

    @Test
    void injectIsChecked() {
        String at = f + " rule 1 (match 'cmd:CHG'): inject";
        assertEquals(at + ": no to:", error("- match: 'cmd:CHG'\n  inject: {line: 'OUT OTH'}\n"));
        assertEquals(at + ": to must be client or server, not \"both\"", error("- match: 'cmd:CHG'\n  inject: {to: both, line: 'OUT'}\n"));
        assertEquals(at + ": position must be before or after, not \"first\"",
                error("- match: 'cmd:CHG'\n  inject: {to: client, line: 'OUT', position: first}\n"));
        assertEquals(at + ": line holds a line break; it is one command line (a payload goes in inject's payload:)",
                error("- match: 'cmd:CHG'\n  inject: {to: client, line: \"OUT\\r\\nOUT\"}\n"));
        assertEquals(at + ": line is empty; it is the command line to send, e.g. '911 {trid}'",
                error("- match: 'cmd:CHG'\n  inject: {to: client, line: ''}\n"));
    }

    @Test
    void closeNamesASide() {
        assertEquals(f + " rule 1 (match 'cmd:MSG'): close must be client, server or both, not \"everyone\"",
                error("- match: 'cmd:MSG'\n  close: everyone\n"));
    }

    @Test
    void stopAndNameAreChecked() {
        assertEquals(f + " rule 1 (match 'cmd:MSG'): stop takes true or false, not \"yes please\"",
                error("- match: 'cmd:MSG'\n  drop: true\n  stop: yes please\n"));
        assertEquals(f + " rule 1 (match 'cmd:MSG'): name must be text, not a list",
                error("- match: 'cmd:MSG'\n  drop: true\n  name: [a, b]\n"));
    }

    @Test
    void templatesAreCheckedOnLoad() {
        String at = f + " rule 1 (match 'cmd:USR'): reply";
        assertEquals(at + ": unknown name {trd} (did you mean {trid}?); names: " + Template.NAMES + ", {{ and }} for braces",
                error("- match: 'cmd:USR'\n  reply: '911 {trd}'\n"));
        assertEquals(at + ": unknown name {nick}; names: " + Template.NAMES + ", {{ and }} for braces",
                error("- match: 'cmd:USR'\n  reply: '911 {nick}'\n"));
        assertEquals(at + ": '{' at 5 is not closed (write '{{' for a brace)", error("- match: 'cmd:USR'\n  reply: '911 {trid'\n"));
        assertEquals(at + ": a lone '}' at 5 (write '}}' for a brace)", error("- match: 'cmd:USR'\n  reply: '911 }'\n"));
        assertEquals(at + " must be text, not a mapping (quote text that starts with '{')", error("- match: 'cmd:USR'\n  reply: {trid}\n"));
        assertEquals(f + " rule 1 (match 'cmd:JOI'): inject: payload: unknown name {text}; names: " + Template.NAMES + ", {{ and }} for braces",
                error("- match: 'cmd:JOI'\n  inject: {to: client, line: 'MSG a b', payload: '{text}'}\n"));
    }

    @Test
    void aGoodFileLoadsEveryActionOfTheIssue() throws Exception {
        fx.write("""
                # the example of issue 12
                - match: 'cmd:USR AND dir:C2S AND role:NS'
                  reply: '911 {trid}'              # answer the sender locally; the frame is not forwarded
                - match: 'cmd:QNG AND dir:S2C'
                  drop: true
                - match: 'cmd:JOI'
                  delay: 3s
                - match: 'cmd:MSG AND dir:S2C AND role:SB'
                  replace: {in: payload, regex: 'hello', with: 'HELLO'}
                - match: 'cmd:CHG AND dir:C2S'
                  inject: {to: client, line: 'OUT OTH'}
                - match: 'cmd:MSG AND text:"close me"'
                  close: both
                  stop: true
                  name: closer
                """);
        try (Rules r = fx.load()) {
            assertEquals("rules " + f + " (6 rules)", r.describe());
            assertEquals(java.util.List.of("reply", "drop", "delay", "replace", "inject", "close"),
                    r.rules().stream().map(x -> x.action().word()).toList());
        }
        assertTrue(Files.exists(fx.file));
    }

    @Test
    void anEmptyListIsNoRules() throws Exception {
        try (Rules r = fx.write("[]\n").load()) {
            assertEquals("rules " + f + " (0 rules)", r.describe());
            assertEquals(Interest.NONE, r.interest(), "no frame is held");
        }
    }

    @Test
    void hostileFilesAreRefusedInOneLine() throws Exception {
        java.util.Random random = new java.util.Random(12);
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[random.nextInt(300)];
            random.nextBytes(junk);
            Files.write(fx.file, junk);
            try (Rules r = Rules.load(fx.file, s -> { }, false)) {
                assertTrue(r.describe().startsWith("rules " + f + " ("), r.describe());
            } catch (RulesException e) {
                assertTrue(e.getMessage().startsWith(f + ":") || e.getMessage().startsWith(f + " "), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            }
        }
        String deep = "[".repeat(20_000) + "]".repeat(20_000);
        assertEquals(f + ": not valid YAML: nested too deep or too large for a rules file", error(deep));
        StringBuilder laughs = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            laughs.append(c).append(": &").append(c).append(" [");
            for (int k = 0; k < 9; k++) {
                laughs.append(k == 0 ? "" : ", ").append('*').append((char) (c - 1));
            }
            laughs.append("]\n");
        }
        String bomb = error("- match: '*'\n  drop: true\n  name:\n" + laughs.toString().indent(4));
        assertTrue(bomb.startsWith(f + " "), bomb);
    }
}

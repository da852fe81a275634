package msnscope.intercept;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.support.Captures;
import msnscope.support.Conversation;
import msnscope.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static msnscope.intercept.RulesFixture.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each action makes of real dissected frames, byte for byte. */
class RulesVerdictTest {

    @TempDir
    Path dir;

    private Verdict verdict(String yaml, Dissection d) throws Exception {
        try (Rules r = new RulesFixture(dir).write(yaml).load()) {
            return r.intercept(d, "c7").toCompletableFuture().get();
        }
    }

    /** A switchboard connection of bob's, joined and chatting. */
    private static Conversation switchboard() {
        Conversation c = Conversation.negotiated(11);
        c.client("USR 2 TWN I alice@example.com");
        c.server("USR 2 OK alice@example.com Alice 1 0");
        return c;
    }

    @Test
    void aPayloadReplaceRecomputesTheLength() throws Exception {
        Conversation c = switchboard();
        String body = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello";
        Dissection msg = c.server("MSG bob@example.com Bob " + body.length(), body);
        Verdict v = verdict("- match: 'cmd:MSG AND dir:S2C'\n  replace: {in: payload, regex: 'hello', with: 'HELLO there'}\n", msg);
        String want = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHELLO there";
        assertEquals("MSG bob@example.com Bob " + want.length() + "\r\n" + want, text(v.replacement()));
        assertEquals(body.length() + 6, want.length());
        assertFalse(v.drop());
        assertEquals("replace", v.action());
        assertEquals("rule 1 (rules.yaml)", v.by());
    }

    @Test
    void aPayloadReplaceCountsBytesOfMultiByteText() throws Exception {
        Conversation c = switchboard();
        String body = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nsee you";
        Dissection msg = c.client("MSG 4 A " + body.length(), body);
        Verdict v = verdict("- match: 'cmd:MSG'\n  replace: {in: payload, regex: 'see (\\w+)', with: 'Grüße $1 ☺'}\n", msg);
        byte[] want = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nGrüße you ☺".getBytes(StandardCharsets.UTF_8);
        assertEquals("MSG 4 A " + want.length, lineOf(v.replacement()));
        assertArrayEquals(want, payloadOf(v.replacement()));
    }

    @Test
    void aBinaryPayloadIsReplacedByteForByteLeavingOtherBytesAlone() throws Exception {
        Conversation c = switchboard();
        byte[] head = "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: bob@example.com\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] bin = {0, (byte) 0xFF, (byte) 0xC3, 'a', 'b', (byte) 0x80, 0x7F, (byte) 0xFE};
        byte[] payload = concat(head, bin);
        List<Dissection> got = c.bytes(Direction.C2S, concat(("MSG 5 D " + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII), payload));
        Verdict v = verdict("- match: 'cmd:MSG'\n  replace: {in: payload, regex: 'ab', with: 'ä'}\n", got.get(0));
        byte[] want = concat(head, new byte[]{0, (byte) 0xFF, (byte) 0xC3, (byte) 0xC3, (byte) 0xA4, (byte) 0x80, 0x7F, (byte) 0xFE});
        assertArrayEquals(want, payloadOf(v.replacement()), "untouched bytes stay, the new text goes in as UTF-8");
        assertEquals("MSG 5 D " + want.length, lineOf(v.replacement()));
    }

    @Test
    void aLineReplaceKeepsThePayloadAndRecomputesItsLength() throws Exception {
        Conversation c = switchboard();
        String body = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: bob@example.com\r\n\r\n";
        Dissection msg = c.server("MSG bob@example.com Bob " + body.length(), body);
        Verdict v = verdict("- match: 'cmd:MSG'\n  replace: {in: line, regex: '^MSG (\\S+) Bob \\d+', with: 'MSG $1 Robert%20the%20Great 1'}\n", msg);
        assertEquals("MSG bob@example.com Robert%20the%20Great " + body.length() + "\r\n" + body, text(v.replacement()));
    }

    @Test
    void aLineReplaceWithoutPayloadChangesOnlyTheLine() throws Exception {
        Conversation c = Conversation.negotiated(11);
        Dissection chg = c.client("CHG 5 NLN 1073791084");
        Verdict v = verdict("- match: 'cmd:CHG'\n  replace: {in: line, regex: 'NLN', with: 'AWY'}\n", chg);
        assertEquals("CHG 5 AWY 1073791084\r\n", text(v.replacement()));
    }

    @Test
    void aReplaceThatFindsNothingForwardsTheFrameExactly() throws Exception {
        Conversation c = Conversation.negotiated(11);
        Dissection chg = c.client("CHG 5 NLN 1073791084");
        try (Rules r = new RulesFixture(dir).write("- match: 'cmd:CHG'\n  replace: {in: line, regex: 'AWY', with: 'BSY'}\n").load()) {
            assertSame(Verdict.FORWARD, r.intercept(chg, "c1").toCompletableFuture().get());
            assertEquals(List.of("rules " + dir.resolve("rules.yaml") + ": no rule applied"), r.summary());
        }
    }

    @Test
    void replyAnswersTheClientLocallyAndDropsTheFrame() throws Exception {
        Conversation c = Conversation.negotiated(11);
        Dissection usr = c.client("USR 3 TWN I alice@example.com");
        Verdict v = verdict("- match: 'cmd:USR AND dir:C2S AND role:NS'\n  reply: '911 {trid}'\n", usr);
        assertTrue(v.drop());
        assertNull(v.replacement());
        assertEquals(List.of(Side.CLIENT), v.injections().stream().map(Verdict.Injection::to).toList());
        assertEquals("911 3\r\n", text(v.injections().get(0).bytes()));
        assertEquals("reply", v.action());
    }

    @Test
    void replyToAServerFrameGoesBackToTheServer() throws Exception {
        Conversation c = Conversation.negotiated(11);
        Dissection chl = c.server("CHL 0 22210219642164014968");
        Verdict v = verdict("- match: 'cmd:CHL'\n  reply: 'QRY {params[0]} nonsense 0'\n", chl);
        assertEquals(Side.SERVER, v.injections().get(0).to());
        assertEquals("QRY 0 nonsense 0\r\n", text(v.injections().get(0).bytes()));
    }

    @Test
    void dropDelayAndCloseSayOnlyThat() throws Exception {
        Conversation c = Conversation.negotiated(11);
        c.client("PNG");
        Dissection qng = c.server("QNG 60");
        Verdict drop = verdict("- match: 'cmd:QNG AND dir:S2C'\n  drop: true\n", qng);
        assertEquals(new Verdict(null, true, 0, List.of(), null, "rule 1 (rules.yaml)", "drop"), drop);
        assertEquals(2500, verdict("- match: 'cmd:QNG'\n  delay: 2.5s\n", qng).delayMillis());
        assertEquals(250, verdict("- match: 'cmd:QNG'\n  delay: 250ms\n", qng).delayMillis());
        assertEquals(120_000, verdict("- match: 'cmd:QNG'\n  delay: 2m\n", qng).delayMillis());
        Verdict close = verdict("- match: 'cmd:QNG'\n  close: both\n  name: hang up\n", qng);
        assertEquals(Side.BOTH, close.close());
        assertEquals("hang up", close.by(), "a named rule is named in the record");
        assertFalse(close.drop());
    }

    @Test
    void injectGoesAfterByDefaultAndBeforeWhenAsked() throws Exception {
        Conversation c = Conversation.negotiated(11);
        Dissection chg = c.client("CHG 5 NLN 1073791084");
        Verdict after = verdict("- match: 'cmd:CHG AND dir:C2S'\n  inject: {to: client, line: 'OUT OTH'}\n", chg);
        Verdict.Injection i = after.injections().get(0);
        assertEquals(Side.CLIENT, i.to());
        assertFalse(i.before());
        assertEquals("OUT OTH\r\n", text(i.bytes()));
        assertFalse(after.drop());
        assertNull(after.replacement(), "the frame itself goes on as it came");
        Verdict before = verdict("- match: 'cmd:CHG'\n  inject: {to: server, line: 'PNG', position: before}\n", chg);
        assertTrue(before.injections().get(0).before());
        assertEquals(Side.SERVER, before.injections().get(0).to());
    }

    @Test
    void anInjectedPayloadGetsItsLengthAppended() throws Exception {
        Conversation c = switchboard();
        Dissection joi = c.server("JOI bob@example.com Bob");
        Verdict v = verdict("""
                - match: 'cmd:JOI'
                  inject:
                    to: client
                    line: 'MSG {params[0]} {params[1]}'
                    payload: "MIME-Version: 1.0\\r\\nContent-Type: text/plain; charset=UTF-8\\r\\n\\r\\nhi from {account} on {connection} ☺"
                """, joi);
        String payload = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhi from alice@example.com on c7 ☺";
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        assertEquals("MSG bob@example.com Bob " + p.length + "\r\n" + payload, text(v.injections().get(0).bytes()));
    }

    @Test
    void templatesNameTheFramesFields() throws Exception {
        Conversation c = Conversation.negotiated(11);
        Dissection usr = c.client("USR 3 TWN I alice@example.com");
        Verdict v = verdict("- match: 'cmd:USR'\n  inject: {to: client, line: 'X {trid}|{cmd}|{dir}|{role}|{connection}|{params[3]}|{{literal}}|{line}'}\n", usr);
        assertEquals("X 3|USR|C2S|NS|c7|alice@example.com|{literal}|USR 3 TWN I alice@example.com\r\n", text(v.injections().get(0).bytes()));
    }

    @Test
    void aTemplateValueTheFrameLacksSkipsTheRuleWithOneWarning() throws Exception {
        Conversation c = switchboard();
        RulesFixture fx = new RulesFixture(dir).write("""
                - match: 'cmd:MSG AND dir:S2C'
                  reply: 'ACK {trid}'
                - match: 'cmd:MSG AND dir:S2C'
                  inject: {to: client, line: 'OUT OTH'}
                """);
        try (Rules r = fx.load()) {
            String body = "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nx";
            for (int i = 0; i < 3; i++) {
                Verdict v = r.intercept(c.server("MSG bob@example.com Bob " + body.length(), body), "c2").toCompletableFuture().get();
                assertFalse(v.drop(), "the reply did not apply");
                assertEquals("inject", v.action(), "the later rule still did");
            }
            assertEquals(List.of("rule 1 (rules.yaml) did not apply to S2C MSG: the frame has no {trid} (further skips are counted in the exit summary)"),
                    fx.notices);
            assertEquals(List.of("rule 1 (cmd:MSG AND dir:S2C -> reply 'ACK {trid}'): 0 frames, 3 skipped (the frame has no {trid})",
                    "rule 2 (cmd:MSG AND dir:S2C -> inject to client 'OUT OTH'): 3 frames"), r.summary());
        }
    }

    @Test
    void everyMatchingRuleAppliesInFileOrderAndReplacementsBuildOnEachOther() throws Exception {
        Conversation c = switchboard();
        String body = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello";
        Dissection msg = c.server("MSG bob@example.com Bob " + body.length(), body);
        Verdict v = verdict("""
                - match: 'cmd:MSG'
                  replace: {in: payload, regex: 'hello', with: 'hello world'}
                - match: 'cmd:JOI'
                  drop: true
                - match: 'dir:S2C'
                  replace: {in: payload, regex: 'world', with: 'WORLD!'}
                - match: 'cmd:MSG'
                  inject: {to: server, line: 'PNG'}
                - match: 'cmd:MSG'
                  delay: 1s
                  name: slow
                """, msg);
        String want = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello WORLD!";
        assertEquals("MSG bob@example.com Bob " + want.length() + "\r\n" + want, text(v.replacement()));
        assertEquals("rule 1 (rules.yaml), rule 3 (rules.yaml), rule 4 (rules.yaml), slow", v.by());
        assertEquals("replace+inject+delay", v.action());
        assertEquals(1000, v.delayMillis());
        assertEquals(1, v.injections().size());
    }

    @Test
    void stopEndsTheListForAFrameItMatched() throws Exception {
        Conversation c = Conversation.negotiated(11);
        c.client("PNG");
        Dissection qng = c.server("QNG 60");
        Dissection chg = c.client("CHG 5 NLN 1073791084");
        String yaml = """
                - match: 'cmd:QNG'
                  delay: 100ms
                  stop: true
                - match: '*'
                  inject: {to: client, line: 'OUT OTH'}
                """;
        Verdict q = verdict(yaml, qng);
        assertEquals("delay", q.action());
        assertTrue(q.injections().isEmpty());
        Verdict other = verdict(yaml, chg);
        assertEquals("inject", other.action(), "stop ends the list only for frames its rule matched");
    }

    @Test
    void framesNoRuleMatchesAreForwardedAndCountedNowhere() throws Exception {
        String yaml = """
                - match: 'cmd:USR AND dir:C2S AND role:NS'
                  reply: '911 {trid}'
                - match: 'cmd:JOI AND dir:C2S'
                  drop: true
                - match: 'text:"no such words anywhere"'
                  close: both
                """;
        int seen = 0;
        int changed = 0;
        try (Rules r = new RulesFixture(dir).write(yaml).load()) {
            for (Path t : Captures.transcripts()) {
                for (ConnectionLog conn : Captures.dissect(t).connections()) {
                    for (Dissection d : conn.frames()) {
                        Verdict v = r.intercept(d, conn.id()).toCompletableFuture().get();
                        seen++;
                        boolean usr = "USR".equals(d.command()) && d.direction() == Direction.C2S && d.role() == msnscope.dissect.spec.FormSpec.Role.NS;
                        assertEquals(!usr || d.trid() == null, v.isForward(), d.toString());
                        changed += v.isForward() ? 0 : 1;
                    }
                }
            }
            assertTrue(seen > 300, "" + seen);
            assertTrue(changed > 5, "" + changed);
            assertEquals(1, r.summary().size(), r.summary().toString());
            assertTrue(r.summary().get(0).startsWith("rule 1 (cmd:USR AND dir:C2S AND role:NS -> reply '911 {trid}'): " + changed + " frames"),
                    r.summary().toString());
        }
    }

    @Test
    void describeNamesTheFileAndItsRuleCount() throws Exception {
        try (Rules r = new RulesFixture(dir).write("- match: 'cmd:QNG'\n  drop: true\n").load()) {
            assertEquals("rules " + dir.resolve("rules.yaml") + " (1 rule)", r.describe());
        }
    }

    @Test
    void theRulesInterestIsTheUnionOfTheirMatches() throws Exception {
        String yaml = """
                - match: 'cmd:QNG AND dir:S2C'
                  drop: true
                - match: 'cmd:USR AND dir:C2S'
                  reply: '911 {trid}'
                - match: 'cmd:(JOI OR IRO)'
                  delay: 1s
                """;
        try (Rules r = new RulesFixture(dir).write(yaml).load()) {
            assertEquals(new Interest(java.util.Set.of("USR", "JOI", "IRO"), java.util.Set.of("QNG", "JOI", "IRO")), r.interest());
        }
        try (Rules r = new RulesFixture(dir).write(yaml + "- match: 'hello'\n  drop: true\n").load()) {
            assertEquals(Interest.ALL, r.interest());
        }
    }

    private static String lineOf(byte[] frame) {
        String s = new String(frame, StandardCharsets.ISO_8859_1);
        return s.substring(0, s.indexOf("\r\n"));
    }

    private static byte[] payloadOf(byte[] frame) {
        int i = lineOf(frame).length() + 2;
        return java.util.Arrays.copyOfRange(frame, i, frame.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

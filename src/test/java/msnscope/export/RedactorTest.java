package msnscope.export;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.Warning;
import msnscope.support.Captures;
import msnscope.wire.Frame;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static msnscope.export.ExportTestSupport.DISSECTOR;
import static msnscope.export.ExportTestSupport.SPEC;
import static msnscope.export.ExportTestSupport.dissect;
import static msnscope.export.ExportTestSupport.export;
import static msnscope.export.ExportTestSupport.secrets;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedactorTest {

    static Stream<Path> captures() {
        return Captures.transcripts().stream();
    }

    private static List<ConnectionLog> session(String name) {
        return Captures.dissect(Path.of("captures", name + ".txt")).connections();
    }

    private static List<String> codes(Dissection d) {
        return d.warnings().stream().map(Warning::code).toList();
    }

    static Stream<Path> pcaps() {
        return Stream.of(2, 8, 12).map(v -> Path.of("captures", "escargot-msnp" + v + ".pcap"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pcaps")
    void redactedPcapSessionKeepsItsDissection(Path capture) {
        List<ConnectionLog> original = ExportTestSupport.dissectPcap(capture).connections();
        Set<String> secrets = secrets(original);
        assertTrue(secrets.size() >= 3, "a login secret and cookies: " + secrets);
        for (RedactMode mode : List.of(RedactMode.SECRETS, RedactMode.MESSAGES)) {
            Redactor.Result r = new Redactor(SPEC, mode).redact(original, DISSECTOR, "p", FramerLimits.DEFAULT);
            sameDissection(original, r.connections(), mode);
            for (String format : List.of("transcript", "jsonl", "html")) {
                String out = export(original, "p", format, mode);
                for (String secret : secrets) {
                    if (secret.length() >= 6) {
                        assertFalse(out.contains(secret), format + " (" + mode + ") still holds the secret " + secret);
                    }
                }
            }
            // and the redacted transcript reads back to the same dissection
            sameDissection(original, dissect("p", export(original, "p", "transcript", mode)).connections(), mode);
        }
    }

    private static void sameDissection(List<ConnectionLog> original, List<ConnectionLog> again, RedactMode mode) {
        assertEquals(original.size(), again.size(), "connections");
        for (int c = 0; c < original.size(); c++) {
            List<Dissection> a = original.get(c).frames();
            List<Dissection> b = again.get(c).frames();
            assertEquals(a.size(), b.size(), "frames of " + original.get(c).id());
            for (int i = 0; i < a.size(); i++) {
                Dissection x = a.get(i);
                Dissection y = b.get(i);
                assertEquals(x.command(), y.command(), "command of " + Redactor.key(x));
                assertEquals(x.role(), y.role(), "role of " + Redactor.key(x));
                assertEquals(x.version(), y.version(), "version of " + Redactor.key(x));
                assertEquals(x.replyTo(), y.replyTo(), "reply pairing of " + Redactor.key(x));
                assertFalse(codes(y).contains(Warning.PAYLOAD_LENGTH_MISMATCH), "length mismatch at " + Redactor.key(y) + ": " + y.frame());
                if (!codes(x).contains(Warning.PAYLOAD_LENGTH_MISMATCH)) {
                    assertEquals(codes(x), codes(y), "warnings of " + Redactor.key(x) + " changed by " + mode);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void redactedTranscriptRereadsCleanlyAndHoldsNoSecret(Path capture) {
        String id = Captures.name(capture);
        List<ConnectionLog> original = Captures.dissect(capture).connections();
        Set<String> secrets = secrets(original);
        for (RedactMode mode : List.of(RedactMode.SECRETS, RedactMode.MESSAGES)) {
            String transcript = export(original, id, "transcript", mode);
            sameDissection(original, dissect(id, transcript).connections(), mode);
            for (String format : List.of("transcript", "jsonl", "text", "html")) {
                String out = format.equals("transcript") ? transcript : export(original, id, format, mode);
                for (String secret : secrets) {
                    if (secret.length() >= 6) {
                        assertFalse(out.contains(secret), format + " (" + mode + ") still holds the secret " + secret);
                    }
                }
            }
        }
    }

    @Test
    void placeholdersAreConsistentAcrossConnections() {
        String out = export(session("msnp11-chat"), "msnp11-chat", "transcript", RedactMode.SECRETS);
        assertTrue(out.contains("S: XFR 13 SB 10.0.0.7:1864 CKI cookie-1\n"), out);
        assertTrue(out.contains("C: USR 1 alice@example.com cookie-1\n"));
        // the ticket's t= part and the profile's MSPAuth are the same value: the same placeholder
        assertTrue(out.contains("C: USR 7 TWN S t=ticket-1&p=ticket-p-1\n"));
        assertTrue(out.contains("MSPAuth: ticket-1\r\n") || out.contains("MSPAuth: ticket-1\n"));
        // the QRY answer is not a secret
        assertTrue(out.contains("85ecb0db8f32113df79ce0892b9a102c"));

        String sso = export(session("msnp15-sso"), "msnp15-sso", "transcript", RedactMode.SECRETS);
        assertTrue(sso.contains("S: RNG 41170263 10.0.0.7:1864 CKI cookie-1 bob@example.com"));
        assertTrue(sso.contains("S: XFR 15 SB 10.0.0.7:1864 CKI cookie-2 U"));
        assertTrue(sso.contains("C: ANS 1 alice@example.com cookie-1 41170263\n"));
        assertTrue(sso.contains("C: USR 1 alice@example.com cookie-2\n"));
        assertTrue(sso.contains("C: USR 7 SSO S t=ticket-1&p= response-1\n"), sso);
    }

    @Test
    void redactedSwitchboardsStillFollowTheirCookie() {
        Redactor.Result r = new Redactor(SPEC, RedactMode.SECRETS)
                .redact(session("msnp15-sso"), DISSECTOR, "msnp15-sso", FramerLimits.DEFAULT);
        Map<String, String> cookieOfConnection = new java.util.HashMap<>();
        List<String> referred = new ArrayList<>();
        for (ConnectionLog c : r.connections()) {
            for (Dissection d : c.frames()) {
                if (d.fields().get("referral") instanceof Map<?, ?> ref && ref.get("cookie") != null) {
                    referred.add(ref.get("cookie").toString());
                }
                if (d.seq() == 0 && d.fields().get("cookie") != null) {
                    cookieOfConnection.put(c.id(), d.fields().get("cookie").toString());
                }
            }
        }
        assertEquals(List.of("cookie-1", "cookie-2"), referred);
        assertEquals(Set.of("cookie-1", "cookie-2"), Set.copyOf(cookieOfConnection.values()));
        for (ConnectionLog c : r.connections()) {
            assertEquals(15, c.version(), c.id() + " inherits the version through its (redacted) cookie");
        }
        assertEquals(Map.of("cookie", 2, "ticket", 1, "response", 1), Map.copyOf(r.counts()));
    }

    @Test
    void redactionIsDeterministic() {
        List<ConnectionLog> s = session("msnp18-circles");
        assertEquals(export(s, "x", "jsonl", RedactMode.MESSAGES), export(s, "x", "jsonl", RedactMode.MESSAGES));
    }

    @Test
    void md5ResponseIsHiddenButTheChallengeIsNot() {
        String out = export(session("msnp2-md5"), "msnp2-md5", "transcript", RedactMode.SECRETS);
        assertTrue(out.contains("S: USR 6 MD5 S 7c2e9f41a08d3b6\n"));
        assertTrue(out.contains("C: USR 7 MD5 S response-1\n"));
        assertTrue(out.contains("CKI cookie-1"));
    }

    @Test
    void messagesModeRemovesChatText() {
        List<String> texts = List.of("Grüße aus Köln", "Très bien, merci", "Who's bringing the snacks", "Me - brownies",
                "Hi Carol, this is Alice", "Hey Alice! Greetings", "Can you pick me up", "Here are the photos", "Köln-Dom.jpg");
        StringBuilder secretsOnly = new StringBuilder();
        StringBuilder messages = new StringBuilder();
        for (String name : List.of("msnp11-chat", "msnp18-circles", "msnp15-sso", "msnp11-invited")) {
            List<ConnectionLog> s = session(name);
            for (String format : List.of("transcript", "jsonl", "text", "html")) {
                secretsOnly.append(export(s, name, format, RedactMode.SECRETS));
                messages.append(export(s, name, format, RedactMode.MESSAGES));
            }
        }
        for (String t : texts) {
            assertTrue(secretsOnly.toString().contains(t), "secrets mode keeps " + t);
            assertFalse(messages.toString().contains(t), "messages mode hides " + t);
        }
        assertTrue(messages.toString().contains("[redacted 34 chars]"));
        // SDG: the Messaging block's Content-Length follows the new body
        String circles = export(session("msnp18-circles"), "c", "transcript", RedactMode.MESSAGES);
        assertTrue(circles.contains("Content-Length: 19\n"), circles);
        // typing notifications and nudges stay
        assertTrue(messages.toString().contains("TypingUser: bob@example.com"));
        assertTrue(messages.toString().contains("ID: 1"));
    }

    @Test
    void p2pDataIsZeroFilledKeepingItsBinaryHeader() {
        List<ConnectionLog> original = session("msnp11-chat");
        List<List<Frame>> red = new Redactor(SPEC, RedactMode.MESSAGES).redactFrames(original);
        int found = 0;
        for (int c = 0; c < original.size(); c++) {
            for (int i = 0; i < original.get(c).frames().size(); i++) {
                Frame before = original.get(c).frames().get(i).frame();
                String payload = new String(before.payload(), StandardCharsets.ISO_8859_1);
                if (!payload.contains("application/x-msnmsgrp2p")) {
                    continue;
                }
                found++;
                Frame after = red.get(c).get(i);
                assertEquals(before.line(), after.line(), "size unchanged: same line");
                byte[] a = before.payload();
                byte[] b = after.payload();
                assertEquals(a.length, b.length);
                int body = payload.indexOf("\r\n\r\n") + 4;
                assertArrayEquals(java.util.Arrays.copyOf(a, body + 48), java.util.Arrays.copyOf(b, body + 48), "MIME and P2P header kept");
                for (int k = body + 48; k < b.length - 4; k++) {
                    assertEquals(0, b[k], "data byte " + k);
                }
                assertArrayEquals(java.util.Arrays.copyOfRange(a, a.length - 4, a.length), java.util.Arrays.copyOfRange(b, b.length - 4, b.length));
            }
        }
        assertEquals(1, found);
    }

    @Test
    void aKnownSecretElsewhereIsSweptAndTheLengthFixed() {
        String body = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nmy cookie is 27410938.1727102366.18852 ok";
        String t = "Client opens a connection to 10.0.0.5:1863\n\nC: VER 1 MSNP11 CVR0\nS: VER 1 MSNP11\n"
                + "C: XFR 2 SB\nS: XFR 2 SB 10.0.0.7:1864 CKI 27410938.1727102366.18852\n"
                + "Client opens a connection to 10.0.0.7:1864\n\nC: USR 1 alice@example.com 27410938.1727102366.18852\n"
                + "S: USR 1 OK alice@example.com Alice\n"
                + "C: MSG 2 N " + body.getBytes(StandardCharsets.UTF_8).length + "\n" + body.replace("\r\n", "\n") + "\n";
        List<ConnectionLog> s = dissect("sweep", t).connections();
        String out = export(s, "sweep", "transcript", RedactMode.SECRETS);
        assertFalse(out.contains("27410938"), out);
        assertTrue(out.contains("my cookie is cookie-1 ok"));
        for (ConnectionLog c : dissect("sweep", out).connections()) {
            for (Dissection d : c.frames()) {
                assertFalse(codes(d).contains(Warning.PAYLOAD_LENGTH_MISMATCH), d.toString());
            }
        }
    }

    @Test
    void noneChangesNothingAndUnchangedFramesAreKept() {
        List<ConnectionLog> s = session("msnp13-adl");
        List<List<Frame>> none = new Redactor(SPEC, RedactMode.NONE).redactFrames(s);
        List<List<Frame>> secrets = new Redactor(SPEC, RedactMode.SECRETS).redactFrames(s);
        int changed = 0;
        for (int c = 0; c < s.size(); c++) {
            for (int i = 0; i < s.get(c).frames().size(); i++) {
                Frame f = s.get(c).frames().get(i).frame();
                assertSame(f, none.get(c).get(i));
                if (secrets.get(c).get(i) != f) {
                    changed++;
                    assertNotEquals(f, secrets.get(c).get(i));
                }
            }
        }
        // USR TWN S ticket, the profile (MSPAuth), RNG, ANS, XFR SB, USR on the SB
        assertEquals(6, changed);
    }

    @Test
    void notesSayWhatWasReplacedWithoutTheValue() {
        SessionAssembler s = Captures.dissect(Path.of("captures", "msnp8-twn.txt"));
        Redactor.Result r = new Redactor(SPEC, RedactMode.SECRETS).redact(s.connections(), DISSECTOR, "t", FramerLimits.DEFAULT);
        StringBuilder all = new StringBuilder();
        r.notes().values().forEach(n -> all.append(n).append('\n'));
        assertTrue(all.toString().contains("ticket → t=ticket-1&p=ticket-p-1"), all.toString());
        assertTrue(all.toString().contains("MSPAuth → ticket-1"), all.toString());
        for (String secret : secrets(s.connections())) {
            assertFalse(all.toString().contains(secret));
        }
    }
}

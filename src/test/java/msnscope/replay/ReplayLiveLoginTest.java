package msnscope.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import msnscope.cli.Main;
import msnscope.proxy.MsnWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code msnscope replay} against the in-test MSN world, with the logins checked ({@link ReplayLoginGate}):
 * the MD5 response and the Tweener ticket are computed for the live challenge, the QRY answer for the live
 * CHL; the captured ones would be refused.
 */
class ReplayLiveLoginTest {

    private MsnWorld world;
    private ReplayLoginGate gate;
    private HttpServer passport;
    private final List<String> passportAsked = new ArrayList<>();

    /** The ticket the test's Passport issues: depends on the account and the challenge, as a real one does. */
    private static String ticketFor(String account, String challenge) {
        return "t=" + LoginResponder.md5Hex(account + "|" + challenge) + "$$&p=profile$$";
    }

    @BeforeEach
    void start() throws IOException {
        world = new MsnWorld();
        gate = new ReplayLoginGate(world, Map.of("alice@example.com", "secret", "bob@example.com", "secret"), ReplayLiveLoginTest::ticketFor);
        passport = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        passport.createContext("/login2.srf", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            synchronized (passportAsked) {
                passportAsked.add(auth);
            }
            // Passport1.4 OrgVerb=GET,OrgURL=…,sign-in=…,pwd=…,<the challenge, itself with commas>
            String[] parts = auth.substring("Passport1.4 ".length()).split(",", 5);
            String account = URLDecoder.decode(parts[2].substring("sign-in=".length()), StandardCharsets.UTF_8);
            String pwd = URLDecoder.decode(parts[3].substring("pwd=".length()), StandardCharsets.UTF_8);
            if ("secret".equals(pwd)) {
                ex.getResponseHeaders().add("Authentication-Info", "Passport1.4 da-status=success,from-PP='" + ticketFor(account, parts[4]) + "'");
                ex.sendResponseHeaders(200, -1);
            } else {
                ex.sendResponseHeaders(401, -1);
            }
            ex.close();
        });
        passport.start();
    }

    @AfterEach
    void stop() throws IOException {
        passport.stop(0);
        gate.close();
        world.close();
    }

    private record Run(int code, List<JsonNode> entries, String err) {
        JsonNode entry(String requestPrefix) {
            return entries.stream().filter(e -> e.get("request").asText().startsWith(requestPrefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no entry for " + requestPrefix + " in " + entries));
        }
    }

    private Run replay(String capture, String password) throws IOException {
        return replay(capture, gate.address(), password);
    }

    private Run replay(String capture, String upstream, String password) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"replay", "captures/" + capture, "--upstream", upstream, "--password",
                "alice@example.com=" + password, "--password", "bob@example.com=" + password,
                "--passport", "http://127.0.0.1:" + passport.getAddress().getPort() + "/login2.srf",
                "--timeout", "600ms", "--format", "jsonl"}, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        List<JsonNode> entries = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String l : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!l.isBlank()) {
                entries.add(json.readTree(l));
            }
        }
        return new Run(code, entries, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void msnp2Md5LoginIsAnsweredForTheLiveSalt() throws IOException {
        Run r = replay("msnp2-md5.txt", "secret");
        assertTrue(gate.events.contains("MD5 ok alice@example.com"), gate.events + "\n" + r.err);
        JsonNode usr = r.entry("C: USR 7 MD5 S");
        // The world's salt is not the captured one: the captured response would have been refused.
        assertTrue(usr.get("sent").asText().endsWith(" MD5 S " + LoginResponder.md5Hex("1013928519.693957190secret")), usr.toString());
        assertTrue(usr.get("replies").get(0).get("live").asText().matches("S: USR \\d+ OK alice@example.com .*"), usr.toString());
        assertTrue(r.err.lines().anyMatch(l -> l.matches("replay: \\d+ requests, \\d+ same, \\d+ differ, \\d+ unanswered")), r.err);
        // The switchboard cookie the world chose was carried into the switchboard's USR, and the world took it.
        JsonNode sb = r.entry("C: USR 1 alice@example.com 17262740.1050826919.32308");
        assertTrue(sb.get("sent").asText().matches("USR 1 alice@example.com ck\\d+\\.\\d+"), sb.toString());
        assertTrue(sb.get("replies").get(0).get("live").asText().matches("S: USR 1 OK alice@example.com .*"), sb.toString());
    }

    @Test
    void msnp2WrongPasswordIsRefusedAndReportedAsADifference() throws IOException {
        Run r = replay("msnp2-md5.txt", "wrong");
        assertTrue(gate.events.contains("MD5 wrong alice@example.com"), gate.events.toString());
        JsonNode usr = r.entry("C: USR 7 MD5 S");
        assertEquals("differ", usr.get("outcome").asText(), usr.toString());
        assertTrue(usr.get("replies").toString().contains("S: 911 "), usr.toString());
        assertEquals(1, r.code);
    }

    @Test
    void msnp8TweenerLoginAsksPassportWithTheLiveChallengeAndAnswersChl() throws IOException {
        Run r = replay("msnp8-twn.txt", "secret");
        assertTrue(gate.events.contains("TWN ok alice@example.com"), gate.events + "\n" + r.err + r.entries.subList(0, 8));
        assertTrue(gate.events.contains("QRY ok msmsgs@msnmsgr.com"), gate.events + "\n" + r.err);
        assertEquals(1, passportAsked.size(), passportAsked.toString());
        assertTrue(passportAsked.get(0).endsWith(",pwd=secret,ct=1,rver=1,lc=1,id=1"), passportAsked.get(0));
        JsonNode usr = r.entry("C: USR 7 TWN S");
        assertTrue(usr.get("replies").get(0).get("live").asText().matches("S: USR \\d+ OK alice@example.com .*"), usr.toString());
        // The world pushes no presence, so only the QRY reply itself is compared.
        JsonNode qry = r.entry("C: QRY").get("replies").get(0);
        assertEquals("S: QRY 10", qry.get("captured").asText());
        assertTrue(qry.get("same").asBoolean(), qry.toString());
    }

    @Test
    void msnp11TweenerLoginAndMsnp11ChallengeAlgorithm() throws IOException {
        Run r = replay("msnp11-chat.txt", "secret");
        assertTrue(gate.events.contains("TWN ok alice@example.com"), gate.events + "\n" + r.err);
        assertTrue(gate.events.contains("QRY ok PROD0090YUAUV{2B"), gate.events + "\n" + r.err);
        assertTrue(r.entry("C: QRY").get("replies").get(0).get("same").asBoolean(), r.entry("C: QRY").toString());
    }

    @Test
    void twoUsersLogInAtOnceAndBobAnswersTheLiveRingWithTheLiveCookieAndSession() throws IOException {
        Run r = replay("escargot-msnp8.pcap", gate.notificationAddress(), "secret");
        assertTrue(gate.events.containsAll(List.of("TWN ok alice@example.com", "TWN ok bob@example.com")), gate.events + "\n" + r.err);
        JsonNode ans = r.entry("C: ANS 1 bob@example.com 40342708c273331c2696 b1c162ef-9a1a-4e66-8ac6-8a1026f9f55d");
        // The world's ring cookie and session id, not the captured ones: the world checks both and said OK.
        assertTrue(ans.get("sent").asText().matches("ANS 1 bob@example.com rk\\d+\\.\\d+ \\d+"), ans.toString());
        assertTrue(ans.get("replies").toString().contains("\"live\":\"S: ANS 1 OK\""), ans.toString());
        // alice's typing notification went through the live switchboard to bob.
        assertTrue(r.entries.stream().anyMatch(e -> e.get("connection").asText().contains("(SB bob@example.com)")
                && e.get("replies").toString().contains("\"live\":\"S: MSG alice@example.com alice 90 (+90 bytes)\"")), r.entries.toString());
    }
}

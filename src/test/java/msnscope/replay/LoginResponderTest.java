package msnscope.replay;

import msnscope.dissect.spec.SpecLoader;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LoginResponderTest {

    private static LoginResponder responder(String... passwords) {
        return new LoginResponder(SpecLoader.builtIn().challenge(), LoginPasswords.parse(List.of(passwords)),
                new PassportLogin(URI.create("http://127.0.0.1:9/unused"), Duration.ofSeconds(1)));
    }

    @Test
    void md5ResponseMatchesTheCapturedLoginOfMsnp2() {
        // captures/msnp2-md5.txt: salt 7c2e9f41a08d3b6, password "secret", answer as captured.
        assertEquals("6234d167a08127ff481904f972aa19de", responder("alice@example.com=secret").md5("alice@example.com", "7c2e9f41a08d3b6"));
    }

    @Test
    void md5ResponseMatchesTheRfc1321Vector() {
        // RFC 1321: MD5("message digest") = f96b697d7cb7938d525a2f31aaf161d0; salt "message " + password "digest".
        assertEquals("f96b697d7cb7938d525a2f31aaf161d0", responder("Bob@Example.com=digest").md5("bob@example.com", "message "));
    }

    @Test
    void noPasswordMeansNoAnswer() {
        assertNull(responder("bob@example.com=x").md5("alice@example.com", "7c2e9f41a08d3b6"));
    }

    @Test
    void qryAnswersWithTheProductKeyAndTheVersionsAlgorithm() {
        LoginResponder r = responder();
        assertEquals("85ecb0db8f32113df79ce0892b9a102c", r.qry("22210219642164014968", "PROD0090YUAUV{2B", 11));
        assertEquals("20dba7e6e9817826b9cd5240cc8add99", r.qry("22299241447072743325", "msmsgs@msnmsgr.com", 8));
        assertNull(r.qry("22210219642164014968", "PROD9999UNKNOWN", 11));
    }

    @Test
    void passwordWithoutAccountIsRefusedInOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoginPasswords.parse(List.of("=secret")));
        assertEquals("--password takes ACCOUNT=PASSWORD, not '=secret'", e.getMessage());
        assertEquals("a=b", LoginPasswords.parse(List.of("x@y.z=a=b")).of("X@Y.Z"));
    }
}

package msnscope.replay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PassportLoginTest {

    private static final String CHALLENGE = "lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=1726322045,kpp=1,kv=5";

    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/rdr/pprdr.asp", ex -> {
            ex.getResponseHeaders().add("PassportURLs", "DARealm=Passport.Net,DALogin=" + base()
                    + "/moved.srf,DAReg=x,Properties=y");
            empty(ex, 200);
        });
        server.createContext("/moved.srf", ex -> {
            authorizations.add(ex.getRequestHeaders().getFirst("Authorization"));
            ex.getResponseHeaders().add("Location", base() + "/login2.srf");
            empty(ex, 302);
        });
        server.createContext("/login2.srf", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth);
            if (auth != null && auth.contains("sign-in=alice%40example.com,pwd=s%3Dcret,")) {
                ex.getResponseHeaders().add("Authentication-Info", "Passport1.4 da-status=success,tname=MSPAuth,tname=MSPProf,"
                        + "tname=MSPSec,from-PP='t=TICKET$$&p=PROFILE$$',ru=http://messenger.msn.com");
                empty(ex, 200);
            } else {
                ex.getResponseHeaders().add("WWW-Authenticate", "Passport1.4 da-status=failed,srealm=Passport.NET");
                empty(ex, 401);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void empty(HttpExchange ex, int status) throws IOException {
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    @Test
    void loginUrlGivesTheTicketAfterARedirectWithTheChallengeSentEachTime() throws Exception {
        String ticket = new PassportLogin(URI.create(base() + "/moved.srf"), Duration.ofSeconds(5)).ticket("alice@example.com", "s=cret", CHALLENGE);
        assertEquals("t=TICKET$$&p=PROFILE$$", ticket);
        assertEquals(2, authorizations.size());
        for (String a : authorizations) {
            assertTrue(a.startsWith("Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=alice%40example.com,pwd=s%3Dcret,"
                    + CHALLENGE), a);
        }
    }

    @Test
    void nexusNamesTheLoginServer() throws Exception {
        String ticket = PassportLogin.viaNexus(URI.create(base() + "/rdr/pprdr.asp"), Duration.ofSeconds(5))
                .ticket("alice@example.com", "s=cret", CHALLENGE);
        assertEquals("t=TICKET$$&p=PROFILE$$", ticket);
    }

    @Test
    void wrongPasswordIsOneLineNamingTheAccount() {
        PassportException e = assertThrows(PassportException.class,
                () -> new PassportLogin(URI.create(base() + "/login2.srf"), Duration.ofSeconds(5)).ticket("alice@example.com", "wrong", CHALLENGE));
        assertEquals("passport: " + base() + "/login2.srf refused the password for alice@example.com", e.getMessage());
    }

    @Test
    void unreachableLoginServerIsOneLine() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        PassportException e = assertThrows(PassportException.class,
                () -> new PassportLogin(URI.create("http://127.0.0.1:" + closed + "/login.srf"), Duration.ofSeconds(5)).ticket("a@b.c", "p", CHALLENGE));
        assertTrue(e.getMessage().startsWith("passport: cannot reach http://127.0.0.1:" + closed + "/login.srf: "), e.getMessage());
        assertTrue(!e.getMessage().contains("Exception") && !e.getMessage().contains("\n"), e.getMessage());
    }
}

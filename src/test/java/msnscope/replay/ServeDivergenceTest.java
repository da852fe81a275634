package msnscope.replay;

import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.proxy.HostPort;
import msnscope.support.Captures;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A client that does what the captured client did not: one line saying where and what, and the chosen behaviour. */
class ServeDivergenceTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());
    private static final String VER = "VER 1 MSNP11 MSNP10 CVR0\r\n";
    private static final String CVR = "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0777 MSMSGS alice@example.com\r\n";
    private final List<String> console = new CopyOnWriteArrayList<>();
    private ServeServer serve;

    private void serve(ServeConfig.OnDivergence policy) throws Exception {
        Script script = Script.load(List.of(Captures.DIR.resolve("msnp11-chat.txt")), DISSECTOR, FramerLimits.DEFAULT);
        serve = new ServeServer(script, new ServeConfig(new HostPort("127.0.0.1", 0), 0, policy, FramerLimits.DEFAULT), DISSECTOR,
                null, console::add);
        serve.start();
    }

    @AfterEach
    void stop() {
        if (serve != null) {
            serve.shutdown(1_000);
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", serve.address().getPort());
        s.setSoTimeout(5_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    private static String line(Socket s) throws IOException {
        StringBuilder sb = new StringBuilder();
        InputStream in = s.getInputStream();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            sb.append((char) b);
        }
        return sb.toString().stripTrailing();
    }

    /** Whatever arrives within {@code millis}; "" when nothing does, null when serve closed the connection. */
    private static String within(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            byte[] buf = new byte[4096];
            int n = s.getInputStream().read(buf);
            return n < 0 ? null : new String(buf, 0, n, StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return "";
        } finally {
            s.setSoTimeout(5_000);
        }
    }

    private List<String> divergences() {
        return console.stream().filter(l -> l.startsWith("divergence")).toList();
    }

    @Test
    void anotherCommandIsReportedUnansweredAndTheNextCapturedOneStillAnswered() throws Exception {
        serve(ServeConfig.OnDivergence.REPORT);
        try (Socket s = connect()) {
            send(s, VER + CVR);
            assertEquals("VER 1 MSNP11", line(s));
            assertTrue(line(s).startsWith("CVR 2 7.0.0816"));
            send(s, "SYN 3 0\r\n");
            assertEquals("", within(s, 300));
            send(s, "USR 3 TWN I alice@example.com\r\n");
            assertEquals("XFR 3 NS 127.0.0.1:" + serve.address().getPort() + " 0 127.0.0.1:" + serve.address().getPort(), line(s));
        }
        assertEquals(List.of("divergence on c1 [captures/msnp11-chat.txt c1 DS alice@example.com]: the client sent 'SYN 3 0'; "
                + "the capture has 'USR 3 TWN I alice@example.com' next"), divergences());
        assertEquals(1, serve.divergences());
    }

    @Test
    void closePolicyClosesTheDivergingConnection() throws Exception {
        serve(ServeConfig.OnDivergence.CLOSE);
        try (Socket s = connect()) {
            send(s, VER);
            assertEquals("VER 1 MSNP11", line(s));
            send(s, "PNG\r\n");
            assertEquals(null, within(s, 2_000));
        }
        assertEquals(1, divergences().size(), console.toString());
        assertTrue(divergences().get(0).contains("the client sent 'PNG'; the capture has 'CVR 2 0x0409"), divergences().get(0));
    }

    @Test
    void unknownSwitchboardCookieIsADivergence() throws Exception {
        serve(ServeConfig.OnDivergence.REPORT);
        try (Socket s = connect()) {
            send(s, "USR 1 alice@example.com 99999.1727102366.1\r\n");
            assertEquals("", within(s, 300));
            // Nothing more is reported for a connection that is not in the capture at all.
            send(s, "CAL 2 bob@example.com\r\n");
            assertEquals("", within(s, 300));
        }
        assertEquals(List.of("divergence on c1: the client sent 'USR 1 alice@example.com 99999.1727102366.1'; "
                + "the capture has no switchboard with cookie 99999.1727102366.1 left to play"), divergences());
    }

    @Test
    void loginNotInTheCaptureIsADivergenceAndFreesWhatItsFirstLineTook() throws Exception {
        serve(ServeConfig.OnDivergence.REPORT);
        try (Socket carol = connect(); Socket alice = connect()) {
            send(carol, VER);
            assertEquals("VER 1 MSNP11", line(carol));
            send(carol, CVR.replace("alice", "carol"));
            assertEquals("", within(carol, 300));
            // carol's VER was answered from alice's dispatch connection; alice still gets all of it.
            send(alice, VER + CVR);
            assertEquals("VER 1 MSNP11", line(alice));
            assertTrue(line(alice).startsWith("CVR 2 7.0.0816"));
        }
        assertEquals(List.of("divergence on c1: the client sent 'CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0777 MSMSGS carol@example.com'; "
                + "the capture has no login of carol@example.com (it has alice@example.com)"), divergences());
    }
}

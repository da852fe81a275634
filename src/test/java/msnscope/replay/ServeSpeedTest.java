package msnscope.replay;

import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.proxy.HostPort;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --speed}: the captured delay between a client frame and the server frames that follow it. */
class ServeSpeedTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());

    /** A timed transcript (as msnscope exports one): the server answers PNG 800 ms later and sends CHL 1.2 s after that. */
    private static final String TIMED = """
            @@ connection 10.0.0.5:1863
            @@ time 2024-09-28T17:18:00.000000Z
            C: VER 1 MSNP8 CVR0
            @@ time 2024-09-28T17:18:00.010000Z
            S: VER 1 MSNP8
            @@ time 2024-09-28T17:18:01.000000Z
            C: PNG
            @@ time 2024-09-28T17:18:01.800000Z
            S: QNG 50
            @@ time 2024-09-28T17:18:02.000000Z
            S: CHL 0 15570131571988941333
            """;

    /** Milliseconds from sending PNG to reading QNG, and to reading the CHL after it. */
    private static long[] timings(Path dir, double speed) throws Exception {
        Path file = dir.resolve("timed.txt");
        Files.writeString(file, TIMED);
        Script script = Script.load(List.of(file), DISSECTOR, FramerLimits.DEFAULT);
        ServeServer serve = new ServeServer(script, new ServeConfig(new HostPort("127.0.0.1", 0), speed, ServeConfig.OnDivergence.ERROR,
                FramerLimits.DEFAULT), DISSECTOR, null, line -> { });
        serve.start();
        try (Socket s = new Socket("127.0.0.1", serve.address().getPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("VER 1 MSNP8 CVR0\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("VER 1 MSNP8", line(s.getInputStream()));
            long sent = System.nanoTime();
            s.getOutputStream().write("PNG\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("QNG 50", line(s.getInputStream()));
            long qng = System.nanoTime();
            assertEquals("CHL 0 15570131571988941333", line(s.getInputStream()));
            long chl = System.nanoTime();
            return new long[] {(qng - sent) / 1_000_000, (chl - sent) / 1_000_000};
        } finally {
            assertEquals(0, serve.divergences());
            serve.shutdown(1_000);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            sb.append((char) b);
        }
        return sb.toString().stripTrailing();
    }

    @Test
    void speedOneKeepsTheCapturedDelays(@TempDir Path dir) throws Exception {
        long[] t = timings(dir, 1);
        assertTrue(t[0] >= 780 && t[0] < 1_500, "QNG after " + t[0] + " ms (captured: 800)");
        assertTrue(t[1] >= 980 && t[1] < 1_700, "CHL after " + t[1] + " ms (captured: 1000)");
    }

    @Test
    void speedFourIsFourTimesFaster(@TempDir Path dir) throws Exception {
        long[] t = timings(dir, 4);
        assertTrue(t[0] >= 190 && t[0] < 700, "QNG after " + t[0] + " ms (captured: 800)");
    }

    @Test
    void withoutSpeedEverythingGoesAsSoonAsAllowed(@TempDir Path dir) throws Exception {
        long[] t = timings(dir, 0);
        assertTrue(t[1] < 500, "CHL after " + t[1] + " ms");
    }
}

package msnscope.cli;

import msnscope.capture.CaptureStore;
import msnscope.capture.ProxyReplay;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.index.LiveCapture;
import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A scripted login and chat recorded as the proxy records it (the proxy's hooks driven by a replay of
 * msnp11-chat.txt: DS → XFR NS → NS → XFR SB → SB chat), then sessions, search, export and re-import as a
 * user would run them, while and after recording.
 */
class CaptureEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void recordedLoginIsListedSearchableWhileRunningAndExportsToIdenticalFrames() throws Exception {
        String data = dir.toString();
        List<ProxyReplay.Conn> login = ProxyReplay.connections(Captures.DIR.resolve("msnp11-chat.txt"), "p", 1L, true);
        try (LiveCapture live = LiveCapture.open(dir, new Dissector(SpecLoader.builtIn()))) {
            ProxyReplay.play(login, live);
            // Another process searching while the proxy runs sees the frames within about a second.
            long t0 = System.currentTimeMillis();
            CliRunner running;
            do {
                Thread.sleep(100);
                running = CliRunner.run("search", "text:köln", "--data", data);
            } while (!running.out().contains("MSG") && System.currentTimeMillis() - t0 < 3000);
            assertTrue(running.out().contains("MSG 4 A 169"), running.out() + running.err());
            assertTrue(System.currentTimeMillis() - t0 < 2000, "visible within about a second");
        }
        CliRunner sessions = CliRunner.run("sessions", "--data", data);
        assertEquals(0, sessions.code(), sessions.err());
        assertTrue(sessions.out().lines().skip(1).findFirst().orElse("").matches("s1\\s+alice@example.com\\s+MSNP11\\s+\\S+\\s+\\S+\\s+3\\s+62\\s+\\d+\\s+0"),
                sessions.out());
        CliRunner xfr = CliRunner.run("search", "cmd:XFR AND account:alice@example.com", "--format", "jsonl", "--data", data);
        assertEquals(3, xfr.out().lines().count(), "XFR NS from the DS, XFR SB asked and answered on the NS: " + xfr.out());
        CliRunner show = CliRunner.run("show", "s1", "--color", "never", "--data", data);
        assertTrue(show.out().contains("referred by c2: XFR 13 SB 10.0.0.7:1864 CKI 27410938.1727102366.18852 (rewritten 10.0.0.7:1864 → 127.0.0.1:1864)"),
                show.out());
        Path exported = dir.resolve("login.txt");
        assertEquals(0, CliRunner.run("export", "s1", "-o", exported.toString(), "--data", data).code());
        CliRunner again = CliRunner.run("import", exported.toString(), "--data", data);
        assertEquals(0, again.code(), again.err());
        CaptureStore store = new CaptureStore(dir);
        assertEquals(CaptureExportRoundTripTest.frames(store, "s1"), CaptureExportRoundTripTest.frames(store, "s2"));
    }
}

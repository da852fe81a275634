package msnscope.replay;

import msnscope.cli.CliRunner;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.proxy.HostPort;
import msnscope.support.Captures;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code replay} command line: mistakes are one line, a stored session plays like a file. */
class ReplayCliTest {

    private static final String CHAT = Captures.DIR.resolve("msnp11-chat.txt").toString();
    private ServeServer serve;

    @AfterEach
    void stop() {
        if (serve != null) {
            serve.shutdown(1_000);
        }
    }

    private static void oneLine(CliRunner r, int code, String expected) {
        assertEquals(code, r.code(), r.out() + r.err());
        assertEquals(expected + "\n", r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    @Test
    void withoutUpstreamSaysWhatToGive() {
        oneLine(CliRunner.run("replay", CHAT), 2, "msnscope replay: give the live server with --upstream HOST:PORT");
    }

    @Test
    void badOptionValuesAreOneLineEach() {
        oneLine(CliRunner.run("replay", CHAT, "--upstream", "127.0.0.1"), 2,
                "msnscope replay: --upstream '127.0.0.1' has no port: write HOST:PORT, e.g. 127.0.0.1:1863");
        oneLine(CliRunner.run("replay", CHAT, "--upstream", "127.0.0.1:1863", "--timeout", "soon"), 2,
                "msnscope replay: --timeout takes a duration such as 500ms, 5s or 1m (a number alone is seconds), not 'soon'");
        oneLine(CliRunner.run("replay", CHAT, "--upstream", "127.0.0.1:1863", "--password", "secret"), 2,
                "msnscope replay: --password takes ACCOUNT=PASSWORD, not 'secret'");
        oneLine(CliRunner.run("replay", CHAT, "--upstream", "127.0.0.1:1863", "--passport", "ftp://x/y"), 2,
                "msnscope replay: --passport takes an http:// or https:// URL, not 'ftp://x/y'");
        oneLine(CliRunner.run("replay", CHAT, "--upstream", "127.0.0.1:1863", "--format", "xml"), 2,
                "msnscope replay: --format is text or jsonl, not 'xml'");
        oneLine(CliRunner.run("replay", "no-such.txt", "--upstream", "127.0.0.1:1863"), 2,
                "msnscope replay: cannot read no-such.txt: no such file");
    }

    @Test
    void unreachableUpstreamIsOneLineNotAReportOfEveryRequest() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CliRunner r = CliRunner.run("replay", CHAT, "--upstream", "127.0.0.1:" + closed, "--timeout", "1s");
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("msnscope replay: cannot connect to 127.0.0.1:" + closed + " ("), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void referralToAnUnknownHostLeavesItsConnectionUnansweredWithTheReason() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread dispatch = new Thread(() -> {
                try (java.net.Socket s = server.accept();
                     java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
                    java.io.OutputStream out = s.getOutputStream();
                    for (String line; (line = in.readLine()) != null; ) {
                        String[] t = line.split(" ");
                        String reply = switch (t[0]) {
                            case "VER" -> "VER " + t[1] + " MSNP8 CVR0";
                            case "CVR" -> "CVR " + t[1] + " 6.0.0602 6.0.0602 5.0.0540 "
                                    + "http://download.microsoft.com/download/msnmessenger/install/6.0/W98NT42KMeXP/EN-US/SetupDl.exe http://messenger.msn.com";
                            default -> "XFR " + t[1] + " NS no-such-host.invalid:1863 0 127.0.0.1:" + server.getLocalPort();
                        };
                        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                } catch (IOException e) {
                    // the replay closed it
                }
            });
            dispatch.setDaemon(true);
            dispatch.start();
            CliRunner r = CliRunner.run("replay", Captures.DIR.resolve("msnp8-twn.txt").toString(), "--upstream",
                    "127.0.0.1:" + server.getLocalPort(), "--timeout", "500ms");
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("same  captures/msnp8-twn.txt c1 (DS alice@example.com)  C: USR 3 TWN I alice@example.com  (volatile: address)"), r.out());
            assertTrue(r.out().contains("unanswered  captures/msnp8-twn.txt c2 (NS alice@example.com)  C: VER 4 MSNP9 MSNP8 CVR0\n"
                    + "    note      not sent: cannot connect to no-such-host.invalid:1863 (unknown host)\n"), r.out());
            assertTrue(r.out().endsWith(" 3 same, 0 differ, 12 unanswered\n"), r.out());
        }
    }

    @Test
    void aLatin1NickReachesTheServerByteForByteWithAFreshTrid(@TempDir Path dir) throws Exception {
        byte[] rea = "REA 9 alice@example.com Al\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1);
        Path capture = dir.resolve("latin1.txt");
        java.nio.file.Files.writeString(capture, "Client opens a connection to 10.0.0.5:1863 (notification server)\n\n"
                + "C: VER 1 MSNP2 CVR0\nS: VER 1 MSNP2\nC@ " + java.util.Base64.getEncoder().encodeToString(rea) + "\n"
                + "S: REA 9 15 alice@example.com Alice\n");
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread ns = new Thread(() -> {
                try (java.net.Socket s = server.accept()) {
                    java.io.InputStream in = s.getInputStream();
                    java.io.OutputStream out = s.getOutputStream();
                    int lines = 0;
                    for (int b; lines < 2 && (b = in.read()) >= 0; ) {
                        received.write(b);
                        if (b == '\n') {
                            lines++;
                            out.write((lines == 1 ? "VER 1 MSNP2\r\n" : "REA 2 15 alice@example.com Alice\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                    }
                    in.read();
                } catch (IOException e) {
                    // the replay closed it
                }
            });
            ns.setDaemon(true);
            ns.start();
            CliRunner r = CliRunner.run("replay", capture.toString(), "--upstream", "127.0.0.1:" + server.getLocalPort(), "--timeout", "2s");
            ns.join(5_000);
            assertEquals(0, r.code(), r.out() + r.err());
        }
        byte[] expected = ("VER 1 MSNP2 CVR0\r\nREA 2 alice@example.com Al\u00e9\r\n").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(new String(expected, StandardCharsets.ISO_8859_1), received.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void storedSessionPlaysWithFrom(@TempDir Path data) throws Exception {
        assertEquals(0, CliRunner.run("import", CHAT, "--data", data.toString()).code());
        Dissector dissector = new Dissector(SpecLoader.builtIn());
        Script script = Script.load(List.of(Path.of(CHAT)), dissector, FramerLimits.DEFAULT);
        serve = new ServeServer(script, new ServeConfig(new HostPort("127.0.0.1", 0), 0, ServeConfig.OnDivergence.REPORT,
                FramerLimits.DEFAULT), dissector, null, line -> { });
        serve.start();
        CliRunner r = CliRunner.run("replay", "--from", data.toString(), "s1", "--upstream", "127.0.0.1:" + serve.address().getPort(),
                "--password", "carol@example.com=x");
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("msnscope replay: --password for carol@example.com: no login of that account in the sources\n", r.err());
        assertTrue(r.out().endsWith("replay: 22 requests, 22 same, 0 differ, 0 unanswered\n"), r.out());
        assertTrue(r.out().contains("same  s1 c2 (NS alice@example.com)  C: USR 7 TWN S "), r.out());
    }

    @Test
    void unknownStoredSessionIsOneLine(@TempDir Path data) {
        assertEquals(0, CliRunner.run("import", CHAT, "--data", data.toString()).code());
        oneLine(CliRunner.run("replay", "--from", data.toString(), "s9", "--upstream", "127.0.0.1:1863"), 2,
                "msnscope replay: no session s9 in " + data + " (see msnscope sessions)");
    }

    /** Ctrl-C or SIGTERM in the middle of a replay prints the report so far instead of nothing. */
    @Test
    void aReplayStoppedMidwayPrintsTheReportSoFar(@TempDir Path dir) throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "msnscope.cli.Main", "replay", CHAT,
                    "--upstream", "127.0.0.1:" + silent.getLocalPort(), "--timeout", "60s");
            Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
            try (java.net.Socket client = silent.accept()) {
                // The server heard the client's first line and never answers it: the replay waits for its reply.
                byte[] first = client.getInputStream().readNBytes("VER 1 MSNP11 MSNP10 CVR0\r\n".length());
                assertTrue(new String(first, StandardCharsets.US_ASCII).startsWith("VER "), new String(first, StandardCharsets.US_ASCII));
                p.destroy();
                assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "replay stopped on SIGTERM");
            } finally {
                p.destroyForcibly();
            }
            String out = java.nio.file.Files.readString(dir.resolve("out"));
            String err = java.nio.file.Files.readString(dir.resolve("err"));
            assertTrue(err.contains("msnscope replay: interrupted; the report so far:"), err);
            assertTrue(out.contains("unanswered  captures/msnp11-chat.txt c1 (DS alice@example.com)  C: VER 1 MSNP11 MSNP10 CVR0")
                    || out.contains("C: VER 1 MSNP11 MSNP10 CVR0"), out);
            assertTrue(out.strip().endsWith("replay: 22 requests, 0 same, 0 differ, 22 unanswered"), out);
            assertFalse(err.contains("Exception"), err);
        }
    }
}

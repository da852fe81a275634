package msnscope.replay;

import msnscope.cli.Main;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.proxy.HostPort;
import msnscope.proxy.ProxyConfig;
import msnscope.proxy.ProxyServer;
import msnscope.support.Captures;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code msnscope replay} of a capture against {@code serve} of a capture, both real, over loopback. */
class ReplayAgainstServeTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());
    private ServeServer serve;

    @AfterEach
    void stop() {
        if (serve != null) {
            serve.shutdown(1_000);
        }
    }

    private String serve(Path capture) throws Exception {
        Script script = Script.load(List.of(capture), DISSECTOR, FramerLimits.DEFAULT);
        serve = new ServeServer(script, new ServeConfig(new HostPort("127.0.0.1", 0), 0, ServeConfig.OnDivergence.REPORT,
                FramerLimits.DEFAULT), DISSECTOR, null, line -> { });
        serve.start();
        return "127.0.0.1:" + serve.address().getPort();
    }

    private record Run(int code, String out, String err) {
        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    private static Run replay(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "replay";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Stream<Path> everyCapture() throws IOException {
        try (Stream<Path> s = Files.list(Captures.DIR)) {
            return s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".txt") && !p.toString().endsWith(".timeline.txt")
                    && !p.getFileName().toString().equals("README.md")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("everyCapture")
    void everyCaptureReplayedAgainstServeOfItselfHasNoDifference(Path capture) throws Exception {
        Run r = replay(capture.toString(), "--upstream", serve(capture), "--timeout", "3s");
        long requests = Script.load(List.of(capture), DISSECTOR, FramerLimits.DEFAULT).frames().stream().filter(ScriptFrame::fromClient).count();
        assertEquals("replay: " + requests + " requests, " + requests + " same, 0 differ, 0 unanswered", r.lastLine(), r.out + r.err);
        assertEquals(0, r.code, r.err);
        assertEquals("", r.err);
    }

    @ParameterizedTest
    @MethodSource("everyCapture")
    void throughTheProxyInBetweenThereIsStillNoDifference(Path capture) throws Exception {
        HostPort served = HostPort.parse(serve(capture));
        ProxyServer proxy = new ProxyServer(ProxyConfig.of(new HostPort("127.0.0.1", 0), served), SpecLoader.builtIn());
        try {
            int port = proxy.start().getPort();
            Run r = replay(capture.toString(), "--upstream", "127.0.0.1:" + port, "--timeout", "3s");
            assertTrue(r.lastLine().matches("replay: (\\d+) requests, \\1 same, 0 differ, 0 unanswered"), r.out + r.err);
            // Every live referral named the proxy, never serve itself: the replay stayed behind the proxy.
            assertFalse(r.out.lines().anyMatch(l -> l.startsWith("    live ") && l.matches(".*:" + served.port() + "\\b.*")), r.out);
            assertEquals(0, r.code);
        } finally {
            proxy.shutdown(0);
        }
    }

    @Test
    void bothUsersOfOneCapturePlayAtOnce() throws Exception {
        Path capture = Captures.DIR.resolve("escargot-msnp8.pcap");
        Run r = replay(capture.toString(), "--upstream", serve(capture), "--timeout", "3s");
        assertEquals(0, r.code, r.out);
        assertTrue(r.out.contains("(NS alice@example.com)") && r.out.contains("(NS bob@example.com)"), r.out);
        assertTrue(r.out.contains("(SB bob@example.com)  C: ANS "), r.out);
    }

    @Test
    void aChangedReplyIsReportedWithWhatChangedAndFailsUnlessAllowed(@TempDir Path dir) throws Exception {
        Path capture = Captures.DIR.resolve("msnp11-chat.txt");
        Path changed = dir.resolve("changed.txt");
        Files.writeString(changed, Files.readString(capture).replace("S: BLP AL", "S: BLP BL"));
        String upstream = serve(changed);
        Run r = replay(capture.toString(), "--upstream", upstream, "--timeout", "3s");
        assertEquals(1, r.code);
        assertTrue(r.out.contains("differ  " + capture + " c2 (NS alice@example.com)  C: SYN 8 "), r.out);
        assertTrue(r.out.contains("    live      S: BLP BL    <- setting 'BL' instead of 'AL'"), r.out);
        assertEquals("replay: 22 requests, 21 same, 1 differ, 0 unanswered", r.lastLine());

        serve.shutdown(1_000);
        Run allowed = replay(capture.toString(), "--upstream", serve(changed), "--timeout", "3s", "--allow-diff");
        assertEquals("replay: 22 requests, 21 same, 1 differ, 0 unanswered", allowed.lastLine(), allowed.out);
        assertEquals(0, allowed.code);
    }

    @Test
    void aReplyThatNeverComesIsUnansweredAfterTheTimeout(@TempDir Path dir) throws Exception {
        Path capture = Captures.DIR.resolve("msnp2-md5.txt");
        Path cut = dir.resolve("cut.txt");
        // The served capture's GTC never gets its reply.
        Files.writeString(cut, Files.readString(capture).replace("S: GTC 9 15 N\n", ""));
        Run r = replay(capture.toString(), "--upstream", serve(cut), "--timeout", "300ms", "--allow-diff");
        assertEquals(1, r.code, r.out);
        assertTrue(r.out.contains("unanswered  " + capture + " c2 (NS alice@example.com)  C: GTC 9 N\n    captured  S: GTC 9 15 N\n    live      -"), r.out);
        assertTrue(r.lastLine().endsWith(" 0 differ, 1 unanswered"), r.lastLine());
    }

    @Test
    void jsonlIsOneObjectPerRequestWithTheLastLineOnStandardError() throws Exception {
        Path capture = Captures.DIR.resolve("msnp11-chat.txt");
        Run r = replay(capture.toString(), "--upstream", serve(capture), "--format", "jsonl");
        List<String> lines = new ArrayList<>(r.out.lines().toList());
        assertEquals(22, lines.size());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("{\"account\":\"alice@example.com\"")), r.out);
        assertTrue(lines.get(2).contains("\"outcome\":\"same\",\"volatile\":[\"address\"]"), lines.get(2));
        assertEquals("replay: 22 requests, 22 same, 0 differ, 0 unanswered\n", r.err);
    }
}

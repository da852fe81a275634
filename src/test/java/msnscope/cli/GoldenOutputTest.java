package msnscope.cli;

import msnscope.support.Captures;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The annotated output of every capture, as {@code msnscope dissect} prints it (text and jsonl), equals
 * the reviewed golden file. After an intended change, regenerate with
 * {@code mvn test -Dtest=GoldenOutputTest -Dgolden.update=true} and review the diff.
 */
class GoldenOutputTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static List<Path> captures() throws IOException {
        List<Path> all = new ArrayList<>(Captures.transcripts());
        try (Stream<Path> s = Files.list(Captures.DIR)) {
            s.filter(p -> p.toString().endsWith(".pcap")).sorted().forEach(all::add);
        }
        return all;
    }

    @ParameterizedTest
    @MethodSource("captures")
    void textViewMatchesGolden(Path capture) throws IOException {
        check(capture, "text", ".txt");
    }

    @ParameterizedTest
    @MethodSource("captures")
    void jsonLinesMatchGolden(Path capture) throws IOException {
        check(capture, "jsonl", ".jsonl");
    }

    private static void check(Path capture, String format, String suffix) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"dissect", "--format", format, "--color", "never", capture.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        String actual = out.toString(StandardCharsets.UTF_8);
        Path golden = GOLDEN.resolve(capture.getFileName() + suffix);
        if (UPDATE || !Files.exists(golden)) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(golden));
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual,
                "dissect --format " + format + " " + capture + " differs from " + golden + " (regenerate with -Dgolden.update=true if intended)");
    }
}

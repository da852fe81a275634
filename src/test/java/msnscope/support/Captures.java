package msnscope.support;

import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.spec.SpecLoader;
import msnscope.transcript.TranscriptReader;
import msnscope.wire.FramerLimits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The sample sessions in {@code captures/}, for tests that must hold for every one of them. */
public final class Captures {

    public static final Path DIR = Path.of("captures");

    private Captures() {
    }

    /** Every transcript in captures/ (the .timeline.txt files are pcap timelines, not transcripts). */
    public static List<Path> transcripts() {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".txt") && !p.toString().endsWith(".timeline.txt")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SessionAssembler dissect(Path transcript) {
        SessionAssembler s = new SessionAssembler(new Dissector(SpecLoader.builtIn()), name(transcript), FramerLimits.DEFAULT);
        new TranscriptReader(FramerLimits.DEFAULT).read(read(transcript), s);
        return s;
    }

    public static String name(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }
}

package msnscope.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Damage done to a stopped store, as a bad disk or a careless user would. */
final class StoreDamage {

    private StoreDamage() {
    }

    /** Flips every bit of the byte at {@code offset}. */
    static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(~b & 0xff);
        }
    }

    /**
     * Flips a byte in the middle of a frame record near the middle of {@code file}, one that is not a login
     * line (which names the connection's account); returns that record, the only one the damage may cost.
     */
    static RecordedFrames.Hit flipMiddleRecord(Path file) throws IOException {
        List<RecordedFrames.Hit> frames = RecordedFrames.read(file);
        for (int i = frames.size() / 2; i < frames.size(); i++) {
            RecordedFrames.Hit h = frames.get(i);
            if (!h.line().startsWith("USR ") && !h.line().startsWith("ANS ")) {
                flip(file, (h.start() + h.end()) / 2);
                return h;
            }
        }
        throw new IllegalStateException("no frame record to damage in " + file);
    }

    /** Cuts the largest file of the index folder to half its length; returns it. */
    static Path truncateLargestIndexFile(Path indexDir) throws IOException {
        Path largest;
        try (Stream<Path> s = Files.list(indexDir)) {
            largest = s.filter(p -> !p.getFileName().toString().equals("write.lock"))
                    .max(Comparator.comparingLong(StoreDamage::size)).orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(largest.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        return largest;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }
}

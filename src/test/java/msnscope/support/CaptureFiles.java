package msnscope.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a capture file holds at the level of its records, for tests that check how the writer laid it out. */
public final class CaptureFiles {

    private CaptureFiles() {
    }

    /** The type byte of each record of an undamaged capture file, in order (after the 8-byte magic). */
    public static List<Integer> recordTypes(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        List<Integer> out = new ArrayList<>();
        for (int at = 8; at < all.length; ) {
            int length = (all[at] & 0xff) << 24 | (all[at + 1] & 0xff) << 16 | (all[at + 2] & 0xff) << 8 | (all[at + 3] & 0xff);
            out.add((int) all[at + 4]);
            at += 8 + length;
        }
        return out;
    }
}

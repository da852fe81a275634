package msnscope.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which inputs a store was given by {@code import}, recognised by content: {@code DIR/imports.tsv}, one
 * line per import, {@code SHA-256 of the bytes read <TAB> s4:2817,s5:913 <TAB> source}. The same bytes
 * imported again (the same file twice, a copy under another name, the same stream on standard input) are
 * a duplicate; a file whose content changed is not.
 *
 * <p>A line counts only while one of its sessions is still in the store with the length it had when it
 * was imported, so a session deleted since (and an id taken again after a delete) does not make the next
 * import a duplicate. Appends are single writes of one short line, so imports running side by side do
 * not mix their lines; a line that does not parse is ignored, never fatal.
 */
public final class ImportLedger {

    public static final String FILE = "imports.tsv";

    private final CaptureStore store;
    private final Path file;

    public ImportLedger(CaptureStore store) {
        this.store = store;
        this.file = store.root().resolve(FILE);
    }

    /** A fresh SHA-256 digest, to be fed the input's bytes as they are read. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Sessions still in the store that an earlier import of this content created; empty when none. */
    public List<String> importedAs(String sha256) throws IOException {
        Set<String> alive = new LinkedHashSet<>();
        for (String line : lines()) {
            String[] cols = line.split("\t", 3);
            if (cols.length < 2 || !cols[0].equals(sha256)) {
                continue;
            }
            for (String entry : cols[1].split(",")) {
                String[] idLength = entry.split(":", 2);
                if (idLength.length == 2 && store.exists(idLength[0]) && sizeOf(idLength[0]).equals(idLength[1])) {
                    alive.add(idLength[0]);
                }
            }
        }
        return new ArrayList<>(alive);
    }

    /** Notes that content {@code sha256}, read from {@code source}, became {@code sessions}. */
    public void record(String sha256, List<String> sessions, String source) throws IOException {
        List<String> entries = new ArrayList<>();
        for (String s : sessions) {
            entries.add(s + ":" + sizeOf(s));
        }
        String line = sha256 + "\t" + String.join(",", entries) + "\t" + source.replaceAll("\\p{Cntrl}", "?") + "\n";
        Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
    }

    private List<String> lines() throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (java.nio.charset.CharacterCodingException e) {
            // Damaged by hand: read what can be read; a hash and an id are ASCII anyway.
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).lines().toList();
        }
    }

    private String sizeOf(String session) {
        try {
            return Long.toString(Files.size(store.file(session)));
        } catch (IOException e) {
            return "?";
        }
    }
}

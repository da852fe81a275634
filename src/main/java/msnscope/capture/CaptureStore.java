package msnscope.capture;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.wire.FramerLimits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The capture half of a data directory ({@code --data DIR}): one append-only capture file per session,
 * {@code DIR/capture/s<N>.msncap}. The files are the source of truth; the index under {@code DIR/index}
 * is rebuilt from them.
 *
 * <p>Session ids are {@code s1}, {@code s2}, … claimed by creating the file with {@code CREATE_NEW}, so
 * a proxy and an import running at the same time never take the same id.
 */
public final class CaptureStore {

    public static final String EXTENSION = ".msncap";
    /**
     * A session file's name: no leading zero (one file per id) and at most 18 digits, so an id always fits
     * a long with room to count on; anything else in the folder is not ours.
     */
    private static final Pattern NAME = Pattern.compile("s([1-9]\\d{0,17})\\.msncap");
    private static final long MAX_ID = 999_999_999_999_999_999L;

    private final Path root;
    private final Path captureDir;
    private final StoreNotes notes = new StoreNotes();
    private long nextId;

    public CaptureStore(Path dataDir) {
        this.root = dataDir;
        this.captureDir = dataDir.resolve("capture");
        try {
            Files.createDirectories(captureDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + captureDir + ": " + e.getMessage(), e);
        }
    }

    /** Problems met while reading this store (damaged files, stray names), for the command to print. */
    public StoreNotes notes() {
        return notes;
    }

    public Path root() {
        return root;
    }

    public Path indexDir() {
        return root.resolve("index");
    }

    public Path file(String session) {
        return captureDir.resolve(session + EXTENSION);
    }

    public boolean exists(String session) {
        return NAME.matcher(session + EXTENSION).matches() && Files.exists(file(session));
    }

    /**
     * Session ids in numeric order. Anything else in the capture folder (another file, a directory, a
     * name that is not {@code s<N>.msncap}) is left alone with a note; hidden files (a lock, a temporary
     * file) silently.
     */
    public List<String> sessions() {
        List<String> ids = new ArrayList<>();
        try (Stream<Path> s = Files.list(captureDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                if (!NAME.matcher(name).matches()) {
                    notes.add("ignored " + captureDir.getFileName() + "/" + name + " (not a session file: those are named s<N>" + EXTENSION + ")");
                } else if (!Files.isRegularFile(p)) {
                    notes.add("ignored " + captureDir.getFileName() + "/" + name + " (not a regular file)");
                } else {
                    ids.add(name.substring(0, name.length() - EXTENSION.length()));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            notes.add("cannot list " + captureDir + ": " + problem(e));
        }
        ids.sort(Comparator.comparingLong(CaptureStore::number));
        return ids;
    }

    /** Session file lengths: what the index compares with what it has indexed. */
    public Map<String, Long> lengths() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String s : sessions()) {
            try {
                m.put(s, Files.size(file(s)));
            } catch (IOException e) {
                // deleted meanwhile
            }
        }
        return m;
    }

    /** Claims a new session id and creates its file with the magic and a session record. */
    public synchronized CaptureWriter newSession(long createdMicros, String source, boolean fsync) throws IOException {
        if (nextId == 0) {
            // Listed once per store object; CREATE_NEW settles races with other processes.
            nextId = sessions().stream().mapToLong(CaptureStore::number).max().orElse(0) + 1;
        }
        while (true) {
            if (nextId > MAX_ID) {
                // A stray huge id took the end of the range: fill the gaps from the start instead.
                nextId = 1;
            }
            String id = "s" + nextId++;
            try {
                CaptureWriter w = CaptureWriter.create(file(id), fsync);
                w.append(new CaptureRecord.SessionStarted(id, createdMicros, source));
                w.flush();
                return w;
            } catch (FileAlreadyExistsException e) {
                // taken by another process meanwhile: try the next number
            }
        }
    }

    /** Session id of a writer created by {@link #newSession}. */
    public static String sessionOf(CaptureWriter w) {
        String n = w.file().getFileName().toString();
        return n.substring(0, n.length() - EXTENSION.length());
    }

    /** Removes a session's capture file; true if it existed. */
    public boolean delete(String session) throws IOException {
        return exists(session) && Files.deleteIfExists(file(session));
    }

    /** Every valid record of a session; none (with a note) when its file cannot be read. */
    public List<CaptureRecord> records(String session) {
        return read(session).records();
    }

    /**
     * Reads a session's file, stepping over damage. Never throws: damage, a file that is not a capture
     * and an unreadable file are noted (one line each) and give what could be read.
     */
    public CaptureReader.Contents read(String session) {
        try {
            CaptureReader.Contents c = CaptureReader.read(file(session));
            if (c.damage().any()) {
                notes.add(c.damage().describe(session));
            }
            return c;
        } catch (CaptureReader.NotACaptureFile e) {
            notes.add(FileDamage.NOT_CAPTURE.describe(session));
            return new CaptureReader.Contents(List.of(), FileDamage.NOT_CAPTURE, 0);
        } catch (java.nio.file.NoSuchFileException e) {
            return new CaptureReader.Contents(List.of(), FileDamage.NONE, 0);
        } catch (IOException | RuntimeException e) {
            notes.add(session + ": cannot read " + file(session) + ": " + problem(e));
            return new CaptureReader.Contents(List.of(), FileDamage.NONE, 0);
        }
    }

    /**
     * Loads a session by dissecting its stored bytes again, in the order they were recorded: the
     * connections as {@link ConnectionLog}s (ids {@code c1}, {@code c2}, … as stored), ready for the
     * exports and the terminal view. Never throws for a damaged file: frames of a connection whose record
     * is missing get a connection with unknown endpoints ({@link ConnectionRepair}), with a note.
     */
    public Loaded load(String session, Dissector dissector, FramerLimits limits) {
        CaptureReader.Contents contents = read(session);
        List<CaptureRecord> records = contents.records();
        SessionAssembler assembler = new SessionAssembler(dissector, session, limits);
        ConnectionRepair repair = new ConnectionRepair();
        Map<String, ConnectionLog> logs = new HashMap<>();
        Map<String, ConnectionInfo> infos = new LinkedHashMap<>();
        for (CaptureRecord stored : records) {
            for (CaptureRecord r : repair.apply(stored)) {
                if (r instanceof CaptureRecord.ConnectionOpened o) {
                    ConnectionLog log = assembler.openConnection(o.info().server(), o.info().client());
                    logs.put(o.connection(), log);
                    infos.put(log.id(), o.info());
                } else if (r instanceof CaptureRecord.FrameRecord f) {
                    ConnectionLog log = logs.get(f.connection());
                    if (log != null) {
                        assembler.bytes(log, f.direction(), f.frame().copyBytes(), f.timeMicros(), f.rewritten(), f.edit());
                    }
                } else if (r instanceof CaptureRecord.ConnectionClosed c) {
                    ConnectionLog log = logs.remove(c.connection());
                    if (log != null) {
                        assembler.closeConnection(log);
                    }
                }
            }
        }
        for (ConnectionLog log : logs.values()) {
            assembler.closeConnection(log);
        }
        String repaired = repair.describe(session);
        if (repaired != null) {
            notes.add(repaired);
        }
        return new Loaded(session, new ArrayList<>(assembler.connections()), infos, records, contents.damage(), contents.tornBytes());
    }

    /**
     * A session read back: its dissected connections, their endpoints by connection id, the raw records,
     * the damage stepped over and the bytes of an incomplete last record (still being written, or a crash).
     */
    public record Loaded(String session, List<ConnectionLog> connections, Map<String, ConnectionInfo> infos,
                         List<CaptureRecord> records, FileDamage damage, long tornBytes) {
    }

    /** The number of a session id or file name that {@link #sessions} listed. */
    private static long number(String idOrName) {
        String digits = idOrName.substring(1).replace(EXTENSION, "");
        return Long.parseLong(digits);
    }

    /** An I/O failure as words for a note (a file system exception's message is often only the path). */
    public static String problem(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? "read error" : e.getMessage();
    }
}

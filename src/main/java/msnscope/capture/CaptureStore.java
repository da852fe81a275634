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
import java.util.regex.Matcher;
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
    private static final Pattern NAME = Pattern.compile("s(\\d+)\\.msncap");

    private final Path root;
    private final Path captureDir;
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

    /** Session ids in numeric order. */
    public List<String> sessions() {
        try (Stream<Path> s = Files.list(captureDir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> NAME.matcher(n).matches())
                    .sorted(Comparator.comparingLong(CaptureStore::number))
                    .map(n -> n.substring(0, n.length() - EXTENSION.length())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
            nextId = sessions().stream().mapToLong(s -> Long.parseLong(s.substring(1))).max().orElse(0) + 1;
        }
        while (true) {
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

    /** Every valid record of a session. */
    public List<CaptureRecord> records(String session) throws IOException {
        return CaptureReader.readAll(file(session));
    }

    /**
     * Loads a session by dissecting its stored bytes again, in the order they were recorded: the
     * connections as {@link ConnectionLog}s (ids {@code c1}, {@code c2}, … as stored), ready for the
     * exports and the terminal view.
     */
    public Loaded load(String session, Dissector dissector, FramerLimits limits) throws IOException {
        List<CaptureRecord> records = records(session);
        SessionAssembler assembler = new SessionAssembler(dissector, session, limits);
        Map<String, ConnectionLog> logs = new HashMap<>();
        Map<String, ConnectionInfo> infos = new LinkedHashMap<>();
        for (CaptureRecord r : records) {
            if (r instanceof CaptureRecord.ConnectionOpened o) {
                ConnectionLog log = assembler.openConnection(o.info().server(), o.info().client());
                logs.put(o.connection(), log);
                infos.put(log.id(), o.info());
            } else if (r instanceof CaptureRecord.FrameRecord f) {
                ConnectionLog log = logs.get(f.connection());
                if (log != null) {
                    assembler.bytes(log, f.direction(), f.frame().copyBytes(), f.timeMicros());
                }
            } else if (r instanceof CaptureRecord.ConnectionClosed c) {
                ConnectionLog log = logs.remove(c.connection());
                if (log != null) {
                    assembler.closeConnection(log);
                }
            }
        }
        for (ConnectionLog log : logs.values()) {
            assembler.closeConnection(log);
        }
        return new Loaded(session, new ArrayList<>(assembler.connections()), infos, records);
    }

    /** A session read back: its dissected connections, their endpoints by connection id, and the raw records. */
    public record Loaded(String session, List<ConnectionLog> connections, Map<String, ConnectionInfo> infos,
                         List<CaptureRecord> records) {
    }

    private static long number(String fileName) {
        Matcher m = NAME.matcher(fileName);
        return m.matches() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }
}

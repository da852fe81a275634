package msnscope.capture;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Problems the store and its index met and stepped over (a damaged file, a stray name in the capture
 * folder, a rebuilt index), as one line each, for the command to print once on standard error. Reading
 * never stops for them, so this is how the user hears about them.
 *
 * <p>The same line is kept once; a long-running process (the proxy) can {@link #forward} them to its log
 * instead of collecting them. Thread-safe.
 */
public final class StoreNotes {

    /** Lines kept before they are printed; more are counted, so a hostile store cannot fill memory. */
    static final int MAX_PENDING = 200;

    private final Set<String> pending = new LinkedHashSet<>();
    private final Set<String> delivered = new LinkedHashSet<>();
    private Consumer<String> sink;
    private int dropped;

    /** Notes a problem (without the {@code msnscope:} prefix); a line already noted is ignored. */
    public void add(String line) {
        Consumer<String> s;
        synchronized (this) {
            if (pending.contains(line) || delivered.contains(line)) {
                return;
            }
            if (sink == null) {
                if (pending.size() >= MAX_PENDING) {
                    dropped++;
                } else {
                    pending.add(line);
                }
                return;
            }
            if (delivered.size() >= MAX_PENDING) {
                delivered.clear();
            }
            delivered.add(line);
            s = sink;
        }
        s.accept(line);
    }

    /** The lines noted since the last call (each once), and a count of those past the bound. */
    public synchronized List<String> drain() {
        List<String> out = new ArrayList<>(pending);
        if (dropped > 0) {
            out.add(dropped + " more problems not listed");
            dropped = 0;
        }
        if (delivered.size() + pending.size() > MAX_PENDING) {
            delivered.clear();
        }
        delivered.addAll(pending);
        pending.clear();
        return out;
    }

    /** From now on hands every new line to {@code sink} (a log) as it is noted, after the pending ones. */
    public void forward(Consumer<String> sink) {
        List<String> now;
        synchronized (this) {
            now = drain();
            this.sink = sink;
        }
        now.forEach(sink);
    }
}

package msnscope.intercept;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hook's warnings on the proxy's logger, rate-limited by kind: a hook that hangs or writes nonsense does
 * so for every frame, and a warning per frame would bury the console. The first {@value #BURST} of a kind are
 * shown; later ones are counted and reported with the latest of them at each {@link #flush} (every 10 s, and
 * at close). A kind quiet for a whole period starts afresh.
 */
final class HookWarnings {

    static final int BURST = 5;
    private static final Logger LOG = LoggerFactory.getLogger("msnscope.proxy");

    private static final class Kind {
        int shown;
        int held;
        String latest;
    }

    private final Map<String, Kind> kinds = new LinkedHashMap<>();

    /** Logs {@code line} unless {@value #BURST} of {@code kind} were already shown this period. */
    void warn(String kind, String line) {
        synchronized (this) {
            Kind k = kinds.computeIfAbsent(kind, x -> new Kind());
            if (k.shown >= BURST) {
                k.held++;
                k.latest = line;
                return;
            }
            k.shown++;
        }
        LOG.warn(line);
    }

    /** Reports what was held back since the last flush, one line per kind, and starts a new period. */
    void flush() {
        StringBuilder lines = new StringBuilder();
        synchronized (this) {
            for (Kind k : kinds.values()) {
                if (k.held > 0) {
                    lines.append(k.latest).append(" (").append(k.held).append(" more like this)\n");
                    k.held = 0;
                } else {
                    k.shown = 0;
                }
            }
        }
        lines.toString().lines().forEach(LOG::warn);
    }
}

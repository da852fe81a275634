package msnscope.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The attached listeners of one kind, called as one: a listener that throws is logged once and skipped for
 * that call, so a failing console or recorder never breaks the relay. {@link Listeners} and
 * {@link WireListeners} are the two kinds.
 */
abstract class Fanout<L> {

    private static final Logger log = LoggerFactory.getLogger("msnscope.proxy");

    protected final List<L> all = new CopyOnWriteArrayList<>();
    private final Set<L> failed = ConcurrentHashMap.newKeySet();

    void add(L l) {
        all.add(l);
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    protected void failed(L l, RuntimeException e) {
        if (failed.add(l)) {
            log.warn("{} failed ({}); the relay goes on", l.getClass().getSimpleName(), e.getMessage());
        }
    }
}

package msnscope.intercept;

import msnscope.dissect.Dissection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Several interceptors as one, asked in order (the rules, then the hook): each sees the frame as it arrived,
 * and their verdicts are joined ({@link Verdict#then}). Once one drops the frame, the later ones are not asked.
 */
public final class Interceptors implements Interceptor {

    private final List<Interceptor> chain;

    private Interceptors(List<Interceptor> chain) {
        this.chain = List.copyOf(chain);
    }

    /** The interceptors given, null when there are none, the one itself when there is one. */
    public static Interceptor of(List<Interceptor> interceptors) {
        List<Interceptor> l = new ArrayList<>();
        for (Interceptor i : interceptors) {
            if (i != null) {
                l.add(i);
            }
        }
        return l.isEmpty() ? null : l.size() == 1 ? l.get(0) : new Interceptors(l);
    }

    /** The parts {@link #joined} was made from: it is made again only when one of them changed (a reload, a dead hook). */
    private volatile Interest[] parts = new Interest[0];
    private volatile Interest joined = Interest.NONE;

    /** Read for every frame on the relay: the union is built only when a part changed. */
    @Override
    public Interest interest() {
        Interest[] seen = parts;
        boolean same = seen.length == chain.size();
        for (int i = 0; same && i < seen.length; i++) {
            same = seen[i] == chain.get(i).interest();
        }
        if (same) {
            return joined;
        }
        Interest[] now = new Interest[chain.size()];
        Interest all = Interest.NONE;
        for (int i = 0; i < now.length; i++) {
            now[i] = chain.get(i).interest();
            all = all.or(now[i]);
        }
        joined = all;
        parts = now;
        return all;
    }

    @Override
    public CompletionStage<Verdict> intercept(Dissection d, String connection) {
        return ask(0, Verdict.FORWARD, d, connection);
    }

    private CompletionStage<Verdict> ask(int next, Verdict sofar, Dissection d, String connection) {
        if (next == chain.size() || sofar.drop()) {
            return CompletableFuture.completedFuture(sofar);
        }
        Interceptor i = chain.get(next);
        if (!i.interest().covers(d.command(), d.direction())) {
            return ask(next + 1, sofar, d, connection);
        }
        return i.intercept(d, connection)
                .exceptionally(e -> Verdict.FORWARD)
                .thenCompose(v -> ask(next + 1, sofar.then(v), d, connection));
    }

    @Override
    public List<String> summary() {
        List<String> l = new ArrayList<>();
        for (Interceptor i : chain) {
            l.addAll(i.summary());
        }
        return l;
    }

    @Override
    public String describe() {
        List<String> l = new ArrayList<>();
        for (Interceptor i : chain) {
            l.add(i.describe());
        }
        return String.join("; ", l);
    }

    @Override
    public void close() {
        for (Interceptor i : chain) {
            i.close();
        }
    }
}

package msnscope.replay;

import msnscope.dissect.Dissection;
import msnscope.dissect.spec.VolatileSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One captured request of the report: what the capture's server answered, what the live server answered,
 * and the pairs the replay matched between them (by command, in order). Server frames that were not replies
 * to any request (presence, invitations, switchboard traffic) belong to the request the client sent last on
 * that connection, where they arrived.
 */
public final class ReportEntry {

    public enum Outcome { SAME, DIFFER, UNANSWERED }

    /** A captured server frame and the live one matched to it; either may be null (one side only). */
    public record Pair(Dissection captured, Dissection live, Comparison comparison) {
    }

    private final String account;
    private final String connection;
    private final Dissection request;
    private String sent;
    private String note;
    private final List<Dissection> captured = new ArrayList<>();
    private final List<Dissection> live = new ArrayList<>();
    private final List<Pair> pairs = new ArrayList<>();

    /**
     * @param account    the login, e.g. {@code alice@example.com}
     * @param connection the captured connection, e.g. {@code NS 2}
     * @param request    the captured client frame
     */
    public ReportEntry(String account, String connection, Dissection request) {
        this.account = account;
        this.connection = connection;
        this.request = request;
    }

    public synchronized void sent(String line) {
        this.sent = line;
    }

    /** Why the request was not sent, or anything else the reader must know about it. */
    public synchronized void note(String text) {
        this.note = text;
    }

    public synchronized void expect(Dissection capturedReply) {
        captured.add(capturedReply);
    }

    /** A live frame matched to a captured reply of this entry. */
    public synchronized void matched(Dissection capturedReply, Dissection liveReply, VolatileSpec volatility) {
        live.add(liveReply);
        pairs.add(new Pair(capturedReply, liveReply, Comparison.of(capturedReply, liveReply, volatility)));
    }

    /** A live frame the capture has nothing for. */
    public synchronized void liveOnly(Dissection liveReply) {
        live.add(liveReply);
        pairs.add(new Pair(null, liveReply, null));
    }

    /** The pairs, with every captured reply that got no live frame as a capture-only pair, in captured order. */
    public synchronized List<Pair> pairs() {
        List<Pair> out = new ArrayList<>();
        for (Dissection c : captured) {
            Pair p = pairs.stream().filter(x -> x.captured() == c).findFirst().orElse(new Pair(c, null, null));
            out.add(p);
        }
        pairs.stream().filter(x -> x.captured() == null).forEach(out::add);
        return Collections.unmodifiableList(out);
    }

    public synchronized Outcome outcome() {
        if (sent == null || !captured.isEmpty() && live.isEmpty()) {
            return Outcome.UNANSWERED;
        }
        for (Pair p : pairs()) {
            if (p.comparison() == null || !p.comparison().same()) {
                return Outcome.DIFFER;
            }
        }
        return Outcome.SAME;
    }

    /** The volatile kinds that differed in the pairs that are the same. */
    public synchronized Set<String> volatiles() {
        Set<String> kinds = new LinkedHashSet<>();
        for (Pair p : pairs) {
            if (p.comparison() != null) {
                kinds.addAll(p.comparison().volatiles());
            }
        }
        return kinds;
    }

    public String account() {
        return account;
    }

    public String connection() {
        return connection;
    }

    public Dissection request() {
        return request;
    }

    public synchronized String sentLine() {
        return sent;
    }

    public synchronized String noteText() {
        return note;
    }
}

package msnscope.replay;

import io.netty.channel.Channel;
import msnscope.dissect.StreamDissector;
import msnscope.proxy.ProxyConnection;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One client connection to {@code serve} and the captured connection it plays, once known. Touched only on
 * serve's one event loop.
 */
final class ServedConnection {

    /** A client frame matched to a captured one, with the TrID the client gave it. */
    record Match(ScriptFrame captured, Long trid) {
    }

    final String id;
    final Channel channel;
    final StreamDissector live;
    final long openedMicros;
    /** The captured connection played, or null before the client said enough to tell. */
    ScriptConnection captured;
    /** Claimed by its first line alone, before it named an account: may still move to that account's connection. */
    boolean provisional;
    /** A login or cookie not in the capture: nothing more is answered or reported on it. */
    boolean astray;
    final List<Match> matched = new ArrayList<>();
    /** The captured frames of {@link #matched}, for a lookup per frame rather than a scan. */
    private final java.util.Set<ScriptFrame> matchedFrames = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** Captured TrID to the client's, for the frames that answer or echo a request. */
    final Map<Long, Long> trids = new HashMap<>();
    /** Indexes into {@code captured.frames()} of the server frames sent. */
    final BitSet sent = new BitSet();
    /** Frames of the captured connection before this index are done: client frames received, server frames sent. */
    int scanFrom;
    /** The recorder's view of the connection; null until its first frame (its role and referral are known then). */
    ProxyConnection recorded;
    String account;
    /** Why serve closed it, when serve did (else the client did). */
    String closing;

    ServedConnection(String id, Channel channel, StreamDissector live, long openedMicros) {
        this.id = id;
        this.channel = channel;
        this.live = live;
        this.openedMicros = openedMicros;
    }

    InetSocketAddress client() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    InetSocketAddress local() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** How messages name it: {@code c4}, and the captured connection it plays when known. */
    String name() {
        return captured == null ? id : id + " [" + captured.source() + " " + captured.id() + " "
                + (captured.role() == null ? "?" : captured.role()) + (captured.account() == null ? "" : " " + captured.account()) + "]";
    }

    boolean matched(ScriptFrame f) {
        return matchedFrames.contains(f);
    }

    /** The client's command was captured request {@code f}, sent with the client's {@code trid}. */
    void addMatch(ScriptFrame f, Long trid) {
        matched.add(new Match(f, trid));
        matchedFrames.add(f);
    }

    void clearMatches() {
        matched.clear();
        matchedFrames.clear();
    }
}

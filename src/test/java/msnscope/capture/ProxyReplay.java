package msnscope.capture;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.spec.FormSpec;
import msnscope.proxy.ProxyConnection;
import msnscope.proxy.WireListener;
import msnscope.proxy.Referral;
import msnscope.support.Captures;
import msnscope.wire.Direction;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plays a transcript to a {@link WireListener} the way the proxy calls its hooks: connections opened
 * with the referral that created them, frames with the rewritten bytes of referrals (the proxy points
 * them at itself), referral events, and closes. Times are synthetic and increasing.
 */
public final class ProxyReplay {

    /** One replayed connection: the hook events to send, in order. */
    public record Conn(ProxyConnection pc, List<Object[]> frames) {
    }

    private ProxyReplay() {
    }

    /**
     * @param prefix       proxy connection id prefix (keeps two replays apart)
     * @param withReferral false to leave {@link ProxyConnection#referral()} null (stitching by cookie)
     */
    public static List<Conn> connections(Path transcript, String prefix, long startMicros, boolean withReferral) {
        List<ConnectionLog> logs = Captures.dissect(transcript).connections();
        List<Conn> out = new ArrayList<>();
        List<Object[]> referrals = new ArrayList<>(); // {kind, cookie, address, Conn, line}
        long t = startMicros;
        int n = 0;
        for (ConnectionLog log : logs) {
            String first = log.frames().stream().filter(d -> d.direction() == Direction.C2S).map(d -> d.frame().line()).findFirst().orElse("");
            boolean sb = Stitcher.opensSwitchboard(first);
            Referral ref = null;
            for (int i = referrals.size() - 1; i >= 0 && withReferral; i--) {
                Object[] r = referrals.get(i);
                boolean match = sb ? "SB".equals(r[0]) && first.contains(String.valueOf(r[1])) : "NS".equals(r[0]);
                if (match) {
                    Conn from = (Conn) r[3];
                    ref = new Referral((String) r[0], from.pc().id(), null, (String) r[2], "127.0.0.1:" + listenerPort(log.role()), (String) r[1],
                            null, (String) r[4], t);
                    referrals.remove(i);
                    break;
                }
            }
            String server = log.server() == null ? "10.0.0.9:1863" : log.server();
            ProxyConnection pc = new ProxyConnection(prefix + (++n), sb ? FormSpec.Role.SB : FormSpec.Role.NS,
                    new InetSocketAddress("127.0.0.1", 40000 + n), new InetSocketAddress("127.0.0.1", listenerPort(log.role())), server,
                    InetSocketAddress.createUnresolved(server.substring(0, server.lastIndexOf(':')),
                            Integer.parseInt(server.substring(server.lastIndexOf(':') + 1))), ref, t);
            Conn c = new Conn(pc, new ArrayList<>());
            for (Dissection d : log.frames()) {
                t += 1000;
                byte[] forwarded = null;
                if (d.fields().get("referral") instanceof Map<?, ?> r) {
                    String address = String.valueOf(r.get("address"));
                    String rewritten = "127.0.0.1:" + listenerPort("SB".equals(r.get("kind")) ? FormSpec.Role.SB : FormSpec.Role.NS);
                    forwarded = new String(d.frame().copyBytes(), StandardCharsets.UTF_8).replace(address, rewritten)
                            .getBytes(StandardCharsets.UTF_8);
                    referrals.add(new Object[] {r.get("kind"), r.get("cookie"), address, c, d.frame().line()});
                }
                c.frames().add(new Object[] {d, forwarded, t});
            }
            out.add(c);
        }
        return out;
    }

    /** The proxy's listener a connection of this role arrives on: the main one for DS, one per referred server otherwise. */
    static int listenerPort(FormSpec.Role role) {
        return role == FormSpec.Role.SB ? 1864 : role == FormSpec.Role.NS ? 1865 : 1863;
    }

    /** Plays connections one after the other (as a transcript lists them). */
    public static void play(List<Conn> conns, WireListener l) {
        for (Conn c : conns) {
            l.connectionOpened(c.pc());
            for (Object[] f : c.frames()) {
                send(l, c, f);
                l.beforeForward();
            }
            l.connectionClosed(c.pc(), "client closed");
            l.beforeForward();
        }
    }

    public static void send(WireListener l, Conn c, Object[] f) {
        Dissection d = (Dissection) f[0];
        l.frame(c.pc(), d.frame(), d.direction(), (long) f[2], (byte[]) f[1]);
        events(l, c, f);
    }

    /** What follows a frame on the relay besides the frame itself: the account the lane learned, a rewritten referral. */
    public static void events(WireListener l, Conn c, Object[] f) {
        Dissection d = (Dissection) f[0];
        if (d.account() != null) {
            // What the analysis lane tells the recorder once it has dissected the frame.
            l.account(c.pc(), d.account());
        }
        if (f[1] != null && d.fields().get("referral") instanceof Map<?, ?> r) {
            l.referral(c.pc(), new Referral(String.valueOf(r.get("kind")), c.pc().id(), d.account(), String.valueOf(r.get("address")),
                    "127.0.0.1:" + listenerPort("SB".equals(r.get("kind")) ? FormSpec.Role.SB : FormSpec.Role.NS), (String) r.get("cookie"),
                    null, d.frame().line(), (long) f[2]));
        }
    }
}

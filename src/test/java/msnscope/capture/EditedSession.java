package msnscope.capture;

import msnscope.dissect.Dissection;
import msnscope.proxy.WireListener.WireFrame;
import msnscope.support.Captures;
import msnscope.wire.Direction;
import msnscope.wire.Edit;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Records alice's MSNP11 chat ({@code captures/msnp11-chat.txt}) through the real {@link Recorder} the way the relay
 * hands it frames that rules and a hook changed ({@code frames(connection, List<WireFrame>)}): each kind of edit once.
 *
 * <ul>
 * <li>{@code PNG} (C2S) answered locally by rule 1: the PNG delivered nothing, then msnscope's own {@code QNG 50} (S2C, made)</li>
 * <li>{@code QNG 60} (S2C) dropped by rule 4</li>
 * <li>{@code JOI bob@example.com Bob} (S2C) delayed by rule 3</li>
 * <li>bob's {@code MSG … 150} (S2C) replaced by rule 2: {@code merci} becomes {@code MERCI BEAUCOUP}, length recomputed</li>
 * <li>after {@code GCF 9 Shields.xml} (C2S) the hook injects a {@code PNG} to the server (C2S, made)</li>
 * </ul>
 */
public final class EditedSession {

    public static final Path CHAT = Captures.DIR.resolve("msnp11-chat.txt");
    public static final Edit REPLY = new Edit("rule 1 (rules.yaml)", "reply", false);
    public static final Edit REPLY_MADE = new Edit("rule 1 (rules.yaml)", "reply", true);
    public static final Edit REPLACE = new Edit("rule 2 (rules.yaml)", "replace", false);
    public static final Edit DELAY = new Edit("rule 3 (rules.yaml)", "delay", false);
    public static final Edit DROP = new Edit("rule 4 (rules.yaml)", "drop", false);
    public static final Edit INJECT = new Edit("hook", "inject", true);
    public static final String REPLACED_LINE = "MSG bob@example.com Bob 159";
    public static final String REPLACED_TEXT = "Très bien, MERCI BEAUCOUP! Send me the photo?";

    private EditedSession() {
    }

    /** Records the session into {@code store} (one session, {@code s1} in an empty store). */
    public static void record(CaptureStore store) throws Exception {
        try (Recorder r = new Recorder(store, false, null)) {
            for (ProxyReplay.Conn c : ProxyReplay.connections(CHAT, "e", 1_800_000_000_000_000L, true)) {
                r.connectionOpened(c.pc());
                for (Object[] f : c.frames()) {
                    r.frames(c.pc(), relayed((Dissection) f[0], (byte[]) f[1], (long) f[2]));
                    ProxyReplay.events(r, c, f);
                    r.beforeForward();
                }
                r.connectionClosed(c.pc(), "client closed");
                r.beforeForward();
            }
            r.sync();
        }
    }

    /** What the relay hands the recorder for one arriving frame, once the rules and the hook had their say. */
    private static List<WireFrame> relayed(Dissection d, byte[] rewritten, long t) {
        Frame f = d.frame();
        String line = f.line();
        List<WireFrame> out = new ArrayList<>();
        if (d.direction() == Direction.C2S && line.equals("PNG")) {
            out.add(new WireFrame(f, Direction.C2S, t, new byte[0], REPLY));
            out.add(new WireFrame(frame("QNG 50\r\n", Direction.S2C), Direction.S2C, t + 1, null, REPLY_MADE));
        } else if (line.equals("QNG 60")) {
            out.add(new WireFrame(f, d.direction(), t, new byte[0], DROP));
        } else if (line.equals("JOI bob@example.com Bob")) {
            out.add(new WireFrame(f, d.direction(), t, null, DELAY));
        } else if (line.equals("MSG bob@example.com Bob 150")) {
            String payload = new String(f.payload(), StandardCharsets.UTF_8).replace("merci", "MERCI BEAUCOUP");
            byte[] body = payload.getBytes(StandardCharsets.UTF_8);
            out.add(new WireFrame(f, d.direction(), t, (REPLACED_LINE.replace("159", Integer.toString(body.length)) + "\r\n" + payload)
                    .getBytes(StandardCharsets.UTF_8), REPLACE));
        } else if (line.equals("GCF 9 Shields.xml")) {
            out.add(new WireFrame(f, d.direction(), t, rewritten));
            out.add(new WireFrame(frame("PNG\r\n", Direction.C2S), Direction.C2S, t + 1, null, INJECT));
        } else {
            out.add(new WireFrame(f, d.direction(), t, rewritten));
        }
        return out;
    }

    private static Frame frame(String text, Direction dir) {
        return Framer.frameAll(text.getBytes(StandardCharsets.UTF_8), dir, (k, x, v) -> false, FramerLimits.DEFAULT).get(0);
    }
}

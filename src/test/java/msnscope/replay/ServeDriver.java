package msnscope.replay;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The captured clients of a script, played over real sockets against {@code serve}: each captured connection
 * is a socket, opened at its first frame (to serve's listener, or to the address the referral that led there
 * carried when it arrived); a client frame is written as captured (TrIDs plus {@code tridShift}), a server frame
 * is read and must be the captured bytes with the client's TrIDs and referrals pointing at serve.
 */
final class ServeDriver implements AutoCloseable {

    private static final Pattern HOST_PORT = Pattern.compile("^[^\\s:]+:\\d{1,5}$");
    private static final Pattern TRID_LINE = Pattern.compile("^([A-Z0-9]{3}) (\\d+)([ \\r\\n].*)?$", Pattern.DOTALL);

    private final Script script;
    private final InetSocketAddress serve;
    private final long tridShift;
    private final Map<ScriptConnection, Socket> sockets = new IdentityHashMap<>();
    /** Where each referral (captured frame) told the client to go, as received. */
    private final Map<ScriptFrame, String> referredTo = new IdentityHashMap<>();
    private final Map<ScriptConnection, Set<Long>> sentTrids = new IdentityHashMap<>();
    private final Set<ScriptFrame> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    final List<String> received = new ArrayList<>();

    /** Referral addresses must be serve's own ({@code serve}); false: any (a proxy in between rewrites them to its own). */
    private final boolean exactReferrals;
    /**
     * Serve's switchboard listener, learned from the first referral to a switchboard (same host as serve, its
     * own port); every later one must name the same.
     */
    private String switchboards;

    ServeDriver(Script script, InetSocketAddress serve, long tridShift) {
        this(script, serve, tridShift, true);
    }

    ServeDriver(Script script, InetSocketAddress serve, long tridShift, boolean exactReferrals) {
        this.script = script;
        this.serve = serve;
        this.tridShift = tridShift;
        this.exactReferrals = exactReferrals;
    }

    /** Plays every frame not played yet, in the capture's global order. */
    void playRest() throws IOException {
        for (ScriptFrame f : script.frames()) {
            if (!done.contains(f)) {
                step(f);
            }
        }
    }

    /** Plays one frame: writes a client frame, or reads a server frame and checks it. */
    void step(ScriptFrame f) throws IOException {
        done.add(f);
        Socket s = socket(f.connection());
        if (f.fromClient()) {
            if (f.trid() != null) {
                sentTrids.computeIfAbsent(f.connection(), k -> new HashSet<>()).add(f.trid());
            }
            s.getOutputStream().write(shifted(f.bytes(), f.trid()));
            s.getOutputStream().flush();
            return;
        }
        byte[] got = read(s.getInputStream(), f.frame().payloadLength());
        String gotText = new String(got, StandardCharsets.UTF_8);
        if (switchboards == null && isSwitchboardReferral(f)) {
            String named = tokens(gotText.lines().findFirst().orElse("")).stream().filter(t -> HOST_PORT.matcher(t).matches())
                    .findFirst().orElse("");
            if (named.startsWith(serve.getAddress().getHostAddress() + ":") && !named.equals(self())) {
                switchboards = named;
            }
        }
        byte[] expected = expected(f);
        String expectedText = new String(expected, StandardCharsets.UTF_8);
        if (!exactReferrals && f.dissection().fields().get("referral") != null) {
            expectedText = masked(expectedText);
            gotText = masked(gotText);
        }
        assertEquals(expectedText, gotText, "on " + f.connection().name());
        gotText = new String(got, StandardCharsets.UTF_8);
        received.add(gotText.lines().findFirst().orElse(""));
        if (f.dissection().fields().get("referral") != null) {
            String address = tokens(gotText.lines().findFirst().orElseThrow()).stream().filter(t -> HOST_PORT.matcher(t).matches())
                    .findFirst().orElseThrow();
            referredTo.put(f, address);
        }
    }

    /** A line up to and with its LF, then {@code payload} bytes. */
    private static byte[] read(InputStream in, int payload) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            out.write(b);
            if (b == '\n') {
                break;
            }
        }
        out.writeBytes(in.readNBytes(payload));
        return out.toByteArray();
    }

    /** Every host:port token of the first line as {@code *}. */
    private static String masked(String frame) {
        int lf = frame.indexOf('\n');
        String line = lf < 0 ? frame : frame.substring(0, lf);
        List<String> out = new ArrayList<>();
        for (String t : tokens(line.stripTrailing())) {
            out.add(HOST_PORT.matcher(t).matches() ? "*" : t);
        }
        return String.join(" ", out) + (lf < 0 ? "" : frame.substring(line.stripTrailing().length()));
    }

    private String self() {
        return serve.getAddress().getHostAddress() + ":" + serve.getPort();
    }

    private static boolean isSwitchboardReferral(ScriptFrame f) {
        var form = f.dissection().form();
        return form != null && form.referral() != null && "SB".equals(form.referral().kind());
    }

    /** The captured server frame as serve must send it. */
    private byte[] expected(ScriptFrame f) {
        byte[] bytes = f.bytes();
        Set<Long> mine = sentTrids.getOrDefault(f.connection(), Set.of());
        bytes = f.trid() != null && mine.contains(f.trid()) ? shifted(bytes, f.trid()) : bytes;
        if (f.dissection().fields().get("referral") == null) {
            return bytes;
        }
        String self = isSwitchboardReferral(f) && switchboards != null ? switchboards : self();
        int lineEnd = f.frame().lineLength();
        String line = new String(bytes, 0, lineEnd + (bytes.length - f.frame().size()), StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String t : tokens(line)) {
            out.add(HOST_PORT.matcher(t).matches() ? self : t);
        }
        String rewritten = String.join(" ", out);
        int oldLineLength = line.getBytes(StandardCharsets.UTF_8).length;
        byte[] head = rewritten.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + bytes.length - oldLineLength];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bytes, oldLineLength, all, head.length, bytes.length - oldLineLength);
        return all;
    }

    /** The frame with its TrID (token 1) moved by {@code tridShift}. */
    private byte[] shifted(byte[] bytes, Long trid) {
        if (trid == null || tridShift == 0) {
            return bytes;
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        Matcher m = TRID_LINE.matcher(text);
        if (!m.matches() || Long.parseLong(m.group(2)) != trid) {
            return bytes;
        }
        return (m.group(1) + " " + (trid + tridShift) + (m.group(3) == null ? "" : m.group(3))).getBytes(StandardCharsets.ISO_8859_1);
    }

    Socket socket(ScriptConnection c) throws IOException {
        Socket s = sockets.get(c);
        if (s != null) {
            return s;
        }
        InetSocketAddress to = serve;
        if (c.referral() != null) {
            String address = referredTo.get(c.referral());
            assertNotNull(address, c.name() + ": its referral never arrived");
            int colon = address.lastIndexOf(':');
            to = new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        }
        s = new Socket();
        s.connect(to, 5_000);
        s.setSoTimeout(5_000);
        s.setTcpNoDelay(true);
        sockets.put(c, s);
        return s;
    }

    /** Reads whatever serve sends on {@code c} within {@code millis}: empty when it sends nothing. */
    String drain(ScriptConnection c, int millis) throws IOException {
        Socket s = socket(c);
        s.setSoTimeout(millis);
        StringBuilder sb = new StringBuilder();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        } catch (java.net.SocketTimeoutException e) {
            // nothing more within the time
        } finally {
            s.setSoTimeout(5_000);
        }
        return sb.toString();
    }

    private static List<String> tokens(String line) {
        return List.of(line.split(" ", -1));
    }

    @Override
    public void close() throws IOException {
        for (Socket s : sockets.values()) {
            s.close();
        }
    }
}

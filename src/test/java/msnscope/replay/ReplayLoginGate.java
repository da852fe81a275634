package msnscope.replay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import msnscope.dissect.challenge.ChallengeAnswer;
import msnscope.dissect.spec.ChallengeSpec;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.proxy.MsnWorld;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;

/**
 * What {@link MsnWorld} lacks for replay tests: logins that are checked. A relay in front of the world's
 * dispatch and notification servers that verifies the MD5 response ({@code md5(salt ‖ password)}), the
 * Tweener ticket (the one the test's Passport server issues for the account and that challenge), and
 * challenges the client after login with {@code CHL}, checking the {@code QRY} answer with the product key
 * of {@code dissectors/challenge.yaml}. A wrong answer gets {@code 911} and the connection closed, as a real
 * server does. Referrals to the world's notification server are pointed at the gate's own; the world's
 * switchboard host name is given as 127.0.0.1 (the job {@code --resolve} does for the proxy).
 */
final class ReplayLoginGate implements AutoCloseable {

    static final String CHALLENGE = "29409134351025259292";

    private final MsnWorld world;
    private final Map<String, String> passwords;
    private final BiFunction<String, String, String> tickets;
    private final ServerSocket ds;
    private final ServerSocket ns;
    private volatile String nsTarget;
    private final ProtocolSpec spec = SpecLoader.builtIn();
    /** What the gate saw, e.g. {@code MD5 ok alice@example.com}, {@code QRY ok PROD0090YUAUV{2B}, {@code TWN wrong …}. */
    final List<String> events = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gate");
        t.setDaemon(true);
        return t;
    });

    /** @param tickets the ticket the Passport server issues for (account, challenge) */
    ReplayLoginGate(MsnWorld world, Map<String, String> passwords, BiFunction<String, String, String> tickets) throws IOException {
        this.world = world;
        this.passwords = passwords;
        this.tickets = tickets;
        InetAddress lo = InetAddress.getLoopbackAddress();
        ds = new ServerSocket(0, 50, lo);
        ns = new ServerSocket(0, 50, lo);
        accept(ds, true);
        accept(ns, false);
    }

    String address() {
        return "127.0.0.1:" + ds.getLocalPort();
    }

    /**
     * The gate's notification server, for captures whose clients start there (the Escargot pcaps). The world
     * tells where its own is the way it tells any client: by a referral from its dispatch server.
     */
    String notificationAddress() throws IOException {
        if (nsTarget == null) {
            String ds = world.dsAddress();
            int colon = ds.lastIndexOf(':');
            try (Socket probe = new Socket(ds.substring(0, colon), Integer.parseInt(ds.substring(colon + 1)))) {
                OutputStream out = probe.getOutputStream();
                out.write("VER 1 MSNP8 CVR0\r\nUSR 2 TWN I probe@example.com\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(probe.getInputStream(), StandardCharsets.US_ASCII));
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("XFR 2 NS ")) {
                        nsTarget = line.split(" ")[3];
                        break;
                    }
                }
            }
        }
        return "127.0.0.1:" + ns.getLocalPort();
    }

    private void accept(ServerSocket server, boolean dispatch) {
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    String target = dispatch ? world.dsAddress() : nsTarget;
                    int colon = target.lastIndexOf(':');
                    Socket upstream = new Socket(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
                    Pair p = new Pair(client, upstream);
                    threads.execute(p::clientSide);
                    threads.execute(p::serverSide);
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** One client connection and its connection to the world. */
    private final class Pair {
        final Socket client;
        final Socket upstream;
        String handle;
        String salt;
        String passport;
        int version;

        Pair(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void clientSide() {
            relay(client, Direction.C2S, frame -> {
                String[] t = frame.lineTokens();
                String cmd = frame.command() == null ? "" : frame.command();
                if (cmd.equals("VER") && t.length > 2) {
                    version = Integer.parseInt(t[2].substring(4));
                }
                if (cmd.equals("USR") && t.length > 4 && t[3].equals("I")) {
                    handle = t[4];
                }
                if (cmd.equals("USR") && t.length > 4 && t[3].equals("S")) {
                    String expected = t[2].equals("MD5") ? LoginResponder.md5Hex(salt + passwords.get(handle)) : tickets.apply(handle, passport);
                    boolean ok = t[4].equals(expected);
                    events.add(t[2] + (ok ? " ok " : " wrong ") + handle);
                    if (!ok) {
                        toClient(("911 " + t[1] + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        return false;
                    }
                }
                if (cmd.equals("QRY")) {
                    ChallengeSpec.Product product = spec.challenge().product(t[2]);
                    String answer = new String(frame.payload(), StandardCharsets.US_ASCII);
                    boolean ok = product != null && answer.equals(ChallengeAnswer.answer(spec.challenge().algorithmFor(version), CHALLENGE,
                            product.id(), product.key()));
                    events.add("QRY" + (ok ? " ok " : " wrong ") + t[2]);
                    toClient(((ok ? "QRY " : "540 ") + t[1] + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    return ok;
                }
                write(upstream, frame.copyBytes());
                return true;
            });
        }

        void serverSide() {
            relay(upstream, Direction.S2C, frame -> {
                String line = frame.line();
                String[] t = frame.lineTokens();
                if ("XFR".equals(frame.command()) && t.length > 3 && t[2].equals("NS")) {
                    nsTarget = t[3];
                    line = line.replace(t[3], "127.0.0.1:" + ns.getLocalPort());
                }
                line = line.replace(MsnWorld.SB_NAME + ":", "127.0.0.1:");
                if ("USR".equals(frame.command()) && t.length > 3 && t[3].equals("S")) {
                    if (t[2].equals("MD5")) {
                        salt = t[4];
                    } else {
                        passport = t[4];
                    }
                }
                byte[] rest = frame.hasPayload() ? frame.payload() : new byte[0];
                byte[] head = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
                byte[] all = new byte[head.length + rest.length];
                System.arraycopy(head, 0, all, 0, head.length);
                System.arraycopy(rest, 0, all, head.length, rest.length);
                toClient(all);
                if ("USR".equals(frame.command()) && t.length > 2 && t[2].equals("OK") && version >= 8) {
                    toClient(("CHL 0 " + CHALLENGE + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                return true;
            });
        }

        synchronized void toClient(byte[] b) {
            write(client, b);
        }

        interface OnFrame {
            boolean accept(Frame f) throws IOException;
        }

        void relay(Socket from, Direction dir, OnFrame onFrame) {
            Framer framer = new Framer(dir, (key, d, tokens) -> spec.expectsPayload(key, d, tokens, version), FramerLimits.DEFAULT);
            ByteBuf buf = Unpooled.buffer();
            byte[] chunk = new byte[8192];
            try (InputStream in = from.getInputStream()) {
                outer:
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    buf.writeBytes(chunk, 0, n);
                    for (Frame f; (f = framer.decode(buf)) != null; ) {
                        if (!onFrame.accept(f)) {
                            break outer;
                        }
                    }
                    buf.discardReadBytes();
                }
            } catch (IOException e) {
                // either side went away
            } finally {
                buf.release();
                framer.release();
                closeQuietly(client);
                closeQuietly(upstream);
            }
        }
    }

    private static void write(Socket s, byte[] b) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(b);
            out.flush();
        } catch (IOException e) {
            // the reader sees the end
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        ds.close();
        ns.close();
        threads.shutdownNow();
    }
}

package msnscope.chaos;

import msnscope.proxy.MsnWorld;
import msnscope.proxy.ScriptClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Chat load through a proxy: pairs (alice_i, bob_i) log in through the dispatch server and the notification
 * server it refers to, open a switchboard (XFR SB, CAL, RNG, ANS) and exchange acknowledged messages
 * (MSG A, then ACK) back and forth until stopped. When the proxy goes away a pair starts again with new
 * handles ({@code alice0-2@chaos.test}: one account per login) on whatever address the supplier gives
 * then. Every client connection is kept ({@link #clients}) with the bytes it sent and read, for
 * {@link FrameLedger}.
 */
final class ChatLoad implements AutoCloseable {

    static final String DOMAIN = "@chaos.test";
    private static final int READ_TIMEOUT_MILLIS = 5000;

    /** One client connection: DS, NS or SB, and its script (which keeps its bytes). */
    record Client(String role, ScriptClient script) {
    }

    /** A user logged in on a notification server. */
    record Login(String handle, ScriptClient ns) {
    }

    /** Both ends of a switchboard session. */
    record Chat(ScriptClient inviter, ScriptClient invitee) {
    }

    final List<Client> clients = new CopyOnWriteArrayList<>();
    private final Supplier<String> proxy;
    private final String tag;
    private final int payloadBytes;
    private final long pauseMillis;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong messages = new AtomicLong();
    private final List<String> anomalies = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopped;

    /**
     * @param proxy        the proxy's current {@code host:port}
     * @param tag          starts every handle, so two loads on one world never share an account
     * @param payloadBytes size of each message's payload
     * @param pauseMillis  pause after each round (a message each way)
     */
    ChatLoad(Supplier<String> proxy, String tag, int payloadBytes, long pauseMillis) {
        this.proxy = proxy;
        this.tag = tag;
        this.payloadBytes = payloadBytes;
        this.pauseMillis = pauseMillis;
    }

    void start(int pairs) {
        for (int i = 0; i < pairs; i++) {
            int pair = i;
            Thread t = new Thread(() -> pair(pair), "chat-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Messages delivered and acknowledged so far. */
    long messages() {
        return messages.get();
    }

    /** Waits until {@code n} more messages have been delivered; false after {@code millis}. */
    boolean awaitMore(long n, long millis) throws InterruptedException {
        long target = messages.get() + n;
        long end = System.currentTimeMillis() + millis;
        while (messages.get() < target) {
            if (System.currentTimeMillis() > end) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** What went wrong for the pairs (expected while the proxy is down), the last few. */
    List<String> anomalies() {
        synchronized (anomalies) {
            return List.copyOf(anomalies.subList(Math.max(0, anomalies.size() - 5), anomalies.size()));
        }
    }

    /** Stops the pairs: closes every connection (which ends any read in progress) and waits for the threads. */
    void stop() throws InterruptedException {
        stopped = true;
        for (Client c : clients) {
            closeQuietly(c.script());
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void pair(int i) {
        for (int gen = 1; !stopped; gen++) {
            List<ScriptClient> mine = new ArrayList<>();
            try {
                Login alice = login(tag + "alice" + i + "-" + gen + DOMAIN, mine);
                Login bob = login(tag + "bob" + i + "-" + gen + DOMAIN, mine);
                Chat chat = chat(alice, bob, mine);
                for (int k = 1; !stopped; k++) {
                    say(chat.inviter(), chat.invitee(), alice.handle(), 2 * k + 1, text(alice.handle(), k));
                    say(chat.invitee(), chat.inviter(), bob.handle(), 2 * k + 1, text(bob.handle(), k));
                    if (k % 10 == 0) {
                        alice.ns().send("PNG");
                        alice.ns().expect("QNG 60");
                    }
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception | AssertionError e) {
                if (!stopped) {
                    anomalies.add("pair " + i + " login " + gen + ": " + e);
                }
            } finally {
                mine.forEach(ChatLoad::closeQuietly);
            }
            if (!stopped) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Opens a client connection of {@code role} for {@code handle}, kept for the ledger. */
    ScriptClient open(String role, String handle, String address, List<ScriptClient> mine) throws IOException {
        ScriptClient c = ScriptClient.connect(role + ":" + handle, address);
        c.socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        clients.add(new Client(role, c));
        mine.add(c);
        return c;
    }

    /** MSNP11 login: DS (VER, CVR, USR I, XFR NS), then the referred NS (VER, CVR, USR I/S, profile, CHG). */
    Login login(String handle, List<ScriptClient> mine) throws IOException {
        String nsAddress;
        ScriptClient ds = open("DS", handle, proxy.get(), mine);
        handshake(ds, handle);
        ds.send("USR 3 TWN I " + handle);
        String xfr = ds.readLine();
        check(xfr.startsWith("XFR 3 NS "), "DS answered " + xfr);
        nsAddress = xfr.split(" ")[3];
        ds.close();
        ScriptClient ns = open("NS", handle, nsAddress, mine);
        handshake(ns, handle);
        ns.send("USR 3 TWN I " + handle);
        ns.expectPrefix("USR 3 TWN S ");
        ns.send("USR 4 TWN S t=ticket&p=profile");
        String ok = ns.readLine();
        check(ok.startsWith("USR 4 OK " + handle), "NS answered " + ok);
        String profile = ns.readLine();
        check(profile.startsWith("MSG Hotmail Hotmail "), "NS sent " + profile);
        ns.payloadOf(profile);
        ns.send("CHG 5 NLN 0");
        ns.expect("CHG 5 NLN 0");
        return new Login(handle, ns);
    }

    private static void handshake(ScriptClient c, String handle) throws IOException {
        c.send("VER 1 MSNP11 CVR0");
        c.expect("VER 1 MSNP11");
        c.send("CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.0.0816 MSMSGS " + handle);
        c.expectPrefix("CVR 2 ");
    }

    /** {@code a} opens a switchboard (XFR SB) and invites {@code b}, who answers the RNG. */
    Chat chat(Login a, Login b, List<ScriptClient> mine) throws IOException {
        a.ns().send("XFR 6 SB");
        String[] x = a.ns().readLine().split(" ");
        check(x.length >= 6 && x[0].equals("XFR") && x[2].equals("SB"), "XFR SB answered " + String.join(" ", x));
        ScriptClient inviter = open("SB", a.handle(), x[3], mine);
        inviter.send("USR 1 " + a.handle() + " " + x[5]);
        inviter.expect("USR 1 OK " + a.handle() + " " + MsnWorld.nick(a.handle()));
        inviter.send("CAL 2 " + b.handle());
        String ringing = inviter.readLine();
        check(ringing.startsWith("CAL 2 RINGING "), "CAL answered " + ringing);
        String[] r = b.ns().expectPrefix("RNG ").split(" ");
        ScriptClient invitee = open("SB", b.handle(), r[2], mine);
        invitee.send("ANS 1 " + b.handle() + " " + r[4] + " " + r[1]);
        invitee.expect("IRO 1 1 1 " + a.handle() + " " + MsnWorld.nick(a.handle()));
        invitee.expect("ANS 1 OK");
        inviter.expect("JOI " + b.handle() + " " + MsnWorld.nick(b.handle()));
        return new Chat(inviter, invitee);
    }

    /** One acknowledged message from {@code from} to {@code to}: MSG A, delivered byte-exact, then ACK. */
    void say(ScriptClient from, ScriptClient to, String handle, int trid, byte[] payload) throws IOException {
        from.sendPayload("MSG " + trid + " A", payload);
        String got = to.readLine();
        check(got.equals("MSG " + handle + " " + MsnWorld.nick(handle) + " " + payload.length), "delivered as " + got);
        check(Arrays.equals(payload, to.payloadOf(got)), "the payload of message " + trid + " arrived changed");
        from.expect("ACK " + trid);
        messages.incrementAndGet();
    }

    private byte[] text(String handle, int k) {
        StringBuilder sb = new StringBuilder("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nmessage " + k + " from " + handle + " ");
        while (sb.length() < payloadBytes) {
            sb.append((char) ('a' + sb.length() % 26));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static void check(boolean ok, String what) throws IOException {
        if (!ok) {
            throw new IOException("unexpected: " + what);
        }
    }

    static void closeQuietly(ScriptClient c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

package msnscope.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-test MSNP world on loopback: a dispatch server that refers to a notification server, which hands
 * out switchboards (named by a host name, like Escargot's {@code m1.escargot.log1p.xyz}) and pushes RNG
 * invitations, and a switchboard that relays MSG between users. Speaks the XFR/RNG forms of whatever
 * version the client negotiated (MSNP.md §3). Records every byte each server connection receives and sends.
 */
public final class MsnWorld implements AutoCloseable {

    /** Host name the world gives its switchboard; the proxy needs {@code --resolve} for it. */
    public static final String SB_NAME = "sb.world.test";

    /** Bytes of one server-side connection, keyed like the client's (ROLE:handle[:cookie]). */
    public static final class Record {
        /** DS, NS or SB: the server this connection reached. */
        public final String role;
        public volatile String key;
        public final ByteArrayOutputStream received = new ByteArrayOutputStream();
        public final ByteArrayOutputStream sent = new ByteArrayOutputStream();

        Record(String role) {
            this.role = role;
        }

        /** A copy of the bytes received so far. */
        public byte[] receivedBytes() {
            synchronized (this) {
                return received.toByteArray();
            }
        }
    }

    final ServerSocket ds;
    final ServerSocket ns;
    final ServerSocket sb;
    final Map<String, Record> records = new ConcurrentHashMap<>();
    /** Every connection's record, also of those that never logged in (no key). */
    public final List<Record> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "world");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Conn> online = new ConcurrentHashMap<>();
    private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
    private final Map<String, List<Conn>> sessions = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private volatile boolean closed;

    private record Ticket(String handle, String sessionId) {
    }

    public MsnWorld() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        ds = new ServerSocket(0, 200, lo);
        ns = new ServerSocket(0, 200, lo);
        sb = new ServerSocket(0, 200, lo);
        accept(ds, "DS");
        accept(ns, "NS");
        accept(sb, "SB");
    }

    public String dsAddress() {
        return "127.0.0.1:" + ds.getLocalPort();
    }

    String nsAddress() {
        return "127.0.0.1:" + ns.getLocalPort();
    }

    String sbAddress() {
        return SB_NAME + ":" + sb.getLocalPort();
    }

    private void accept(ServerSocket server, String role) {
        threads.execute(() -> {
            while (!closed) {
                try {
                    Socket s = server.accept();
                    threads.execute(() -> serve(new Conn(role, s)));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @Override
    public void close() throws IOException {
        closed = true;
        ds.close();
        ns.close();
        sb.close();
        for (Conn c : online.values()) {
            c.closeQuietly();
        }
        threads.shutdownNow();
    }

    /** One server-side connection. */
    final class Conn {
        final String role;
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final Record record;
        int version;
        String handle;
        String sessionId;

        Conn(String role, Socket s) {
            this.role = role;
            this.socket = s;
            this.record = new Record(role);
            all.add(record);
            try {
                s.setTcpNoDelay(true);
                this.in = new BufferedInputStream(s.getInputStream());
                this.out = s.getOutputStream();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }

        synchronized void send(String line) throws IOException {
            sendRaw((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        }

        synchronized void sendRaw(byte[] b) throws IOException {
            record.sent.writeBytes(b);
            out.write(b);
            out.flush();
        }

        synchronized void sendPayload(String head, byte[] payload) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes((head + " " + payload.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            b.writeBytes(payload);
            sendRaw(b.toByteArray());
        }

        String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (;;) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                synchronized (record) {
                    record.received.write(b);
                }
                if (b == '\n') {
                    byte[] l = line.toByteArray();
                    int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                    return new String(l, 0, n, StandardCharsets.UTF_8);
                }
                line.write(b);
            }
        }

        byte[] read(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            synchronized (record) {
                record.received.writeBytes(b);
            }
            return b;
        }

        void key(String k) {
            record.key = k;
            records.put(k, record);
        }

        void closeQuietly() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void serve(Conn c) {
        try (Socket s = c.socket) {
            for (String line; (line = c.readLine()) != null; ) {
                String[] t = line.split(" ");
                if (!handle(c, t, line)) {
                    break;
                }
            }
        } catch (IOException e) {
            // peer went away
        } finally {
            if (c.handle != null && c.role.equals("NS")) {
                online.remove(c.handle, c);
            }
            if (c.sessionId != null) {
                List<Conn> members = sessions.get(c.sessionId);
                if (members != null) {
                    synchronized (members) {
                        members.remove(c);
                    }
                }
            }
        }
    }

    private boolean handle(Conn c, String[] t, String line) throws IOException {
        String cmd = t[0];
        switch (cmd) {
            case "VER" -> {
                c.version = Integer.parseInt(t[2].substring(4));
                c.send("VER " + t[1] + " " + t[2]);
            }
            case "CVR" -> c.send("CVR " + t[1] + " 7.0.0816 7.0.0816 7.0.0816 http://download.test http://info.test");
            case "PNG" -> c.send("QNG 60");
            case "OUT" -> {
                if (!c.role.equals("SB")) {
                    c.send("OUT");
                } else if (c.sessionId != null) {
                    List<Conn> members = members(c.sessionId);
                    List<Conn> others;
                    synchronized (members) {
                        members.remove(c);
                        others = new ArrayList<>(members);
                    }
                    for (Conn o : others) {
                        o.send("BYE " + c.handle);
                    }
                }
                return false;
            }
            case "USR" -> {
                return c.role.equals("SB") ? sbUsr(c, t) : nsUsr(c, t);
            }
            case "CHG" -> {
                online.put(c.handle, c);
                c.send(line);
            }
            case "XFR" -> {
                String cookie = "ck" + ids.incrementAndGet() + "." + System.nanoTime() % 100000;
                tickets.put(cookie, new Ticket(c.handle, null));
                String tail = c.version >= 14 ? " U messenger.msn.com 1" : c.version == 13 ? " U messenger.msn.com" : "";
                c.send("XFR " + t[1] + " SB " + sbAddress() + " CKI " + cookie + tail);
            }
            case "CAL" -> {
                Conn invitee = online.get(t[2]);
                if (invitee == null) {
                    c.send("217 " + t[1]);
                    return true;
                }
                String cookie = "rk" + ids.incrementAndGet() + "." + System.nanoTime() % 100000;
                tickets.put(cookie, new Ticket(t[2], c.sessionId));
                c.send("CAL " + t[1] + " RINGING " + c.sessionId);
                String tail = invitee.version >= 14 ? " U messenger.hotmail.com 1" : invitee.version == 13 ? " U messenger.hotmail.com" : "";
                invitee.send("RNG " + c.sessionId + " " + sbAddress() + " CKI " + cookie + " " + c.handle + " " + nick(c.handle) + tail);
            }
            case "ANS" -> {
                Ticket tk = tickets.remove(t[3]);
                if (tk == null || !tk.handle().equals(t[2]) || !t[4].equals(tk.sessionId())) {
                    c.send("911 " + t[1]);
                    return false;
                }
                c.handle = t[2];
                c.sessionId = t[4];
                c.key("SB:" + c.handle + ":" + t[3]);
                List<Conn> members = members(c.sessionId);
                List<Conn> others;
                synchronized (members) {
                    others = new ArrayList<>(members);
                    members.add(c);
                }
                int i = 1;
                for (Conn o : others) {
                    c.send("IRO " + t[1] + " " + i++ + " " + others.size() + " " + o.handle + " " + nick(o.handle));
                }
                c.send("ANS " + t[1] + " OK");
                for (Conn o : others) {
                    o.send("JOI " + c.handle + " " + nick(c.handle));
                }
            }
            case "MSG" -> {
                byte[] payload = c.read(Integer.parseInt(t[t.length - 1]));
                List<Conn> members = members(c.sessionId);
                List<Conn> others;
                synchronized (members) {
                    others = new ArrayList<>(members);
                }
                for (Conn o : others) {
                    if (o != c) {
                        o.sendPayload("MSG " + c.handle + " " + nick(c.handle), payload);
                    }
                }
                if (t[2].equals("A") || t[2].equals("D")) {
                    c.send("ACK " + t[1]);
                }
            }
            default -> c.send("200 " + (t.length > 1 ? t[1] : "0"));
        }
        return true;
    }

    /** The members of a switchboard session; synchronise on the list to use it. */
    private List<Conn> members(String sid) {
        return sessions.computeIfAbsent(sid, k -> new ArrayList<>());
    }

    private boolean nsUsr(Conn c, String[] t) throws IOException {
        if (t[3].equals("I")) {
            c.handle = t[4];
            c.key(c.role + ":" + c.handle);
            if (c.role.equals("DS")) {
                String tail = c.version >= 13 ? " U D" : c.version >= 7 ? " 0 " + dsAddress() : c.version >= 3 ? " 0" : "";
                c.send("XFR " + t[1] + " NS " + nsAddress() + tail);
                return true;
            }
            c.send("USR " + t[1] + " " + t[2] + " S " + (t[2].equals("MD5") ? "1013928519.693957190" : "ct=1,rver=1,lc=1,id=1"));
            return true;
        }
        c.send("USR " + t[1] + " OK " + c.handle + " " + nick(c.handle) + (c.version >= 8 ? " 1 0" : ""));
        if (c.version >= 8) {
            String profile = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\nLoginTime: 1062714000\r\n"
                    + "EmailEnabled: 1\r\nMemberIdHigh: 84736\r\nMemberIdLow: -1434729391\r\nlang_preference: 1033\r\n"
                    + "preferredEmail: " + c.handle + "\r\ncountry: US\r\nPostalCode:\r\nGender:\r\nKid: 0\r\nAge:\r\n"
                    + "sid: 507\r\nkv: 2\r\nMSPAuth: 2AAAAAAAADU0p4uxxxJtDJozJSlUTS0i7YpwnC9PUHRv56YKxxxCTWmg$$\r\n"
                    + "ClientIP: " + c.socket.getInetAddress().getHostAddress() + "\r\nClientPort: " + c.socket.getPort() + "\r\n\r\n";
            c.sendPayload("MSG Hotmail Hotmail", profile.getBytes(StandardCharsets.UTF_8));
        }
        return true;
    }

    private boolean sbUsr(Conn c, String[] t) throws IOException {
        Ticket tk = tickets.remove(t[3]);
        if (tk == null || !tk.handle().equals(t[2])) {
            c.send("911 " + t[1]);
            return false;
        }
        c.handle = t[2];
        c.sessionId = "" + ids.incrementAndGet();
        List<Conn> members = members(c.sessionId);
        synchronized (members) {
            members.add(c);
        }
        c.key("SB:" + c.handle + ":" + t[3]);
        c.send("USR " + t[1] + " OK " + c.handle + " " + nick(c.handle));
        return true;
    }

    public static String nick(String handle) {
        return handle.substring(0, handle.indexOf('@'));
    }
}

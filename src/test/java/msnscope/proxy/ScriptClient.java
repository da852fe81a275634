package msnscope.proxy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scripted MSNP client for tests, in the style of a conversation: {@code send("VER 1 MSNP11 CVR0")},
 * {@code expect("VER 1 MSNP11")}. Records every byte it sends and receives, for byte-exactness checks.
 */
public final class ScriptClient implements AutoCloseable {

    public final String label;
    public final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    public final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    public final ByteArrayOutputStream received = new ByteArrayOutputStream();

    public ScriptClient(String label, String host, int port) throws IOException {
        this.label = label;
        this.socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(10_000);
        this.in = new java.io.BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static ScriptClient connect(String label, String hostPort) throws IOException {
        HostPort hp = HostPort.parse(hostPort);
        return new ScriptClient(label, hp.host(), hp.port());
    }

    public void send(String line) throws IOException {
        sendRaw((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A payload command: {@code head} gets " " + length appended, then the payload. */
    public void sendPayload(String head, byte[] payload) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((head + " " + payload.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        b.writeBytes(payload);
        sendRaw(b.toByteArray());
    }

    public synchronized void sendRaw(byte[] bytes) throws IOException {
        sent.writeBytes(bytes);
        out.write(bytes);
        out.flush();
    }

    /** The next line without its CR LF. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (;;) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(label + ": end of stream after '" + line.toString(StandardCharsets.UTF_8) + "'");
            }
            received.write(b);
            if (b == '\n') {
                byte[] l = line.toByteArray();
                int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                return new String(l, 0, n, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    public byte[] readBytes(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        received.writeBytes(b);
        if (b.length < n) {
            throw new EOFException(label + ": end of stream after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** Reads the next line and checks it is exactly {@code expected}. */
    public String expect(String expected) throws IOException {
        String l = readLine();
        assertEquals(expected, l, label + " expected a line");
        return l;
    }

    /** Reads lines until one starts with {@code prefix} (skipping others), returns it. */
    public String expectPrefix(String prefix) throws IOException {
        for (int i = 0; i < 50; i++) {
            String l = readLine();
            if (l.startsWith(prefix)) {
                return l;
            }
            if (hasPayload(l)) {
                readBytes(Integer.parseInt(l.substring(l.lastIndexOf(' ') + 1)));
            }
        }
        throw new AssertionError(label + ": no line starting with " + prefix);
    }

    /** Reads the payload announced by {@code line} (last token). */
    public byte[] payloadOf(String line) throws IOException {
        return readBytes(Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1)));
    }

    private static boolean hasPayload(String l) {
        return l.startsWith("MSG ") || l.startsWith("GCF ") || l.startsWith("UBX ") || l.startsWith("NOT ");
    }

    /** True when the peer closed (EOF) within the timeout. */
    boolean closedWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            for (;;) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
                received.write(b);
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    void assertClosed() throws IOException {
        assertTrue(closedWithin(5000), label + ": expected the proxy to close the connection");
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

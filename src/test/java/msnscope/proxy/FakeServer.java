package msnscope.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A one-connection upstream whose behaviour each fault test scripts; records what it received. */
public final class FakeServer implements AutoCloseable {

    public interface Script {
        void run(Socket s, ByteArrayOutputStream received) throws Exception;
    }

    final ServerSocket server;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    public final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile Socket socket;

    public FakeServer(Script script) throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                socket = s;
                s.setSoTimeout(10_000);
                script.run(s, received);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "fake-server");
        t.setDaemon(true);
        t.start();
    }

    public HostPort address() {
        return new HostPort("127.0.0.1", server.getLocalPort());
    }

    /** Reads until EOF (or reset), recording. */
    public static void readToEnd(Socket s, ByteArrayOutputStream into) throws IOException {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                synchronized (into) {
                    into.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // reset counts as the end
        }
    }

    /** Reads exactly {@code n} bytes. */
    public static byte[] read(Socket s, int n, ByteArrayOutputStream into) throws IOException {
        byte[] b = s.getInputStream().readNBytes(n);
        synchronized (into) {
            into.writeBytes(b);
        }
        return b;
    }

    public byte[] receivedBytes() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    public void await() throws Exception {
        done.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

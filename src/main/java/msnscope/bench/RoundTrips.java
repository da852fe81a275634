package msnscope.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The benchmarks' loopback client side: a connection that has said {@code VER} (so a dissecting relay
 * knows how payloads are framed), and round trips timed one command at a time.
 */
public final class RoundTrips {

    private RoundTrips() {
    }

    /** A connection to {@code port} on loopback, TCP_NODELAY, with a read timeout. */
    public static Socket open(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        s.setSoTimeout(30_000);
        return s;
    }

    /** Sends {@code VER 1 MSNP11 CVR0} and reads the reply line. */
    public static void hello(OutputStream out, InputStream in) throws IOException {
        out.write("VER 1 MSNP11 CVR0\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        readLine(in);
    }

    public static void readLine(InputStream in) throws IOException {
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
        }
    }

    /**
     * Round trips for {@code seconds} after half a second of warm-up, each {@code command.apply(trid)} written
     * and its one reply line read: {p50, p99} in microseconds.
     */
    public static double[] pingPong(int port, double seconds, IntFunction<byte[]> command) throws IOException {
        try (Socket s = open(port)) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            hello(out, in);
            long[] samples = new long[1 << 20];
            int n = 0;
            int trid = 2;
            long warmEnd = System.nanoTime() + 500_000_000L;
            long end = warmEnd + (long) (seconds * 1e9);
            for (long now = System.nanoTime(); now < end && n < samples.length; now = System.nanoTime()) {
                byte[] cmd = command.apply(trid++);
                long t0 = System.nanoTime();
                out.write(cmd);
                out.flush();
                readLine(in);
                if (t0 > warmEnd) {
                    samples[n++] = System.nanoTime() - t0;
                }
            }
            long[] sorted = Arrays.copyOf(samples, n);
            Arrays.sort(sorted);
            return new double[] {sorted[n / 2] / 1e3, sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e3};
        }
    }
}

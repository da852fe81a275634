package msnscope.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client of the relay benchmark's mixed workload (issue: "the proxy at wire speed"): one connection,
 * commands alternating {@code PNG} and {@code MSG t A 120} with a 120-byte payload, answered by
 * {@link MixServer}. {@link #pipelined} writes them all without waiting and times the last reply;
 * {@link #pingPong} sends one at a time and gives the round-trip percentiles.
 */
public final class MixWorkload {

    public static final int PAYLOAD = 120;

    private MixWorkload() {
    }

    /** The request bytes of {@code commands} commands, and the count of reply lines they get. */
    static byte[] requests(int commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(commands * 80);
        byte[] payload = new byte[PAYLOAD];
        Arrays.fill(payload, (byte) 'x');
        for (int i = 0; i < commands; i++) {
            out.writeBytes(command(i + 2, payload));
        }
        return out.toByteArray();
    }

    private static byte[] command(int trid, byte[] payload) {
        if (trid % 2 == 0) {
            return "PNG\r\n".getBytes(StandardCharsets.US_ASCII);
        }
        byte[] line = ("MSG " + trid + " A " + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(line, line.length + payload.length);
        System.arraycopy(payload, 0, all, line.length, payload.length);
        return all;
    }

    /** Commands per second: {@code commands} written back to back on one connection, until the last reply. */
    public static double pipelined(int port, int commands) throws Exception {
        byte[] requests = requests(commands);
        try (Socket s = RoundTrips.open(port)) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
            OutputStream out = s.getOutputStream();
            RoundTrips.hello(out, in);
            AtomicReference<IOException> failed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int off = 0; off < requests.length; off += 1 << 16) {
                        out.write(requests, off, Math.min(1 << 16, requests.length - off));
                    }
                    out.flush();
                } catch (IOException e) {
                    failed.set(e);
                }
            }, "mix-writer");
            long start = System.nanoTime();
            writer.start();
            byte[] buf = new byte[1 << 16];
            long replies = 0;
            while (replies < commands) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new IOException("connection closed after " + replies + " of " + commands + " replies"
                            + (failed.get() == null ? "" : " (" + failed.get().getMessage() + ")"));
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        replies++;
                    }
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            writer.join(5_000);
            return commands / elapsed;
        }
    }

    /** Round trips, one command at a time for {@code seconds} after a warm-up: {p50, p99} in microseconds. */
    public static double[] pingPong(int port, double seconds) throws IOException {
        byte[] payload = new byte[PAYLOAD];
        Arrays.fill(payload, (byte) 'x');
        return RoundTrips.pingPong(port, seconds, trid -> command(trid, payload));
    }
}

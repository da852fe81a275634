package msnscope.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A relay from another project, run as a process for a same-run baseline: socat (a plain TCP relay) and
 * mitmproxy in raw TCP reverse mode (relays chunks, frames nothing). Both are Debian packages
 * ({@code apt-get install socat mitmproxy}); when one is missing, {@link #start} says so instead of failing.
 */
public final class ExternalRelay implements AutoCloseable {

    private final String name;
    private final Process process;
    private final int port;

    private ExternalRelay(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    /** The command lines, by relay name, for a listener on {@code port} relaying to {@code target}. */
    static List<String> command(String name, int port, int target) {
        return switch (name) {
            case "socat" -> List.of("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork,nodelay",
                    "TCP:127.0.0.1:" + target + ",nodelay");
            case "mitmproxy" -> List.of("mitmdump", "-q", "--mode", "reverse:http://127.0.0.1:" + target, "--tcp-hosts", ".*",
                    "--listen-host", "127.0.0.1", "--listen-port", String.valueOf(port));
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Starts {@code name} ("socat" or "mitmproxy") in front of {@code target}; throws with a one-line reason when it cannot. */
    public static ExternalRelay start(String name, int target) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> cmd = command(name, port, target);
        if (!onPath(cmd.get(0))) {
            throw new IOException(name + " is not installed (apt-get install " + name + ")");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(name + " exited with code " + p.exitValue() + " at start");
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return new ExternalRelay(name, p, port);
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new IOException(name + " did not listen within 20 s");
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

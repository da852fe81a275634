package msnscope.chaos;

import msnscope.proxy.MsnWorld;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One store under attack: the test world, a chat load through whichever proxy process runs on the store
 * now, and the proxy's lifecycle as the tests drive it (start, kill -9, SIGTERM, start again on the same
 * {@code --data DIR}). What goes wrong on the way is a {@link Findings} item; {@link #close()} ends every
 * process and connection.
 */
final class ChaosRun implements AutoCloseable {

    /** How long a SIGTERM'd proxy may take to flush and exit (its own grace period for connections, and some). */
    static final long GRACE_SECONDS = 15;

    final MsnWorld world;
    final ChatLoad load;
    final Path dir;
    final Findings findings;
    private final String[] proxyArgs;
    private volatile ProxyProcess proxy;
    /** Standard error of every proxy this run started, in order. */
    private final StringBuilder proxyStderr = new StringBuilder();

    ChaosRun(Path dir, Findings findings, int payloadBytes, long pauseMillis, String... proxyArgs) throws IOException {
        this.dir = dir;
        this.findings = findings;
        this.proxyArgs = proxyArgs;
        this.world = new MsnWorld();
        // Before the first start and while the proxy is down, clients dial a closed port and retry.
        this.load = new ChatLoad(() -> proxy == null ? "127.0.0.1:1" : proxy.address(), "", payloadBytes, pauseMillis);
    }

    /** Starts a proxy on the store; true when it listens, else a finding saying what it printed. */
    boolean startProxy(String when) throws Exception {
        try {
            proxy = ProxyProcess.start(world.dsAddress(), dir, proxyArgs);
            return true;
        } catch (ProxyProcess.StartFailed e) {
            proxy = null;
            findings.add(when + ": " + e.getMessage());
            return false;
        }
    }

    /** Waits for {@code messages} more chat messages through the running proxy; a finding if the load stalls. */
    boolean awaitLoad(long messages, String when) throws InterruptedException {
        if (proxy == null) {
            return false;
        }
        boolean moved = load.awaitMore(messages, 20_000);
        findings.check(moved, when + ": the chat load through the proxy made no progress in 20 s; the clients saw " + load.anomalies());
        return moved;
    }

    /** The running proxy's process id. */
    long proxyPid() {
        return proxy.pid();
    }

    void kill() throws InterruptedException {
        if (proxy != null) {
            proxy.kill();
            ended(proxy);
        }
    }

    /** What the proxies printed on standard error (a damaged file may be reported there). */
    String proxyStderr() {
        return proxyStderr.toString();
    }

    private void ended(ProxyProcess p) {
        p.close();
        proxyStderr.append(p.stderr());
        proxy = null;
    }

    /** SIGTERM: the proxy must exit within {@link #GRACE_SECONDS}; if it does not, it is killed and that is a finding. */
    void terminate(String when) throws InterruptedException {
        if (proxy == null) {
            return;
        }
        ProxyProcess p = proxy;
        long t0 = System.nanoTime();
        p.terminate();
        Integer code = p.awaitExit(GRACE_SECONDS);
        findings.check(code != null, when + ": SIGTERM did not end the proxy within " + GRACE_SECONDS + " s");
        System.out.printf("%s: SIGTERM ended the proxy in %.1f s (exit %s)%n", when, (System.nanoTime() - t0) / 1e9, code);
        ended(p);
    }

    /** Stops the load, lets the world read what is on its way, and counts what the peers received. */
    FrameLedger received() throws InterruptedException {
        load.stop();
        Quiet.settle(world);
        return FrameLedger.received(load.clients, world.all);
    }

    @Override
    public void close() throws Exception {
        try {
            load.stop();
        } finally {
            if (proxy != null) {
                ended(proxy);
            }
            world.close();
        }
    }
}

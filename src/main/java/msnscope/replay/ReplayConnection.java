package msnscope.replay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import msnscope.dissect.Dissection;
import msnscope.dissect.StreamDissector;
import msnscope.proxy.HostPort;
import msnscope.wire.Direction;
import msnscope.wire.Frame;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One live connection of a replay, standing for one captured connection: a plain socket with a reader
 * thread that frames and dissects what the live server sends (the same framer and dissector as everywhere,
 * so live frames compare field by field with captured ones). What the replay sends is dissected on the same
 * stream, so the live replies pair with live requests as they did in the capture.
 */
final class ReplayConnection implements AutoCloseable {

    private final ScriptConnection captured;
    private final StreamDissector stream;
    private final Socket socket;
    private final OutputStream out;
    private final Object writeLock = new Object();
    private final Thread reader;
    private long trids;
    /** The last live server frame of each command (challenges, the negotiated version's frames). */
    private final Map<String, Dissection> lastByCommand = new HashMap<>();
    private volatile boolean ended;
    private volatile String endReason;

    private ReplayConnection(ScriptConnection captured, StreamDissector stream, Socket socket, Consumer<Dissection> onFrame,
                             Runnable onEnd) throws IOException {
        this.captured = captured;
        this.stream = stream;
        this.socket = socket;
        this.out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        this.reader = new Thread(() -> read(in, onFrame, onEnd), "replay " + captured.id());
        reader.setDaemon(true);
    }

    /** Connects; once {@link #start}ed, {@code onFrame} gets each live server frame and {@code onEnd} runs once the server is gone. */
    static ReplayConnection open(ScriptConnection captured, HostPort address, StreamDissector stream, Duration timeout,
                                 Consumer<Dissection> onFrame, Runnable onEnd) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(address.host(), address.port()), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        return new ReplayConnection(captured, stream, s, onFrame, onEnd);
    }

    /** Starts reading; separate from {@link #open} so the caller can file the connection before its first frame arrives. */
    void start() {
        reader.start();
    }

    ScriptConnection captured() {
        return captured;
    }

    /** A fresh TrID for this connection: 1, 2, 3 … as a client counts. */
    synchronized long nextTrid() {
        return ++trids;
    }

    /**
     * The dissection of a frame about to be sent, on the live stream: made before the bytes leave, so the
     * server's reply always finds its request.
     */
    synchronized Dissection dissectOutgoing(Frame frame) {
        return stream.dissect(frame, Direction.C2S, System.currentTimeMillis() * 1000);
    }

    /**
     * Writes a frame. Holds no lock the reader needs: a server that stops reading until its own writes drain
     * (a large transfer both ways) must still find the reader draining them.
     */
    void write(Frame frame) throws IOException {
        synchronized (writeLock) {
            out.write(frame.copyBytes());
            out.flush();
        }
    }

    /** The negotiated version of the live stream, 0 before the server's {@code VER}. */
    synchronized int version() {
        return stream.version();
    }

    /** The last live server frame with this command, or null. */
    synchronized Dissection last(String command) {
        return lastByCommand.get(command);
    }

    boolean ended() {
        return ended;
    }

    /** Why the live server went away, e.g. {@code closed by the server}, or null while it is there. */
    String endReason() {
        return endReason;
    }

    private void read(InputStream in, Consumer<Dissection> onFrame, Runnable onEnd) {
        Framer framer = new Framer(Direction.S2C, stream.oracle(), FramerLimits.DEFAULT);
        ByteBuf buf = Unpooled.buffer();
        byte[] chunk = new byte[16 * 1024];
        try {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                buf.writeBytes(chunk, 0, n);
                for (Frame f; (f = framer.decode(buf)) != null; ) {
                    deliver(f, onFrame);
                }
                buf.discardReadBytes();
            }
            Frame last = framer.decodeLast(buf);
            if (last != null) {
                deliver(last, onFrame);
            }
            endReason = "closed by the server";
        } catch (IOException e) {
            endReason = ended ? "closed" : "connection lost (" + (e.getMessage() == null ? "read error" : e.getMessage()) + ")";
        } finally {
            buf.release();
            framer.release();
            ended = true;
            onEnd.run();
        }
    }

    private void deliver(Frame f, Consumer<Dissection> onFrame) {
        Dissection d;
        synchronized (this) {
            d = stream.dissect(f, Direction.S2C, System.currentTimeMillis() * 1000);
            if (d.command() != null) {
                lastByCommand.put(d.command(), d);
            }
        }
        onFrame.accept(d);
    }

    @Override
    public void close() {
        ended = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Waits a little for the reader to see the end, so its last frames are in before the report. */
    void join(Duration wait) throws InterruptedException {
        reader.join(Math.max(1, wait.toMillis()));
    }
}

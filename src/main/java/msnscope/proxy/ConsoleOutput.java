package msnscope.proxy;


import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the console's lines wait to be written, in the order of their times across connections.
 *
 * <p>Lines arrive nearly in time order, not exactly: each event loop stamps a read when it starts and hands
 * the read's frames to the analysis lane only after recording them, so a read on one loop can reach the lane
 * after a later read on another (measured through a recording proxy on two shared cores, with no window:
 * 3 chat pairs, 60 of 1,100 lines behind an earlier-printed line by up to 25 ms, and 41 of 7,600 by up to
 * 8 ms; 8 pairs, 141 of 6,900 by up to 18 ms). So a line is held for {@link #WINDOW_MILLIS}
 * after it arrives, and lines are written by time (ties in arrival order): once a line has waited the window,
 * it and every line with an earlier time go out. A line later than that (a thread stalled for longer than the
 * window) is written at once, out of order, rather than held.
 *
 * <p>Never blocks its caller (the analysis lane): a full queue drops the line and counts it, and the count
 * is written to the notices stream before the next line ("the terminal could not keep up").
 */
final class ConsoleOutput implements AutoCloseable {

    /** How long a line waits for lines with earlier times: far above the skew measured, below what a reader notices. */
    static final long WINDOW_MILLIS = 250;
    private static final int QUEUE = 16_384;
    /** Lines held for ordering at most; past it the earliest is written without waiting out its window. */
    private static final int MAX_HELD = 65_536;

    private record Line(long micros, long seq, PrintStream to, String text, long arrivedNanos) {
    }

    private static final Comparator<Line> BY_TIME = Comparator.comparingLong(Line::micros).thenComparingLong(Line::seq);

    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final PrintStream notices;
    private final String droppedColour;
    private final Thread writer;
    private volatile boolean closing;
    private long reportedDropped;

    /**
     * @param notices       where the dropped-lines notice goes (never into JSON Lines)
     * @param droppedColour ANSI code the notice is painted with, or null for none
     */
    ConsoleOutput(PrintStream notices, String droppedColour) {
        this.notices = notices;
        this.droppedColour = droppedColour;
        this.writer = new Thread(this::writeLoop, "msnscope-console");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Queues {@code text} for {@code to}, ordered by {@code micros}; false (and counted) when the queue is full. */
    boolean offer(long micros, PrintStream to, String text) {
        if (queue.offer(new Line(micros, seq.incrementAndGet(), to, text, System.nanoTime()))) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    /** Lines dropped since the start because the writer could not keep up. */
    long dropped() {
        return dropped.get();
    }

    private void writeLoop() {
        // The relay's event loops share the cores with this thread; the console may lag (and skip lines,
        // counted) while the relay must not, so the kernel gives them the core first.
        BackgroundPriority.lowerCurrentThread();
        PriorityQueue<Line> held = new PriorityQueue<>(BY_TIME);
        ArrayDeque<Line> arrivals = new ArrayDeque<>();
        List<Line> batch = new ArrayList<>(256);
        Set<PrintStream> written = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        long released = Long.MIN_VALUE;
        while (true) {
            boolean last = closing;
            try {
                Line first = queue.poll(waitMillis(arrivals), TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch);
                }
            } catch (InterruptedException e) {
                last = true;
            }
            held.addAll(batch);
            arrivals.addAll(batch);
            batch.clear();
            long now = System.nanoTime();
            while (!arrivals.isEmpty() && (last || arrivals.size() > MAX_HELD
                    || now - arrivals.peekFirst().arrivedNanos() >= WINDOW_MILLIS * 1_000_000L)) {
                released = Math.max(released, arrivals.pollFirst().micros());
            }
            while (!held.isEmpty() && (last || held.peek().micros() <= released || held.size() > MAX_HELD)) {
                write(held.poll(), written);
            }
            for (PrintStream s : written) {
                s.flush();
            }
            written.clear();
            if (last && queue.isEmpty()) {
                return;
            }
        }
    }

    private static long waitMillis(ArrayDeque<Line> arrivals) {
        Line oldest = arrivals.peekFirst();
        if (oldest == null) {
            return 100;
        }
        long due = oldest.arrivedNanos() + WINDOW_MILLIS * 1_000_000L - System.nanoTime();
        return Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(due) + 1));
    }

    private void write(Line l, Set<PrintStream> written) {
        long lost = dropped.get() - reportedDropped;
        if (lost > 0) {
            reportedDropped += lost;
            String notice = "[console: " + lost + " lines dropped, the terminal could not keep up]";
            notices.println(droppedColour == null ? notice : "\u001b[" + droppedColour + "m" + notice + "\u001b[0m");
            written.add(notices);
        }
        l.to().println(l.text());
        written.add(l.to());
    }

    /** Writes every queued and held line, in time order, and stops the writer thread. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package msnscope.chaos;

import msnscope.proxy.MsnWorld;

/** Waits for bytes already on their way to the test world to be read, before its records are counted. */
final class Quiet {

    private Quiet() {
    }

    /** Returns once the world has read nothing new for 300 ms (at most 5 s). */
    static void settle(MsnWorld world) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        long before = -1;
        for (long now = received(world); now != before && System.currentTimeMillis() < end; now = received(world)) {
            before = now;
            Thread.sleep(300);
        }
    }

    private static long received(MsnWorld world) {
        long n = 0;
        for (MsnWorld.Record r : world.all) {
            n += r.receivedBytes().length;
        }
        return n;
    }
}

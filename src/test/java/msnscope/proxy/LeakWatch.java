package msnscope.proxy;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Counts ByteBuf leaks Netty's leak detector reports (surefire runs with paranoid detection): installs a
 * leak listener on the ByteBuf detector, and {@link #assertNoLeaks} forces collection and a report pass.
 * As an extension, {@code @ExtendWith(LeakWatch.class)} fails a test class that leaked.
 */
final class LeakWatch implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        assertNoLeaks();
    }

    @SuppressWarnings("unchecked")
    static synchronized void install() {
        if (installed) {
            return;
        }
        if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.PARANOID.ordinal()) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        try {
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            ResourceLeakDetector<ByteBuf> d = (ResourceLeakDetector<ByteBuf>) f.get(null);
            d.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot watch Netty leaks", e);
        }
        installed = true;
    }

    static void assertNoLeaks() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            for (int k = 0; k < 200; k++) {
                ByteBufAllocator.DEFAULT.buffer(16).release();
            }
        }
        assertEquals(List.of(), LEAKS, "Netty reported leaked buffers");
    }
}

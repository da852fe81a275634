package msnscope.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.wire.Frame;
import msnscope.wire.FramerLimits;
import msnscope.wire.PartialBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server-to-client forwarder under a budget, with pooled buffers as Netty hands them over: a payload
 * it holds back for rewriting ({@code --fix-client-ip}'s profile MSG) is paid from the budget and passed
 * on unrewritten when there is no room; the bytes out are the bytes in, and every byte of budget comes back.
 */
@ExtendWith(LeakWatch.class)
class ForwarderBudgetTest {

    private static final ProtocolSpec SPEC = SpecLoader.builtIn();

    private record Run(byte[] out, List<Boolean> msgRewritable) {
    }

    private static Run feed(byte[] stream, int piece, PartialBudget budget) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Boolean> msgRewritable = new ArrayList<>();
        Forwarder[] fw = new Forwarder[1];
        java.util.concurrent.atomic.AtomicInteger holds = new java.util.concurrent.atomic.AtomicInteger();
        fw[0] = new Forwarder(PooledByteBufAllocator.DEFAULT, (k, d, t) -> SPEC.expectsPayload(k, d, t, 11),
                FramerLimits.DEFAULT, budget, List.of("XFR", "RNG", "MSG"), new Forwarder.Sink() {
                    @Override
                    public void forward(ByteBuf bytes) {
                        byte[] b = new byte[bytes.readableBytes()];
                        bytes.readBytes(b);
                        bytes.release();
                        out.writeBytes(b);
                    }

                    @Override
                    public void observe(Frame frame) {
                        if ("MSG".equals(frame.command())) {
                            msgRewritable.add(false);
                        }
                    }

                    @Override
                    public void hold(Frame frame) {
                        if ("MSG".equals(frame.command())) {
                            msgRewritable.add(true);
                        }
                        holds.incrementAndGet();
                    }
                });
        for (int i = 0; i < stream.length; i += piece) {
            ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(piece);
            in.writeBytes(stream, i, Math.min(piece, stream.length - i));
            fw[0].feed(in);
            // The decision comes back later, unchanged, as the analysis lane gives it.
            while (fw[0].awaiting()) {
                fw[0].decided(null);
            }
            assertTrue(budget.used() <= budget.limit());
        }
        fw[0].finish();
        while (fw[0].awaiting()) {
            fw[0].decided(null);
        }
        return new Run(out.toByteArray(), msgRewritable);
    }

    private static byte[] profileStream(int payloadLength) {
        byte[] payload = new byte[payloadLength];
        Arrays.fill(payload, (byte) 'p');
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("VER 1 MSNP11\r\nMSG Hotmail Hotmail " + payloadLength + "\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(payload);
        b.writeBytes("XFR 9 SB 10.0.0.7:1864 CKI x\r\nQNG 50\r\n".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    @Test
    void heldPayloadWithoutRoomIsPassedOnUnrewrittenAndItsBudgetGivenBack() {
        byte[] stream = profileStream(50_000);
        PartialBudget budget = new PartialBudget(20_000);
        Run r = feed(stream, 4096, budget);
        assertArrayEquals(stream, r.out());
        assertEquals(List.of(false), r.msgRewritable(), "no room to hold it: forwarded as it came, observed only");
        assertTrue(budget.refusals() > 0);
        assertEquals(0, budget.used());
    }

    @Test
    void heldPayloadWithRoomStaysRewritable() {
        byte[] stream = profileStream(50_000);
        PartialBudget budget = new PartialBudget(1 << 20);
        Run r = feed(stream, 4096, budget);
        assertArrayEquals(stream, r.out());
        assertEquals(List.of(true), r.msgRewritable(), "held whole, the fixer may still rewrite it");
        assertTrue(budget.peak() >= 50_000, "what was held was paid for: peak " + budget.peak());
        assertEquals(0, budget.used());
    }

    @Test
    void bytesOutAreBytesInWhateverThePieces() {
        byte[] stream = profileStream(3000);
        for (int piece : new int[]{1, 2, 3, 7, 64, 1000, 5000}) {
            PartialBudget budget = new PartialBudget(1 << 20);
            Run r = feed(stream, piece, budget);
            assertArrayEquals(stream, r.out(), "pieces of " + piece);
            assertFalse(r.msgRewritable().isEmpty());
            assertEquals(0, budget.used());
        }
    }
}

package msnscope.chaos;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chaos tests' accounting: what counts as a received frame being in the store. */
class FrameLedgerTest {

    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aFrameMustBeStoredAsOftenAsPeersReceivedItWithTheSamePayload() {
        FrameLedger peers = new FrameLedger();
        peers.add("SB", "a@x", "C2S", "MSG 3 A 5", HELLO);
        peers.add("SB", "a@x", "S2C", "ACK 3", null);
        peers.add("SB", "a@x", "S2C", "ACK 3", null);
        FrameLedger store = new FrameLedger();
        store.add("SB", "a@x", "C2S", "MSG 3 A 5", "jello".getBytes(StandardCharsets.US_ASCII));
        store.add("SB", "a@x", "S2C", "ACK 3", null);
        Map<String, Integer> missing = peers.missingFrom(store, Map.of());
        assertEquals(2, FrameLedger.count(missing), missing.toString());
        assertTrue(FrameLedger.describe(missing, peers.total(), "the store").startsWith("2 of 3 frames that a peer received are missing"));
    }

    @Test
    void referralAddressesAreComparedAsAddressesOnly() {
        FrameLedger peers = new FrameLedger();
        peers.add("NS", "a@x", "S2C", "XFR 6 SB 127.0.0.1:40001 CKI ck1", null);
        FrameLedger store = new FrameLedger();
        store.add("NS", "a@x", "S2C", "XFR 6 SB sb.world.test:5555 CKI ck1", null);
        assertTrue(peers.missingFrom(store, Map.of()).isEmpty());
    }

    @Test
    void aConnectionWhoseLoginLineOnlyOneSideHoldsMatchesByRoleAndFrame() {
        FrameLedger peers = new FrameLedger();
        peers.add("DS", "a@x", "S2C", "VER 1 MSNP11", null);
        peers.add("DS", "?", "C2S", "VER 1 MSNP11 CVR0", null);
        FrameLedger store = new FrameLedger();
        store.add("DS", "?", "S2C", "VER 1 MSNP11", null);
        store.add("DS", "b@x", "C2S", "VER 1 MSNP11 CVR0", null);
        assertTrue(peers.missingFrom(store, Map.of()).isEmpty());
        FrameLedger other = new FrameLedger();
        other.add("NS", "?", "S2C", "VER 1 MSNP11", null);
        assertEquals(2, FrameLedger.count(peers.missingFrom(other, Map.of())), "another role is another connection");
    }

    @Test
    void onlyTheAllowedDamagedRecordsMayBeMissing() {
        FrameLedger peers = new FrameLedger();
        peers.add("SB", "a@x", "C2S", "MSG 3 A 5", HELLO);
        peers.add("SB", "a@x", "C2S", "MSG 5 A 5", HELLO);
        String damaged = FrameLedger.key("SB", "a@x", "C2S", "MSG 3 A 5", HELLO);
        Map<String, Integer> missing = peers.missingFrom(new FrameLedger(), Map.of(damaged, 1));
        assertEquals(List.of(FrameLedger.key("SB", "a@x", "C2S", "MSG 5 A 5", HELLO)), List.copyOf(missing.keySet()));
    }

    @Test
    void theAccountOfAConnectionIsItsLoginLine() {
        assertEquals("a@x", FrameLedger.account("NS", List.of("VER 1 MSNP11 CVR0", "USR 3 TWN I a@x")));
        assertEquals("a@x", FrameLedger.account("SB", List.of("USR 1 a@x ck123")));
        assertEquals("b@x", FrameLedger.account("SB", List.of("ANS 1 b@x rk1 1001")));
        assertEquals("?", FrameLedger.account("DS", List.of("VER 1 MSNP11 CVR0")));
    }

    @Test
    void onlyCompleteFramesWereReceived() {
        byte[] bytes = "ACK 3\r\nMSG a@x a 5\r\nhelloMSG a@x a 5\r\nhel".getBytes(StandardCharsets.US_ASCII);
        List<WireFrames.Frame> frames = WireFrames.split(bytes);
        assertEquals(List.of("ACK 3", "MSG a@x a 5"), frames.stream().map(WireFrames.Frame::line).toList());
        assertEquals("hello", new String(frames.get(1).payload(), StandardCharsets.US_ASCII));
    }
}

package msnscope.pcap;

import msnscope.capture.CaptureStore;
import msnscope.capture.Importer;
import msnscope.capture.PcapImport;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static msnscope.pcap.TestPackets.ACK;
import static msnscope.pcap.TestPackets.FIN;
import static msnscope.pcap.TestPackets.PSH;
import static msnscope.pcap.TestPackets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Two people log in at once from one client host (issue 9, item 9): alice and bob each go through the
 * dispatch server, are both referred to the same notification server, open their notification and
 * switchboard connections interleaved (bob's NS connects first, alice's speaks first). The import gives
 * one session per login, each with its own DS, NS and SB connection, never one login's connections
 * inside the other's session.
 */
class PcapConcurrentLoginsImportTest {

    private static final Dissector DISSECTOR = new Dissector(SpecLoader.builtIn());
    private static final String CLIENT = "10.0.0.2";
    private static final String DS = "10.0.0.1";
    private static final String NS = "10.0.0.5";
    private static final String SB = "10.0.0.7";

    @TempDir
    Path dir;

    /** One TCP connection's packets, with sequence numbers kept as lines are added. */
    private static final class Tcp {
        final TestFlow flow;
        final List<Packet> packets;
        int c = TestFlow.CLIENT_ISN;
        int s = TestFlow.SERVER_ISN;

        Tcp(List<Packet> packets, int clientPort, String server, int serverPort) {
            this.packets = packets;
            this.flow = new TestFlow(CLIENT, clientPort, server, serverPort, TestPackets::ethernet);
        }

        Tcp open(long ms) {
            packets.add(new Packet(ms, flow.client(c, 0, SYN, "")));
            packets.add(new Packet(ms, flow.server(s, c + 1, SYN | ACK, "")));
            c++;
            s++;
            packets.add(new Packet(ms, flow.client(c, s, ACK, "")));
            return this;
        }

        Tcp client(long ms, String line) {
            String l = line + "\r\n";
            packets.add(new Packet(ms, flow.client(c, s, PSH | ACK, l)));
            c += l.getBytes(StandardCharsets.UTF_8).length;
            return this;
        }

        Tcp server(long ms, String line) {
            String l = line + "\r\n";
            packets.add(new Packet(ms, flow.server(s, c, PSH | ACK, l)));
            s += l.getBytes(StandardCharsets.UTF_8).length;
            return this;
        }

        void close(long ms) {
            packets.add(new Packet(ms, flow.client(c, s, FIN | ACK, "")));
            packets.add(new Packet(ms, flow.server(s, c + 1, FIN | ACK, "")));
        }
    }

    private record Packet(long ms, byte[] frame) {
    }

    @Test
    void twoConcurrentLoginsFromOneHostToTheSameServerGiveOneSessionEach() throws Exception {
        List<Packet> p = new ArrayList<>();
        Tcp aliceDs = new Tcp(p, 50001, DS, 1863).open(100);
        Tcp bobDs = new Tcp(p, 50002, DS, 1863).open(105);
        login(aliceDs, 110, "alice@example.com");
        login(bobDs, 112, "bob@example.com");
        aliceDs.client(130, "USR 3 TWN I alice@example.com").server(140, "XFR 3 NS " + NS + ":1863 0 " + DS + ":1863").close(150);
        bobDs.client(131, "USR 3 TWN I bob@example.com").server(141, "XFR 3 NS " + NS + ":1863 0 " + DS + ":1863").close(151);
        // Bob's notification connection opens first, alice's sends first: neither order nor host tells them apart.
        Tcp bobNs = new Tcp(p, 50004, NS, 1863).open(200);
        Tcp aliceNs = new Tcp(p, 50003, NS, 1863).open(201);
        login(aliceNs, 210, "alice@example.com");
        login(bobNs, 212, "bob@example.com");
        notification(aliceNs, 230, "alice@example.com", "Alice", "1111.alice");
        notification(bobNs, 231, "bob@example.com", "Bob", "2222.bob");
        Tcp bobSb = new Tcp(p, 50006, SB, 1864).open(300);
        Tcp aliceSb = new Tcp(p, 50005, SB, 1864).open(301);
        switchboard(aliceSb, 310, "alice@example.com", "Alice", "1111.alice");
        switchboard(bobSb, 311, "bob@example.com", "Bob", "2222.bob");
        aliceSb.close(400);
        bobSb.close(401);
        aliceNs.client(410, "OUT").close(411);
        bobNs.client(412, "OUT").close(413);

        Map<String, List<String>> byLogin = importByLogin(p, 6);
        assertEquals(Map.of(
                "alice@example.com", List.of("DS " + CLIENT + ":50001", "NS " + CLIENT + ":50003", "SB " + CLIENT + ":50005"),
                "bob@example.com", List.of("DS " + CLIENT + ":50002", "NS " + CLIENT + ":50004", "SB " + CLIENT + ":50006")),
                byLogin);
    }

    @Test
    void aNotificationConnectionThatNeverSaysWhoItIsJoinsNeitherLogin() throws Exception {
        List<Packet> p = new ArrayList<>();
        Tcp aliceDs = new Tcp(p, 50001, DS, 1863).open(100);
        Tcp bobDs = new Tcp(p, 50002, DS, 1863).open(105);
        login(aliceDs, 110, "alice@example.com");
        login(bobDs, 112, "bob@example.com");
        aliceDs.client(130, "USR 3 TWN I alice@example.com").server(140, "XFR 3 NS " + NS + ":1863 0 " + DS + ":1863").close(150);
        bobDs.client(131, "USR 3 TWN I bob@example.com").server(141, "XFR 3 NS " + NS + ":1863 0 " + DS + ":1863").close(151);
        Tcp silent = new Tcp(p, 50003, NS, 1863).open(200);
        silent.client(210, "VER 1 MSNP8 CVR0").server(212, "VER 1 MSNP8 CVR0").close(220);
        Map<String, List<String>> byLogin = importByLogin(p, 3);
        assertEquals(Map.of(
                "alice@example.com", List.of("DS " + CLIENT + ":50001"),
                "bob@example.com", List.of("DS " + CLIENT + ":50002"),
                "nobody", List.of("NS " + CLIENT + ":50003")), byLogin);
    }

    @Test
    void aLoginWhoseDispatchConnectionWasNotCapturedDoesNotTakeTheOnlyReferral() throws Exception {
        List<Packet> p = new ArrayList<>();
        Tcp aliceDs = new Tcp(p, 50001, DS, 1863).open(100);
        login(aliceDs, 110, "alice@example.com");
        aliceDs.client(130, "USR 3 TWN I alice@example.com").server(140, "XFR 3 NS " + NS + ":1863 0 " + DS + ":1863").close(150);
        // Bob was referred before the capture started; his notification connection connects and speaks first.
        Tcp bobNs = new Tcp(p, 50004, NS, 1863).open(200);
        Tcp aliceNs = new Tcp(p, 50003, NS, 1863).open(205);
        login(bobNs, 210, "bob@example.com");
        login(aliceNs, 220, "alice@example.com");
        bobNs.close(300);
        aliceNs.close(301);
        Map<String, List<String>> byLogin = importByLogin(p, 3);
        assertEquals(Map.of(
                "alice@example.com", List.of("DS " + CLIENT + ":50001", "NS " + CLIENT + ":50003"),
                "bob@example.com", List.of("NS " + CLIENT + ":50004")), byLogin);
    }

    @Test
    void aReferralThatPassedAfterTheConnectionOpenedDoesNotClaimIt() throws Exception {
        List<Packet> p = new ArrayList<>();
        // Alice's notification connection is already open when bob is referred to the same server.
        Tcp aliceNs = new Tcp(p, 50003, NS, 1863).open(50);
        Tcp bobDs = new Tcp(p, 50002, DS, 1863).open(100);
        login(bobDs, 112, "bob@example.com");
        bobDs.client(131, "USR 3 TWN I bob@example.com").server(141, "XFR 3 NS " + NS + ":1863 0 " + DS + ":1863").close(151);
        login(aliceNs, 160, "alice@example.com");
        notification(aliceNs, 170, "alice@example.com", "Alice", "1111.alice");
        aliceNs.close(200);
        Map<String, List<String>> byLogin = importByLogin(p, 2);
        assertEquals(Map.of(
                "alice@example.com", List.of("NS " + CLIENT + ":50003"),
                "bob@example.com", List.of("DS " + CLIENT + ":50002")), byLogin);
    }

    /** Writes the packets as a pcap in time order, imports it, and lists each session's connections by its login. */
    private Map<String, List<String>> importByLogin(List<Packet> packets, int connections) throws Exception {
        PcapTestWriter w = PcapTestWriter.pcap(1);
        packets.stream().sorted(Comparator.comparingLong(Packet::ms))
                .forEach(x -> w.packet(1_700_000_000_000_000L + x.ms() * 1000, x.frame()));
        Path file = w.write(dir.resolve("logins.pcap"));
        CaptureStore store = new CaptureStore(dir.resolve("store"));
        PcapImport.Report report = PcapImport.run(new Importer(store, DISSECTOR, FramerLimits.DEFAULT), file, (read, total) -> { });
        assertEquals(connections, report.connections(), report.problems().toString());
        Map<String, List<String>> byLogin = new TreeMap<>();
        for (String s : report.sessions()) {
            List<String> roles = new ArrayList<>();
            String login = null;
            for (ConnectionLog c : store.load(s, DISSECTOR, FramerLimits.DEFAULT).connections()) {
                String account = c.account() == null ? "nobody" : c.account();
                login = login == null ? account : login;
                assertEquals(login, account, "every connection of " + s + " is one login's");
                roles.add(c.role().name() + " " + c.client());
            }
            roles.sort(null);
            assertNull(byLogin.put(login, roles), "one session per login: " + login);
        }
        return byLogin;
    }

    private static void login(Tcp t, long ms, String handle) {
        t.client(ms, "VER 1 MSNP8 CVR0").server(ms + 2, "VER 1 MSNP8 CVR0")
                .client(ms + 4, "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS " + handle)
                .server(ms + 6, "CVR 2 6.0.0602 6.0.0602 6.0.0602 http://download.example.test http://www.example.test");
    }

    private static void notification(Tcp t, long ms, String handle, String nick, String cookie) {
        t.client(ms, "USR 3 TWN I " + handle).server(ms + 2, "USR 3 TWN S lc=1033,id=507")
                .client(ms + 4, "USR 4 TWN S t=ticket").server(ms + 6, "USR 4 OK " + handle + " " + nick + " 1 0")
                .client(ms + 8, "XFR 5 SB").server(ms + 10, "XFR 5 SB " + SB + ":1864 CKI " + cookie);
    }

    private static void switchboard(Tcp t, long ms, String handle, String nick, String cookie) {
        t.client(ms, "USR 1 " + handle + " " + cookie).server(ms + 2, "USR 1 OK " + handle + " " + nick)
                .client(ms + 4, "CAL 2 carol@example.com").server(ms + 6, "CAL 2 RINGING 1234");
    }
}

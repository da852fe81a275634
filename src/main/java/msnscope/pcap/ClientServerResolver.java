package msnscope.pcap;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides which side of each connection is the client. The first rule that gives an answer wins:
 * <ol>
 *   <li><b>Handshake</b>: the sender of a SYN without ACK is the client; failing that, the sender of a
 *       SYN-ACK is the server. Only this rule sets {@link TcpConnection#clientKnownFromSyn()}.</li>
 *   <li><b>MSNP ports</b>: if exactly one side uses port 1863 (notification server) or 1864
 *       (switchboard), it is the server.</li>
 *   <li><b>Listening ports</b>: if exactly one side uses a port that was the server port of a connection
 *       whose handshake was captured, and that never served as a client port there, it is the server.</li>
 *   <li><b>First line</b>: MSNP clients speak first. A side whose first payload starts with {@code VER },
 *       {@code USR } or {@code ANS } (the three ways a client opens an NS or SB session) is the client;
 *       if both sides do, the one that spoke first. Failing that, if exactly one side's first payload
 *       looks like a command with a transaction id ({@code ABC 12}) the other side's does not, it is the
 *       client: servers push commands without one ({@code NLN}, {@code MSG}, {@code RNG}…).</li>
 *   <li><b>Port numbers</b>: the side with the lower port is the server (listening ports are low, clients
 *       get high ephemeral ones).</li>
 *   <li><b>First packet</b>: the sender of the first captured packet is the client.</li>
 * </ol>
 * The rules after the first are guesses for captures that started mid-connection; they never use
 * anything outside the capture.
 */
final class ClientServerResolver {
    static final Set<Integer> MSNP_PORTS = Set.of(1863, 1864);

    private static final Pattern OPENER = Pattern.compile("^(VER|USR|ANS) ");
    private static final Pattern WITH_TRANSACTION_ID = Pattern.compile("^[A-Z]{3} \\d+[ \\r]");
    private static final int HEAD = 16;

    /** The client's side number (0 or 1) and whether the handshake said so. */
    record Roles(int clientSide, boolean fromHandshake) {
    }

    private ClientServerResolver() {
    }

    static Roles[] resolve(List<ConnectionState> connections) {
        Set<Integer> listening = new HashSet<>();
        Set<Integer> clientPorts = new HashSet<>();
        Roles[] roles = new Roles[connections.size()];
        for (int i = 0; i < roles.length; i++) {
            ConnectionState c = connections.get(i);
            int client = c.synSide >= 0 ? c.synSide : c.synAckSide >= 0 ? 1 - c.synAckSide : -1;
            if (client >= 0) {
                roles[i] = new Roles(client, true);
                listening.add(c.endpoints[1 - client].port());
                clientPorts.add(c.endpoints[client].port());
            }
        }
        listening.removeAll(clientPorts);
        for (int i = 0; i < roles.length; i++) {
            if (roles[i] == null) {
                roles[i] = new Roles(guessClient(connections.get(i), listening), false);
            }
        }
        return roles;
    }

    private static int guessClient(ConnectionState c, Set<Integer> listening) {
        int p0 = c.endpoints[0].port();
        int p1 = c.endpoints[1].port();
        int server = exactlyOne(MSNP_PORTS.contains(p0), MSNP_PORTS.contains(p1));
        if (server < 0) {
            server = exactlyOne(listening.contains(p0), listening.contains(p1));
        }
        if (server >= 0) {
            return 1 - server;
        }
        String h0 = new String(c.head(0, HEAD), StandardCharsets.ISO_8859_1);
        String h1 = new String(c.head(1, HEAD), StandardCharsets.ISO_8859_1);
        boolean o0 = OPENER.matcher(h0).find();
        boolean o1 = OPENER.matcher(h1).find();
        if (o0 && o1) {
            return c.firstPayloadMicros[1] < c.firstPayloadMicros[0] ? 1 : 0;
        }
        int client = exactlyOne(o0, o1);
        if (client < 0) {
            client = exactlyOne(WITH_TRANSACTION_ID.matcher(h0).find(), WITH_TRANSACTION_ID.matcher(h1).find());
        }
        if (client >= 0) {
            return client;
        }
        if (p0 != p1) {
            return p0 < p1 ? 1 : 0;
        }
        return 0;
    }

    /** 0 or 1 if exactly that one is true, else -1. */
    private static int exactlyOne(boolean first, boolean second) {
        return first == second ? -1 : first ? 0 : 1;
    }
}

package msnscope.chaos;

import msnscope.proxy.MsnWorld;
import msnscope.proxy.ScriptClient;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A user who attacks while the load runs: mallory logs in and sends a status whose number overflows a long
 * ({@code CHG 6 NLN 9999999999999999999}, echoed by the server), a garbage command line and one of binary
 * bytes; then, on a switchboard with a victim, a message whose payload is larger than the proxy's
 * {@code --max-payload} and holds command lines ({@code XFR ... SB}, {@code RNG ...}) that must stay
 * payload, and an ordinary acknowledged message that must still arrive intact. Its connections join the load's, so the frames the
 * victim and the servers received are counted like everyone's.
 */
final class HostilePeer {

    static final String OVERFLOW = "CHG 6 NLN 9999999999999999999";
    static final String GARBAGE = "@@@ 7 }{ %%garbage%% ~~~~";
    /** A command line of bytes that are not text: NUL, an invalid UTF-8 sequence, a control character. */
    static final byte[] BINARY = {0, (byte) 0xff, (byte) 0x80, ' ', '8', ' ', 1, 'g', 'a', 'r', 'b', (byte) 0xfe, '\r', '\n'};

    private HostilePeer() {
    }

    /**
     * Runs the attack through the proxy; returns what the peers saw go wrong (empty when the proxy relayed
     * everything byte for byte). {@code oversized} is the attack payload's size.
     */
    static List<String> attack(ChatLoad load, int oversized) {
        List<String> wrong = new ArrayList<>();
        List<ScriptClient> mine = new ArrayList<>();
        String step = "login";
        try {
            ChatLoad.Login mallory = load.login("mallory" + ChatLoad.DOMAIN, mine);
            ChatLoad.Login victim = load.login("victim" + ChatLoad.DOMAIN, mine);
            step = OVERFLOW;
            mallory.ns().send(OVERFLOW);
            mallory.ns().expect(OVERFLOW);
            step = "a garbage line";
            mallory.ns().send(GARBAGE);
            mallory.ns().expect("200 7");
            step = "a line of binary garbage";
            mallory.ns().sendRaw(BINARY);
            mallory.ns().expect("200 8");
            step = "opening a switchboard";
            ChatLoad.Chat chat = load.chat(mallory, victim, mine);
            step = "a " + oversized + "-byte payload of command lines";
            byte[] big = commandLines(oversized);
            chat.inviter().sendPayload("MSG 3 N", big);
            String line = chat.invitee().readLine();
            ChatLoad.check(line.equals("MSG " + mallory.handle() + " " + MsnWorld.nick(mallory.handle()) + " " + big.length),
                    "the victim got '" + line + "'");
            ChatLoad.check(Arrays.equals(big, chat.invitee().payloadOf(line)), "the victim's payload differs from what mallory sent");
            step = "an ordinary message after it";
            load.say(chat.inviter(), chat.invitee(), mallory.handle(), 4, "MIME-Version: 1.0\r\n\r\nstill in sync".getBytes(StandardCharsets.UTF_8));
        } catch (Exception | AssertionError e) {
            wrong.add("hostile peer, at " + step + ": " + e.getMessage());
        } finally {
            mine.forEach(ChatLoad::closeQuietly);
        }
        return wrong;
    }

    /** A text payload of {@code size} bytes made of referral-looking command lines. */
    static byte[] commandLines(int size) {
        StringBuilder sb = new StringBuilder("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n");
        for (int i = 0; sb.length() < size; i++) {
            sb.append(i % 2 == 0 ? "XFR 9 SB 127.0.0.1:" + (40000 + i) + " CKI evil" + i + "\r\n"
                    : "RNG " + i + " 127.0.0.1:" + (40000 + i) + " CKI evil" + i + " x@evil.test x\r\n");
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), size);
    }
}

package msnscope.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Damages one real frame the way a hostile or broken peer would: bit flips, numbers that overflow every
 * integer type, tokens duplicated or dropped, bytes that are not UTF-8, cuts, and payload lengths that
 * lie. Seeded, so a failure names the seed that reproduces it.
 */
final class FrameMutator {

    /** Numbers no parser may trust: past long, past unsigned long, negative, zero-padded, absurdly long. */
    static final List<String> HOSTILE_NUMBERS = List.of("9999999999999999999", "99999999999999999999", "18446744073709551616",
            "9223372036854775808", "4294967296", "-1", "-9223372036854775809", "000000000000000000000000000001", "9".repeat(400));

    /** The frames of issue 9, item 1, as a client or server would send them. */
    static final List<String> ISSUE_LINES = List.of("CHG 5 NLN 9999999999999999999", "UUX 99999999999999999999 0",
            "QNG 99999999999999999999", "VER 99999999999999999999 MSNP11", "MSG 99999999999999999999 N 5",
            "CHG 9999999999999999999 NLN 0", "ADL 9999999999999999999 99999999999999999999");

    private final Random random;

    FrameMutator(Random random) {
        this.random = random;
    }

    /** One damaged copy of {@code frame} (its exact bytes: line, terminator, payload). */
    byte[] mutate(byte[] frame) {
        return switch (random.nextInt(9)) {
            case 0 -> flipBits(frame);
            case 1, 2 -> hugeNumber(frame);
            case 3 -> tokens(frame, true);
            case 4 -> tokens(frame, false);
            case 5 -> notUtf8(frame);
            case 6 -> Arrays.copyOf(frame, random.nextInt(frame.length + 1));
            case 7 -> lyingLength(frame);
            default -> issueLine();
        };
    }

    private byte[] flipBits(byte[] frame) {
        byte[] b = frame.clone();
        for (int n = 1 + random.nextInt(3); n > 0 && b.length > 0; n--) {
            b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return b;
    }

    /** A run of digits in the line (a TrID, a length, caps, a port…) replaced by a hostile number. */
    private byte[] hugeNumber(byte[] frame) {
        int lineEnd = lineEnd(frame);
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < lineEnd; ) {
            if (isDigit(frame[i])) {
                int start = i;
                while (i < lineEnd && isDigit(frame[i])) {
                    i++;
                }
                runs.add(new int[] {start, i});
            } else {
                i++;
            }
        }
        if (runs.isEmpty()) {
            return issueLine();
        }
        int[] run = runs.get(random.nextInt(runs.size()));
        return splice(frame, run[0], run[1], pick(HOSTILE_NUMBERS).getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] tokens(byte[] frame, boolean duplicate) {
        int lineEnd = lineEnd(frame);
        String line = new String(frame, 0, lineEnd, StandardCharsets.ISO_8859_1);
        List<String> t = new ArrayList<>(List.of(line.split(" ", -1)));
        if (t.size() < 2) {
            return flipBits(frame);
        }
        int at = 1 + random.nextInt(t.size() - 1);
        if (duplicate) {
            t.add(at, t.get(at));
        } else {
            t.remove(at);
        }
        return splice(frame, 0, lineEnd, String.join(" ", t).getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Bytes that are not UTF-8 (a lone continuation byte, an overlong form, a surrogate, 0xFF) in the line or payload. */
    private byte[] notUtf8(byte[] frame) {
        byte[][] bad = {{(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xC3}, {0}};
        int at = random.nextInt(frame.length + 1);
        return splice(frame, at, at, bad[random.nextInt(bad.length)]);
    }

    /** The last token of the line, when it is a payload length, made a lie: too short, too long or absurd. */
    private byte[] lyingLength(byte[] frame) {
        int lineEnd = lineEnd(frame);
        int space = -1;
        for (int i = lineEnd - 1; i >= 0; i--) {
            if (frame[i] == ' ') {
                space = i;
                break;
            }
        }
        if (space < 0 || space + 1 >= lineEnd || !isDigit(frame[space + 1])) {
            return hugeNumber(frame);
        }
        long declared = 0;
        for (int i = space + 1; i < lineEnd && declared < 1_000_000_000L; i++) {
            declared = isDigit(frame[i]) ? declared * 10 + (frame[i] - '0') : declared;
        }
        String lie = switch (random.nextInt(4)) {
            case 0 -> String.valueOf(Math.max(0, declared - 1 - random.nextInt(20)));
            case 1 -> String.valueOf(declared + 1 + random.nextInt(200));
            case 2 -> "0";
            default -> pick(HOSTILE_NUMBERS);
        };
        return splice(frame, space + 1, lineEnd, lie.getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] issueLine() {
        return (pick(ISSUE_LINES) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private String pick(List<String> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** Where the line ends: its CR LF, a bare LF, or the end of the bytes. */
    private static int lineEnd(byte[] frame) {
        for (int i = 0; i < frame.length; i++) {
            if (frame[i] == '\n') {
                return i > 0 && frame[i - 1] == '\r' ? i - 1 : i;
            }
        }
        return frame.length;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] with) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + with.length);
        out.write(b, 0, from);
        out.write(with, 0, with.length);
        out.write(b, to, b.length - to);
        return out.toByteArray();
    }
}

package msnscope.dissect.payload;

/** Small string helpers shared by the decoders. */
final class Text {

    /** Longest excerpt of input quoted inside a problem sentence. */
    static final int CLIP = 40;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Text() {
    }

    /** Shortens {@code s} for quoting in a problem sentence and makes control characters visible. */
    static String clip(String s) {
        return clip(s, CLIP);
    }

    /** As {@link #clip(String)}, keeping at most {@code max} characters. */
    static String clip(String s, int max) {
        int n = Math.min(s.length(), max);
        int i = 0;
        while (i < n && s.charAt(i) >= 0x20 && s.charAt(i) != 0x7f) {
            i++;
        }
        if (i == n) {
            // Nothing to make visible (the usual case): no per-character copy.
            return s.length() > max ? s.substring(0, max) + "…" : s;
        }
        String shown = s.length() > max ? s.substring(0, max) + "…" : s;
        StringBuilder sb = new StringBuilder(shown.length() + 16);
        for (int k = 0; k < shown.length(); k++) {
            char c = shown.charAt(k);
            if (c < 0x20 || c == 0x7f) {
                sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Decimal integer in the int range, or {@code null}: wire numbers are untrusted. */
    static Integer parseInt(String s) {
        Long l = parseLong(s);
        return l != null && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (int) (long) l : null;
    }

    /** ASCII decimal integer in the long range (optional leading minus, no spaces), or {@code null}. */
    static Long parseLong(String s) {
        return Decimal.signed(s);
    }

    /** Hexadecimal without prefix, at most 8 digits, or {@code null}. */
    static Long parseHex(String s) {
        if (s == null || s.isEmpty() || s.length() > 8) {
            return null;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = hexDigit(s.charAt(i));
            if (d < 0) {
                return null;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** Value of an ASCII hex digit, or -1 ({@link Character#digit} would also accept non-ASCII digits). */
    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}

package msnscope.dissect.payload;

/**
 * Decimal numbers from the wire, parsed without exceptions: a peer may send any run of digits, and
 * {@link Long#parseLong} throws on one that overflows (and accepts non-ASCII digits and {@code +}, which
 * MSNP never uses). A number that does not fit is {@code null}; the caller says what is wrong with it.
 */
public final class Decimal {

    private Decimal() {
    }

    /** ASCII digits only, value in {@code [0, Long.MAX_VALUE]}, else {@code null}. */
    public static Long unsigned(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            int d = c - '0';
            // Eighteen digits never overflow: only longer numbers pay for the check.
            if (i >= 18 && v > (Long.MAX_VALUE - d) / 10) {
                return null;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** {@link #unsigned}, up to {@code max}: a value above it is {@code null} too. */
    public static Long unsigned(String s, long max) {
        Long v = unsigned(s);
        return v != null && v <= max ? v : null;
    }

    /** An optional leading minus, then ASCII digits, in the long range, else {@code null}. */
    public static Long signed(String s) {
        if (s != null && s.length() > 1 && s.charAt(0) == '-') {
            String digits = s.substring(1);
            if (digits.equals("9223372036854775808")) {
                return Long.MIN_VALUE;
            }
            Long v = unsigned(digits);
            return v == null ? null : -v;
        }
        return unsigned(s);
    }
}

package msnscope.dissect.spec;

/**
 * A range of MSNP protocol versions, written in {@code dissectors/} as {@code "11"}, {@code "11+"} or
 * {@code "2-12"}. Versions are the numbers of {@code MSNPn}.
 */
public record VersionRange(int low, int high) {

    public static final int MAX = 99;
    public static final VersionRange ALL = new VersionRange(2, MAX);

    public VersionRange {
        if (low > high) {
            throw new IllegalArgumentException("empty version range " + low + "-" + high);
        }
    }

    public static VersionRange parse(String text) {
        String s = text.trim();
        try {
            if (s.endsWith("+")) {
                return new VersionRange(Integer.parseInt(s.substring(0, s.length() - 1).trim()), MAX);
            }
            int dash = s.indexOf('-');
            if (dash > 0) {
                return new VersionRange(Integer.parseInt(s.substring(0, dash).trim()), Integer.parseInt(s.substring(dash + 1).trim()));
            }
            int v = Integer.parseInt(s);
            return new VersionRange(v, v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad version range '" + text + "' (write 11, 11+ or 2-12)");
        }
    }

    public boolean contains(int version) {
        return version >= low && version <= high;
    }

    public boolean overlaps(VersionRange other) {
        return low <= other.high && other.low <= high;
    }

    /** The versions in both, or null when they do not overlap. */
    public VersionRange intersect(VersionRange other) {
        return overlaps(other) ? new VersionRange(Math.max(low, other.low), Math.min(high, other.high)) : null;
    }

    @Override
    public String toString() {
        if (high == MAX) {
            return "MSNP" + low + "+";
        }
        return low == high ? "MSNP" + low : "MSNP" + low + "–" + high;
    }
}

package msnscope.dissect.spec;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A set of MSNP versions that need not be one range: what a connection may be speaking when the
 * commands seen so far fit forms declared for {@code MSNP2–8} and {@code MSNP11+} alike, or the versions a
 * client offered in {@code VER}. Immutable.
 */
public final class VersionSet {

    public static final VersionSet ALL = of(VersionRange.ALL);
    public static final VersionSet NONE = new VersionSet(new BitSet());

    private final BitSet bits;

    private VersionSet(BitSet bits) {
        this.bits = bits;
    }

    public static VersionSet of(VersionRange range) {
        BitSet b = new BitSet(VersionRange.MAX + 1);
        b.set(range.low(), range.high() + 1);
        return new VersionSet(b);
    }

    /** The one version {@code v}; {@link #NONE} for a number outside 2…{@link VersionRange#MAX}. */
    public static VersionSet single(int v) {
        return VersionRange.ALL.contains(v) ? of(new VersionRange(v, v)) : NONE;
    }

    public VersionSet union(VersionSet other) {
        BitSet b = (BitSet) bits.clone();
        b.or(other.bits);
        return new VersionSet(b);
    }

    public VersionSet union(VersionRange range) {
        return union(of(range));
    }

    public VersionSet intersect(VersionSet other) {
        BitSet b = (BitSet) bits.clone();
        b.and(other.bits);
        return new VersionSet(b);
    }

    public boolean isEmpty() {
        return bits.isEmpty();
    }

    public boolean contains(int version) {
        return version >= 0 && bits.get(version);
    }

    public boolean overlaps(VersionRange range) {
        int next = bits.nextSetBit(range.low());
        return next >= 0 && next <= range.high();
    }

    /** The only version in the set, or 0 when it holds none or several. */
    public int only() {
        return bits.cardinality() == 1 ? bits.nextSetBit(0) : 0;
    }

    /** The set as ranges, lowest first. */
    public List<VersionRange> ranges() {
        List<VersionRange> out = new ArrayList<>();
        for (int lo = bits.nextSetBit(0); lo >= 0; lo = bits.nextSetBit(lo + 1)) {
            int hi = bits.nextClearBit(lo) - 1;
            out.add(new VersionRange(lo, hi));
            lo = hi;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionSet s && s.bits.equals(bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }

    /** {@code MSNP2–8, MSNP11+}; {@code no version} when empty. */
    @Override
    public String toString() {
        List<VersionRange> r = ranges();
        if (r.isEmpty()) {
            return "no version";
        }
        StringBuilder sb = new StringBuilder();
        for (VersionRange v : r) {
            sb.append(sb.length() == 0 ? "" : ", ").append(v);
        }
        return sb.toString();
    }
}

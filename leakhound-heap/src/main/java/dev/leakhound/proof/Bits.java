package dev.leakhound.proof;

/** Bit sets over the objects of a dump, one bit per {@code HeapIndex.ordinal}, as plain {@code long[]}. */
final class Bits {
    private Bits() {
    }

    /** A bit set with room for {@code objects} ordinals, all clear. */
    static long[] forObjects(long objects) {
        return new long[(int) ((objects + 63) >>> 6)];
    }

    static boolean isSet(long[] bits, long ord) {
        return (bits[(int) (ord >>> 6)] & (1L << ord)) != 0;
    }

    static void set(long[] bits, long ord) {
        bits[(int) (ord >>> 6)] |= 1L << ord;
    }

    static long cardinality(long[] bits) {
        long n = 0;
        for (long w : bits) {
            n += Long.bitCount(w);
        }
        return n;
    }
}

package dev.leakhound.hprof.index;

/**
 * An open-addressing hash map from {@code long} to non-negative {@code int}, without boxing: class ids to indices.
 * Keys and values share one array ({@code key, value, key, value...}), so a probe touches one cache line. The key
 * 0 marks a free slot and is kept apart. Not thread-safe.
 */
final class LongIntMap {
    private long[] slots = new long[2 * 1024];
    private int size;
    private int zeroValue = -1;

    /** The value of {@code key}, or -1. */
    int get(long key) {
        if (key == 0) {
            return zeroValue;
        }
        long[] s = slots;
        int mask = (s.length >> 1) - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long k = s[2 * i];
            if (k == key) {
                return (int) s[2 * i + 1];
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    /** Maps {@code key} to {@code value} (not negative). */
    void put(long key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative value " + value);
        }
        if (key == 0) {
            if (zeroValue < 0) {
                size++;
            }
            zeroValue = value;
            return;
        }
        if (size * 4 >= slots.length) {                      // load factor 1/2
            grow();
        }
        if (insert(slots, key, value)) {
            size++;
        }
    }

    /** Puts the pair into the slots; true when the key was not there. */
    private static boolean insert(long[] s, long key, int value) {
        int mask = (s.length >> 1) - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long k = s[2 * i];
            if (k == 0) {
                s[2 * i] = key;
                s[2 * i + 1] = value;
                return true;
            }
            if (k == key) {
                s[2 * i + 1] = value;
                return false;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] old = slots;
        long[] s = new long[old.length * 2];
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0) {
                insert(s, old[i], (int) old[i + 1]);
            }
        }
        slots = s;
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}

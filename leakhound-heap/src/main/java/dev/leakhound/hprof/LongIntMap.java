package dev.leakhound.hprof;

/**
 * An open-addressing hash map from {@code long} to non-negative {@code int}, without boxing: class ids to indices.
 * The last key found is remembered: a dump lists many objects of one class in a row. Not thread-safe.
 */
final class LongIntMap {
    private long[] keys = new long[1024];
    private int[] values = new int[1024];
    private boolean[] used = new boolean[1024];
    private int size;
    private long lastKey;
    private int lastValue = -1;

    int get(long key) {
        if (key == lastKey && lastValue >= 0) {
            return lastValue;
        }
        int v = find(key);
        if (v >= 0) {
            lastKey = key;
            lastValue = v;
        }
        return v;
    }

    private int find(long key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (!used[i]) {
                return -1;
            }
            if (keys[i] == key) {
                return values[i];
            }
        }
    }

    void put(long key, int value) {
        lastValue = -1;                                       // forget: the value may change
        if (size * 2 >= keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (!used[i]) {
                used[i] = true;
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] k = keys;
        int[] v = values;
        boolean[] u = used;
        keys = new long[k.length * 2];
        values = new int[k.length * 2];
        used = new boolean[k.length * 2];
        size = 0;
        for (int i = 0; i < k.length; i++) {
            if (u[i]) {
                put(k[i], v[i]);
            }
        }
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}

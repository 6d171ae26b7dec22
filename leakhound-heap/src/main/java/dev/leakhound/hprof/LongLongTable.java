package dev.leakhound.hprof;

/**
 * A map from {@code long} keys to {@code long} values in two paged primitive arrays: 16 bytes per entry (plus
 * at most one page of slack), no object per entry, no copy when it grows. Filled by {@link #add}, then
 * {@link #seal}ed (sorted by key in place, unless already sorted), then read by binary search. Duplicate keys
 * keep all entries; {@link #indexOf} finds one of them.
 */
final class LongLongTable {
    /** 32K entries: 256 KB pages, below half of G1's smallest region (1 MB), so no page is a humongous object. */
    private static final int SHIFT = 15;
    private static final int PAGE = 1 << SHIFT;
    private static final int MASK = PAGE - 1;

    private long[][] keys = new long[4][];
    private long[][] values = new long[4][];
    private long size;
    private boolean sealed;

    void add(long key, long value) {
        if (sealed) {
            throw new IllegalStateException("sealed");
        }
        int page = (int) (size >>> SHIFT);
        if (page == keys.length) {
            keys = java.util.Arrays.copyOf(keys, page * 2);
            values = java.util.Arrays.copyOf(values, page * 2);
        }
        if (keys[page] == null) {
            keys[page] = new long[PAGE];
            values[page] = new long[PAGE];
        }
        int i = (int) (size & MASK);
        keys[page][i] = key;
        values[page][i] = value;
        size++;
    }

    long size() {
        return size;
    }

    /** Bytes held: what the per-entry cost is made of. */
    long bytes() {
        long pages = 0;
        for (long[] p : keys) {
            if (p != null) {
                pages++;
            }
        }
        return pages * PAGE * 16L + keys.length * 16L;
    }

    long key(long i) {
        return keys[(int) (i >>> SHIFT)][(int) (i & MASK)];
    }

    long value(long i) {
        return values[(int) (i >>> SHIFT)][(int) (i & MASK)];
    }

    void setValue(long i, long v) {
        values[(int) (i >>> SHIFT)][(int) (i & MASK)] = v;
    }

    /** Sorts by key (a no-op on sorted input, which HotSpot's address-ordered heap walk mostly gives). */
    void seal() {
        if (sealed) {
            return;
        }
        sealed = true;
        for (long i = 1; i < size; i++) {
            if (key(i - 1) > key(i)) {
                sort(0, size - 1, 2 * (64 - Long.numberOfLeadingZeros(size)));
                return;
            }
        }
    }

    /** The index of an entry with this key, or -1. */
    long indexOf(long key) {
        if (!sealed) {
            throw new IllegalStateException("not sealed");
        }
        long lo = 0;
        long hi = size - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            long k = key(mid);
            if (k < key) {
                lo = mid + 1;
            } else if (k > key) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** The value of the key, or {@code missing}. */
    long get(long key, long missing) {
        long i = indexOf(key);
        return i < 0 ? missing : value(i);
    }

    // --------------------------------------------------------------- introsort over the pages (in place)

    private void swap(long a, long b) {
        long[] ka = keys[(int) (a >>> SHIFT)];
        long[] kb = keys[(int) (b >>> SHIFT)];
        long[] va = values[(int) (a >>> SHIFT)];
        long[] vb = values[(int) (b >>> SHIFT)];
        int ia = (int) (a & MASK);
        int ib = (int) (b & MASK);
        long t = ka[ia];
        ka[ia] = kb[ib];
        kb[ib] = t;
        t = va[ia];
        va[ia] = vb[ib];
        vb[ib] = t;
    }

    private void sort(long lo, long hi, int depth) {
        while (hi - lo > 16) {
            if (depth-- == 0) {
                heapSort(lo, hi);
                return;
            }
            long mid = (lo + hi) >>> 1;
            if (key(mid) < key(lo)) {
                swap(mid, lo);
            }
            if (key(hi) < key(lo)) {
                swap(hi, lo);
            }
            if (key(hi) < key(mid)) {
                swap(hi, mid);
            }
            long pivot = key(mid);
            long i = lo;
            long j = hi;
            while (i <= j) {
                while (key(i) < pivot) {
                    i++;
                }
                while (key(j) > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(i, j);
                    i++;
                    j--;
                }
            }
            if (j - lo < hi - i) {
                sort(lo, j, depth);
                lo = i;
            } else {
                sort(i, hi, depth);
                hi = j;
            }
        }
        for (long i = lo + 1; i <= hi; i++) {
            for (long j = i; j > lo && key(j - 1) > key(j); j--) {
                swap(j, j - 1);
            }
        }
    }

    private void heapSort(long lo, long hi) {
        long n = hi - lo + 1;
        for (long i = n / 2 - 1; i >= 0; i--) {
            siftDown(lo, i, n);
        }
        for (long end = n - 1; end > 0; end--) {
            swap(lo, lo + end);
            siftDown(lo, 0, end);
        }
    }

    private void siftDown(long lo, long i, long n) {
        while (true) {
            long child = 2 * i + 1;
            if (child >= n) {
                return;
            }
            if (child + 1 < n && key(lo + child + 1) > key(lo + child)) {
                child++;
            }
            if (key(lo + i) >= key(lo + child)) {
                return;
            }
            swap(lo + i, lo + child);
            i = child;
        }
    }
}

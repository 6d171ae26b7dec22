package dev.leakhound.hprof.index;

/**
 * A map from {@code long} keys to {@code long} values in two paged primitive arrays: 12 bytes per entry while every
 * key is a multiple of 8 below 32 GB (a HotSpot object id: an address, 8-byte aligned, of a heap with compressed
 * oops), kept as an {@code int} of the key / 8; 16 bytes once one is not (the pages are widened then); plus at most
 * one page of slack, no object per entry, no copy when it grows. Filled by {@link #add}, then
 * {@link #seal}ed, then read through a rank directory (about a byte per entry, when the keys allow it) or a bucket
 * directory and a binary search. Duplicate keys keep all entries; {@link #indexOf} finds one of them.
 *
 * <p>Sealing moves nothing when the table is made of a few ascending runs, which is how HotSpot writes a dump (each
 * of the parallel dumper's threads walks its part of the heap in address order; the parts interleave): a merge walk
 * over the runs cuts them into segments of keys that are contiguous both in the table and in key order, and a
 * directory of those segments, ordered by first key, is searched before the segment. Any other order (too many
 * runs or segments, duplicate keys across runs) is sorted in place. An entry's index ({@link #indexOf},
 * {@link #key}) is its place in the table; it is the key order only when the table is sorted.
 */
final class LongLongTable {
    /** 32K entries: 256 KB pages, below half of G1's smallest region (1 MB), so no page is a humongous object. */
    private static final int SHIFT = 15;
    private static final int PAGE = 1 << SHIFT;
    private static final int MASK = PAGE - 1;

    private long[][] keys = new long[4][];                  // the keys, once one is not compact; else null pages
    private int[][] compactKeys = new int[4][];             // the keys / 8, while all are compact
    private boolean compact = true;
    private long[][] values = new long[4][];
    private long size;
    private boolean sealed;
    /** Where each ascending run starts (counted while adding, up to one more than {@link #MAX_RUNS}). */
    private final java.util.List<Long> runStarts = new java.util.ArrayList<>(java.util.List.of(0L));
    private long lastKey;
    /** The segment directory, in key order: first key, last key, start index, end index (exclusive). */
    private long[] segFirst;
    private long[] segLast;
    private long[] segStart;
    private long[] segEnd;
    private static final int MAX_RUNS = 8192;
    /** The merge walk costs about (segments x runs) steps: above this, sorting is cheaper. */
    private static final long MAX_MERGE_WORK = 100_000_000L;
    private static final int MAX_SEGMENTS = 1 << 20;
    /** Tables of fewer entries have no bucket directory: a search of them is short. */
    static final int DIRECTORY_MIN = 1 << 16;
    private static final int PER_BUCKET = 16;
    private long dirMin;
    private int dirShift;
    /** Per bucket, side by side (one cache line for a lookup): its first key's segment, and that key's index. */
    private int[] dir;                // null: no directory

    void add(long key, long value) {
        if (sealed) {
            throw new IllegalStateException("sealed");
        }
        int page = (int) (size >>> SHIFT);
        if (page == values.length) {
            keys = java.util.Arrays.copyOf(keys, page * 2);
            compactKeys = java.util.Arrays.copyOf(compactKeys, page * 2);
            values = java.util.Arrays.copyOf(values, page * 2);
        }
        if (compact && (key & 7) != 0 | (key >>> 35) != 0) {
            widen();
        }
        if (values[page] == null) {
            if (compact) {
                compactKeys[page] = new int[PAGE];
            } else {
                keys[page] = new long[PAGE];
            }
            values[page] = new long[PAGE];
        }
        int i = (int) (size & MASK);
        if (compact) {
            compactKeys[page][i] = (int) (key >>> 3);
        } else {
            keys[page][i] = key;
        }
        values[page][i] = value;
        if (size > 0 && key < lastKey && runStarts.size() <= MAX_RUNS) {
            runStarts.add(size);                              // a descent starts a new ascending run
        }
        lastKey = key;
        size++;
    }

    /** From now on keys are kept whole: the compact ones so far are copied to {@code long} pages. */
    private void widen() {
        for (int p = 0; p < compactKeys.length; p++) {
            if (compactKeys[p] != null) {
                long[] wide = new long[PAGE];
                int[] c = compactKeys[p];
                for (int i = 0; i < PAGE; i++) {
                    wide[i] = (c[i] & 0xFFFF_FFFFL) << 3;
                }
                keys[p] = wide;
                compactKeys[p] = null;
            }
        }
        compact = false;
    }

    long size() {
        return size;
    }

    /** Bytes held: what the per-entry cost is made of. */
    long bytes() {
        long pages = 0;
        for (long[] p : values) {
            if (p != null) {
                pages++;
            }
        }
        return pages * PAGE * (compact ? 12L : 16L) + values.length * 24L;
    }

    /** Bytes of the rank directory, when it was built (0 if not): about one per entry on a dense dump. */
    long directoryBytes() {
        return rankBytes;
    }

    long key(long i) {
        return compact ? (compactKeys[(int) (i >>> SHIFT)][(int) (i & MASK)] & 0xFFFF_FFFFL) << 3
                : keys[(int) (i >>> SHIFT)][(int) (i & MASK)];
    }

    long value(long i) {
        return values[(int) (i >>> SHIFT)][(int) (i & MASK)];
    }

    void setValue(long i, long v) {
        values[(int) (i >>> SHIFT)][(int) (i & MASK)] = v;
    }

    /**
     * Makes the table searchable: nothing moves when it is one ascending run (sorted) or a few (a segment directory is
     * built instead); otherwise it is sorted by key, in place.
     */
    void seal() {
        if (sealed) {
            return;
        }
        sealed = true;
        java.util.List<Long> starts = runStarts;
        if (starts.size() > 1 && (starts.size() > MAX_RUNS || !segment(starts))) {
            sort(0, size - 1, 2 * (64 - Long.numberOfLeadingZeros(size)));
        }
        if (!buildRank()) {
            buildDirectory();
        }
    }

    // ------------------------------------------------------------------ the rank directory (O(1) indexOf)

    /** A group: 256 slots of 8 bytes of key (2 KB of addresses), a bit per slot and where its first key is. */
    private static final int GROUP_SLOTS_SHIFT = 8;
    /** A record per group in {@link #groups}: the index of its first key (-1: keys of two segments), 4 bit words. */
    private static final int GROUP_LONGS = 5;
    /** A chunk: 32 groups (64 KB of addresses), allocated only when one of its slots holds a key. */
    private static final int CHUNK_GROUPS_SHIFT = 5;
    private static final int GROUPS_PER_PAGE_SHIFT = 10;
    /** Rank directory bytes allowed per entry: dense dumps (small objects, where lookups abound) need about one. */
    private static final int RANK_BYTES_PER_ENTRY = 2;
    /**
     * At most one group in this many may hold two segments' keys (those are searched through the segments, the
     * slowest way): above that, the bucket directory serves better.
     */
    private static final int MAX_MIXED_SHARE = 16;
    private long rankBase;
    private int[] chunkGroup;          // per chunk of the key span, its first group's number, or -1 when empty
    private long[][] groups;           // null: no rank directory
    private long rankBytes;

    /**
     * The rank directory: over the span of the keys (8-aligned, distinct), a bit per 8 bytes, and per 256 of them the
     * index of the first key they hold; a key's index is then that plus the bits set before its own, in one cache
     * line or two, where a search of the bucket directory took three or four misses (id lookups were a third of the
     * proof's CPU). That holds where a group's keys are contiguous in the table, one segment's; a group of two
     * segments' keys (a few, at the segments' ends) is searched instead. Built only while it costs at most
     * {@value #RANK_BYTES_PER_ENTRY} bytes per entry (chunks of the span that hold no key take 4 bytes) and at most
     * one group in {@value #MAX_MIXED_SHARE} is of two segments; false when not built.
     */
    private boolean buildRank() {
        if (size < DIRECTORY_MIN || size >= Integer.MAX_VALUE) {
            return false;
        }
        int segs = segFirst == null ? 1 : segFirst.length;
        long min = segFirst == null ? key(0) : segFirst[0];
        long max = segFirst == null ? key(size - 1) : segLast[segs - 1];
        long budget = RANK_BYTES_PER_ENTRY * size;
        int chunkShift = 3 + GROUP_SLOTS_SHIFT + CHUNK_GROUPS_SHIFT;
        long base = min & -(1L << chunkShift);
        long chunks = ((max - base) >>> chunkShift) + 1;
        if ((min & 7) != 0 || max < min || chunks * 4 > budget) {
            return false;
        }
        int[] chunkGroup = new int[(int) chunks];
        java.util.Arrays.fill(chunkGroup, -1);
        int perPage = 1 << GROUPS_PER_PAGE_SHIFT;
        long[][] groups = new long[16][];
        int pages = 0;
        int used = 0;                                         // chunks that hold a key, numbered as met
        long lastGroup = -1;
        int lastSeg = -1;
        long groupsHeld = 0;                                  // groups that hold a key
        long mixed = 0;                                       // of them, those of two segments' keys
        for (int seg = 0; seg < segs; seg++) {               // in key order: a group's keys come one after another
            long from = segFirst == null ? 0 : segStart[seg];
            long to = segFirst == null ? size : segEnd[seg];
            for (long i = from; i < to; i++) {
                long k = key(i);
                if ((k & 7) != 0) {
                    return false;
                }
                long slot = (k - base) >>> 3;
                int c = (int) (slot >>> (GROUP_SLOTS_SHIFT + CHUNK_GROUPS_SHIFT));
                int g0 = chunkGroup[c];
                if (g0 < 0) {
                    g0 = used++ << CHUNK_GROUPS_SHIFT;
                    chunkGroup[c] = g0;
                    int page = g0 >>> GROUPS_PER_PAGE_SHIFT;
                    if (chunks * 4 + ((long) used << CHUNK_GROUPS_SHIFT) * GROUP_LONGS * 8 > budget) {
                        return false;
                    }
                    if (page == pages) {                      // chunks come in key order: pages fill one by one
                        if (pages == groups.length) {
                            groups = java.util.Arrays.copyOf(groups, pages * 2);
                        }
                        groups[pages++] = new long[perPage * GROUP_LONGS];
                    }
                }
                int g = g0 + (int) ((slot >>> GROUP_SLOTS_SHIFT) & ((1 << CHUNK_GROUPS_SHIFT) - 1));
                long[] page = groups[g >>> GROUPS_PER_PAGE_SHIFT];
                int at = (g & (perPage - 1)) * GROUP_LONGS;
                int word = at + 1 + (int) ((slot >>> 6) & 3);
                if ((page[word] & 1L << slot) != 0) {
                    return false;                             // a duplicate key: searched instead
                }
                page[word] |= 1L << slot;
                if (g != lastGroup) {
                    page[at] = i;
                    groupsHeld++;
                } else if (seg != lastSeg && page[at] >= 0) {
                    page[at] = -1;
                    mixed++;
                }
                lastGroup = g;
                lastSeg = seg;
            }
        }
        if (mixed > groupsHeld / MAX_MIXED_SHARE) {
            return false;                     // runs interleaved finely: most lookups would search the segments
        }
        int lastUsed = (used << CHUNK_GROUPS_SHIFT) - ((pages - 1) << GROUPS_PER_PAGE_SHIFT);
        groups[pages - 1] = java.util.Arrays.copyOf(groups[pages - 1], lastUsed * GROUP_LONGS);   // no slack
        long bytes = chunks * 4 + ((long) used << CHUNK_GROUPS_SHIFT) * GROUP_LONGS * 8;
        this.rankBase = base;
        this.chunkGroup = chunkGroup;
        this.groups = java.util.Arrays.copyOf(groups, pages);
        this.rankBytes = bytes;
        return true;
    }

    /** {@link #indexOf} through the rank directory. */
    private long indexOfByRank(long key) {
        long slot = (key - rankBase) >>> 3;
        long c = slot >>> (GROUP_SLOTS_SHIFT + CHUNK_GROUPS_SHIFT);
        if (key < rankBase || (key & 7) != 0 || c >= chunkGroup.length || chunkGroup[(int) c] < 0) {
            return -1;
        }
        int g = chunkGroup[(int) c] + (int) ((slot >>> GROUP_SLOTS_SHIFT) & ((1 << CHUNK_GROUPS_SHIFT) - 1));
        long[] page = groups[g >>> GROUPS_PER_PAGE_SHIFT];
        int at = (g & ((1 << GROUPS_PER_PAGE_SHIFT) - 1)) * GROUP_LONGS;
        int w = (int) ((slot >>> 6) & 3);
        long bits = page[at + 1 + w];
        if ((bits & 1L << slot) == 0) {
            return -1;
        }
        long first = page[at];
        if (first < 0) {
            return indexOfBySegments(key);
        }
        long rank = Long.bitCount(bits & ((1L << slot) - 1));
        for (int k = 1; k <= w; k++) {
            rank += Long.bitCount(page[at + k]);
        }
        return first + rank;
    }

    /**
     * The bucket directory of a large table: the key range cut in buckets of 2^shift keys, about {@value #PER_BUCKET}
     * entries each (under a byte per entry); for each, the segment of its first key and that key's index. A lookup
     * then searches a bucket, a cache line or two, where a search of the whole table took some 25 steps, most of
     * them cache misses (it was 60% of the proof's CPU on a dump of 19M objects).
     */
    private void buildDirectory() {
        if (size < DIRECTORY_MIN || size >= Integer.MAX_VALUE) {
            return;
        }
        if (segFirst == null) {                               // sorted: one segment
            segFirst = new long[] {key(0)};
            segLast = new long[] {key(size - 1)};
            segStart = new long[] {0};
            segEnd = new long[] {size};
        }
        int segs = segFirst.length;
        long min = segFirst[0];
        long span = segLast[segs - 1] - min;
        if (span <= 0) {
            return;
        }
        long wanted = Math.max(1, size / PER_BUCKET);
        int shift = 0;
        while ((span >>> shift) + 1 > wanted) {
            shift++;
        }
        int buckets = (int) (span >>> shift) + 1;
        int[] dir = new int[2 * (buckets + 1)];
        int seg = 0;
        long idx = segStart[0];
        for (int b = 0; b <= buckets; b++) {
            long start = b == buckets ? Long.MAX_VALUE : min + ((long) b << shift);
            while (seg + 1 < segs && segFirst[seg + 1] <= start) {
                seg++;
                idx = segStart[seg];
            }
            while (idx < segEnd[seg] && key(idx) < start) {
                idx++;
            }
            dir[2 * b] = seg;
            dir[2 * b + 1] = (int) idx;
        }
        dirMin = min;
        dirShift = shift;
        this.dir = dir;
    }

    /** {@link #indexOf} through the bucket directory. */
    private long indexOfInDirectory(long key) {
        if (key < dirMin || key > segLast[segLast.length - 1]) {
            return -1;
        }
        int b = (int) ((key - dirMin) >>> dirShift);
        int[] dir = this.dir;
        int s0 = dir[2 * b];
        int s1 = dir[2 * b + 2];
        int seg = lastSegmentAtMost(key, s0 + 1, s1, s0);    // segments that start in this bucket, if any
        if (key < segFirst[seg] || key > segLast[seg]) {
            return -1;
        }
        long from = seg == s0 ? dir[2 * b + 1] : segStart[seg];
        long to = seg == s1 ? dir[2 * b + 3] : segEnd[seg];
        return bisect(from, to - 1, key);
    }

    /**
     * Builds the segment directory by merging the runs (positions only, nothing moves); false when it would be too
     * large, or when two runs share a key.
     */
    private boolean segment(java.util.List<Long> starts) {
        int r = starts.size();
        long[] pos = new long[r];
        long[] end = new long[r];
        for (int k = 0; k < r; k++) {
            pos[k] = starts.get(k);
            end[k] = k + 1 < r ? starts.get(k + 1) : size;
        }
        long[] first = new long[64];
        long[] last = new long[64];
        long[] start = new long[64];
        long[] stop = new long[64];
        int n = 0;
        int current = -1;
        long previousKey = 0;
        boolean any = false;
        long work = 0;
        while (true) {
            work += 2L * r;
            if (work > MAX_MERGE_WORK) {
                return false;
            }
            int best = -1;                                    // the run with the smallest next key (R is small)
            long bestKey = 0;
            for (int k = 0; k < r; k++) {
                if (pos[k] < end[k] && (best < 0 || key(pos[k]) < bestKey)) {
                    best = k;
                    bestKey = key(pos[k]);
                }
            }
            if (best < 0) {
                break;
            }
            if (any && bestKey == previousKey && best != current) {
                return false;                                 // the same key in two runs: sort instead
            }
            if (best != current || pos[best] != stop[n - 1]) {
                if (n == first.length) {
                    if (n >= MAX_SEGMENTS) {
                        return false;
                    }
                    first = java.util.Arrays.copyOf(first, n * 2);
                    last = java.util.Arrays.copyOf(last, n * 2);
                    start = java.util.Arrays.copyOf(start, n * 2);
                    stop = java.util.Arrays.copyOf(stop, n * 2);
                }
                first[n] = bestKey;
                start[n] = pos[best];
                stop[n] = pos[best];
                n++;
                current = best;
            }
            // Take the rest of this run's keys below the other runs' next keys in one go.
            long limit = Long.MAX_VALUE;
            for (int k = 0; k < r; k++) {
                if (k != best && pos[k] < end[k]) {
                    limit = Math.min(limit, key(pos[k]));
                }
            }
            long p = firstAtLeast(pos[best], end[best], limit);
            if (p == pos[best]) {
                p++;                                          // equal to another run's next key: caught above next
            }
            last[n - 1] = key(p - 1);
            stop[n - 1] = p;
            previousKey = key(p - 1);
            pos[best] = p;
            any = true;
        }
        segFirst = java.util.Arrays.copyOf(first, n);
        segLast = java.util.Arrays.copyOf(last, n);
        segStart = java.util.Arrays.copyOf(start, n);
        segEnd = java.util.Arrays.copyOf(stop, n);
        return true;
    }

    /** The first index in the ascending range [from, to) whose key is at least {@code limit}, or {@code to}. */
    private long firstAtLeast(long from, long to, long limit) {
        long lo = from;
        long hi = to;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (key(mid) < limit) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** How many segments the directory has (1 when the table is sorted). */
    int segments() {
        return segFirst == null ? 1 : segFirst.length;
    }

    /** The index of an entry with this key, or -1. */
    long indexOf(long key) {
        if (!sealed) {
            throw new IllegalStateException("not sealed");
        }
        if (groups != null) {
            return indexOfByRank(key);
        }
        if (dir != null) {
            return indexOfInDirectory(key);
        }
        return indexOfBySegments(key);
    }

    /** {@link #indexOf} by a search of the segment directory, then of the segment. */
    private long indexOfBySegments(long key) {
        long lo = 0;
        long hi = size - 1;
        if (segFirst != null) {
            int seg = lastSegmentAtMost(key, 0, segFirst.length - 1, -1);
            if (seg < 0 || key > segLast[seg]) {
                return -1;
            }
            lo = segStart[seg];
            hi = segEnd[seg] - 1;
        }
        return bisect(lo, hi, key);
    }

    /** The last segment in [lo, hi] whose first key is at most {@code key}, or {@code none}. */
    private int lastSegmentAtMost(long key, int lo, int hi, int none) {
        int seg = none;
        while (lo <= hi) {
            int m = (lo + hi) >>> 1;
            if (segFirst[m] <= key) {
                seg = m;
                lo = m + 1;
            } else {
                hi = m - 1;
            }
        }
        return seg;
    }

    /** The index of the key in the ascending range [lo, hi], or -1. */
    private long bisect(long lo, long hi, long key) {
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
        long[] va = values[(int) (a >>> SHIFT)];
        long[] vb = values[(int) (b >>> SHIFT)];
        int ia = (int) (a & MASK);
        int ib = (int) (b & MASK);
        if (compact) {
            int[] ka = compactKeys[(int) (a >>> SHIFT)];
            int[] kb = compactKeys[(int) (b >>> SHIFT)];
            int k = ka[ia];
            ka[ia] = kb[ib];
            kb[ib] = k;
        } else {
            long[] ka = keys[(int) (a >>> SHIFT)];
            long[] kb = keys[(int) (b >>> SHIFT)];
            long k = ka[ia];
            ka[ia] = kb[ib];
            kb[ib] = k;
        }
        long t = va[ia];
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

package dev.leakhound.hprof.index;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Lookups after sealing, whatever the order the keys came in: sorted, interleaved runs, shuffled, duplicates. */
class LongLongTableTest {

    private static LongLongTable table(List<Long> keys) {
        LongLongTable t = new LongLongTable();
        for (long k : keys) {
            t.add(k, k * 7 + 1);
        }
        t.seal();
        return t;
    }

    private static void everyKeyIsFoundAndNoOther(LongLongTable t, List<Long> keys) {
        for (long k : keys) {
            long i = t.indexOf(k);
            assertThat(i).as("key %d", k).isNotNegative();
            assertThat(t.key(i)).isEqualTo(k);
            assertThat(t.value(i)).isEqualTo(k * 7 + 1);
        }
        List<Long> sorted = new ArrayList<>(keys);
        Collections.sort(sorted);
        for (int j = 0; j + 1 < sorted.size(); j++) {
            if (sorted.get(j + 1) - sorted.get(j) > 1) {
                assertThat(t.indexOf(sorted.get(j) + 1)).as("absent key %d", sorted.get(j) + 1).isEqualTo(-1);
            }
        }
        assertThat(t.indexOf(sorted.get(0) - 1)).isEqualTo(-1);
        assertThat(t.indexOf(sorted.get(sorted.size() - 1) + 1)).isEqualTo(-1);
    }

    @Test
    void runsOfInterleavedBlocksAreSearchedInPlace() {
        // Three "dumper threads", each walking its blocks ("regions") in address order; blocks interleave.
        List<List<Long>> runs = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Random random = new Random(42);
        for (int block = 0; block < 300; block++) {
            List<Long> run = runs.get(random.nextInt(3));
            for (int i = 0; i < 1 + random.nextInt(200); i++) {
                run.add(block * 10_000L + i * 8);
            }
        }
        List<Long> keys = new ArrayList<>();
        runs.forEach(keys::addAll);
        LongLongTable t = table(keys);
        assertThat(t.segments()).isGreaterThan(1);
        for (long i = 0; i < keys.size(); i++) {
            assertThat(t.key(i)).as("nothing moved").isEqualTo(keys.get((int) i));
        }
        everyKeyIsFoundAndNoOther(t, keys);
    }

    @Test
    void sortedShuffledAndDuplicatedInputsAreFoundToo() {
        List<Long> sorted = new ArrayList<>();
        for (long k = 100; k < 50_000; k += 3) {
            sorted.add(k);
        }
        LongLongTable s = table(sorted);
        assertThat(s.segments()).isEqualTo(1);
        everyKeyIsFoundAndNoOther(s, sorted);

        List<Long> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new Random(7));                // thousands of runs: sorted in place
        LongLongTable sh = table(shuffled);
        assertThat(sh.segments()).isEqualTo(1);
        everyKeyIsFoundAndNoOther(sh, shuffled);

        List<Long> twoRunsSharingKeys = new ArrayList<>(List.of(10L, 20L, 30L, 15L, 20L, 25L));
        LongLongTable d = table(twoRunsSharingKeys);
        for (long k : twoRunsSharingKeys) {
            assertThat(d.key(d.indexOf(k))).isEqualTo(k);
        }
        assertThat(d.indexOf(21)).isEqualTo(-1);
    }

    @Test
    void aTableOfUnsortedKeysIsSortedInPlace() {
        LongLongTable t = new LongLongTable();
        java.util.Random r = new java.util.Random(42);
        int n = 300_000;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = r.nextLong() & 0xFFFF_FFFFL;
            t.add(keys[i], keys[i] * 3);
        }
        t.seal();
        for (int i = 1; i < n; i++) {
            assertThat(t.key(i - 1)).isLessThanOrEqualTo(t.key(i));
        }
        for (int i = 0; i < n; i += 997) {
            assertThat(t.get(keys[i], -1)).isEqualTo(keys[i] * 3);
        }
        assertThat(t.get(-5, -1)).isEqualTo(-1);
    }

    /**
     * A table large enough for the bucket directory, of interleaved runs as HotSpot writes a dump: addresses, 8-byte
     * aligned, below 32 GB (kept as compact keys), with gaps (empty buckets) and single-object runs between long ones
     * (segments that start inside a bucket); then the same with one key that is not compact (the pages widen).
     */
    @Test
    void aLargeTableOfRunsIsSearchedThroughItsDirectoryCompactOrNot() {
        for (boolean widen : new boolean[] {false, true}) {
            List<List<Long>> runs = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            Random random = new Random(11);
            long address = 0x7_0000_0000L;                              // 28 GB, as a compressed-oops heap's
            for (int block = 0; block < 400; block++) {
                List<Long> run = runs.get(random.nextInt(3));
                int objects = random.nextInt(4) == 0 ? 1 : 1 + random.nextInt(1000);
                for (int i = 0; i < objects; i++) {
                    run.add(address);
                    address += 8L * (2 + random.nextInt(6));
                }
                address += random.nextInt(3) == 0 ? 1L << 20 : 0;        // a gap: buckets with no key
            }
            List<Long> keys = new ArrayList<>();
            runs.forEach(keys::addAll);
            if (widen) {
                keys.add(keys.size() / 2, address + 12);                // not 8-aligned: a whole key from then on
            }
            assertThat(keys.size()).isGreaterThan(LongLongTable.DIRECTORY_MIN);
            LongLongTable t = table(keys);
            long pages = (t.size() + 32767) / 32768;
            assertThat(t.bytes()).as("bytes: %d entries in %d pages", t.size(), pages)
                    .isBetween(pages * 32768 * (widen ? 16 : 12), pages * 32768 * (widen ? 16 : 12) + 4096);
            everyKeyIsFoundAndNoOther(t, keys);
            assertThat(t.directoryBytes() > 0).as("rank directory").isEqualTo(!widen);
            java.util.Set<Long> present = new java.util.HashSet<>(keys);
            for (long k : keys) {                                       // absent 8-aligned keys near present ones
                if (!present.contains(k + 8)) {
                    assertThat(t.indexOf(k + 8)).as("absent key %d", k + 8).isEqualTo(-1);
                }
            }
        }
    }

    /**
     * The rank directory where groups of 256 slots hold keys of several segments (a group at a segment's end is
     * searched through the segments); runs cut so finely that most groups do (then the bucket directory serves); and
     * sorted keys that hold a duplicate (no rank directory: searched instead).
     */
    @Test
    void theRankDirectoryFindsKeysOfGroupsSharedBySegmentsAndIsNotBuiltOverDuplicates() {
        for (boolean fine : new boolean[] {false, true}) {
            List<List<Long>> runs = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            Random random = new Random(5);
            long address = 0x1000;
            while (runs.stream().mapToInt(List::size).sum() < 2 * LongLongTable.DIRECTORY_MIN) {
                List<Long> run = runs.get(random.nextInt(4));
                for (int i = 0, n = fine ? 1 + random.nextInt(40) : 3000 + random.nextInt(3000); i < n; i++) {
                    run.add(address);
                    address += 8L * (1 + random.nextInt(3));
                }
            }
            List<Long> keys = new ArrayList<>();
            runs.forEach(keys::addAll);
            LongLongTable t = table(keys);
            assertThat(t.segments()).as("fine %s", fine).isGreaterThan(fine ? 1000 : 20);
            assertThat(t.directoryBytes() > 0).as("rank directory, fine %s", fine).isEqualTo(!fine);
            everyKeyIsFoundAndNoOther(t, keys);
            java.util.Set<Long> present = new java.util.HashSet<>(keys);
            for (long k = 0x1000 - 64; k < address + 64; k += 8) {
                long i = t.indexOf(k);
                assertThat(i < 0 ? -1 : t.key(i)).as("key %d", k).isEqualTo(present.contains(k) ? k : -1L);
            }
        }

        List<Long> withDuplicate = new ArrayList<>();
        for (long k = 0; k < 2 * LongLongTable.DIRECTORY_MIN; k++) {
            withDuplicate.add(8 * k);
        }
        withDuplicate.add(8 * 500L);                                    // one more run, of a key already there
        LongLongTable d = table(withDuplicate);
        assertThat(d.directoryBytes()).isZero();
        everyKeyIsFoundAndNoOther(d, withDuplicate);
    }
}

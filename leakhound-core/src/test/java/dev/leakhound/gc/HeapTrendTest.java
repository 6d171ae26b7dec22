package dev.leakhound.gc;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.leakhound.testing.gc.GcCycles.MB;
import static dev.leakhound.testing.gc.GcCycles.cycle;
import static dev.leakhound.testing.gc.GcCycles.full;
import static dev.leakhound.testing.gc.GcCycles.young;
import static dev.leakhound.testing.gc.GcCycles.youngSeries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HeapTrendTest {

    @Test
    void steadyRiseIsGrowingWithSlopeAndTimeToMax() {
        HeapTrend t = HeapTrend.of(youngSeries(100, 110, 120, 130, 140, 150, 160, 170, 180, 190));
        assertThat(t.verdict()).isEqualTo(HeapTrend.Verdict.GROWING);
        assertThat(t.basis()).isEqualTo(HeapTrend.Basis.ALL_COLLECTIONS);
        assertThat(t.points()).isEqualTo(10);
        assertThat(t.span()).isEqualTo(Duration.ofSeconds(90));
        assertThat(t.slopeBytesPerSecond()).isCloseTo(1.0 * MB, within(1e-3));
        assertThat(t.slopeBytesPerMinute()).isCloseTo(60.0 * MB, within(1e-1));
        assertThat(t.rSquared()).isCloseTo(1.0, within(1e-12));
        assertThat(t.lastHeapAfter()).isEqualTo(190 * MB);
        assertThat(t.heapMax()).isEqualTo(1024 * MB);
        // the line is at 190 MB and rises 1 MB/s: 834 s to 1024 MB
        assertThat(t.timeToMax().toMillis()).isCloseTo(834_000L, within(1L));
    }

    /**
     * A heap that filled at start-up and then stayed flat (seen in JDK 17's ZGC: two warm-up collections a second
     * before the rest): the line tilts up with a high R², but few of the slopes between two collections do.
     */
    @Test
    void aStepAtStartUpThenFlatIsStable() {
        List<GcCycle> cycles = new ArrayList<>();
        cycles.add(full(1, 0.0, 10));
        for (int i = 0; i < 13; i++) {
            cycles.add(full(2 + i, 8.0 + 0.5 * i, 14));
        }
        HeapTrend t = HeapTrend.of(cycles, Integer.MAX_VALUE);
        assertThat(t.rSquared()).isGreaterThan(HeapTrend.MIN_R_SQUARED);           // what fooled the line alone
        assertThat(t.slopeBytesPerSecond() * t.span().toMillis() / 1000.0).isGreaterThan(0.05 * 14 * MB);
        assertThat(t.verdict()).isEqualTo(HeapTrend.Verdict.STABLE);
        assertThat(t.timeToMax()).isNull();
    }

    @Test
    void twoWarmUpsThenFlatIsStable() {
        List<GcCycle> cycles = new ArrayList<>();
        cycles.add(full(1, 0.0, 10));
        cycles.add(full(2, 0.8, 10));
        for (int i = 0; i < 12; i++) {
            cycles.add(full(3 + i, 1.7 + 0.06 * i, 14));
        }
        HeapTrend t = HeapTrend.of(cycles, Integer.MAX_VALUE);
        assertThat(t.rSquared()).isGreaterThan(HeapTrend.MIN_R_SQUARED);
        assertThat(t.verdict()).isEqualTo(HeapTrend.Verdict.STABLE);
    }

    /**
     * A leak of 0.2 MB/s with a full collection every 5 minutes, then 8 forced ones 5 s apart (class histograms taken
     * while looking into it): most points in a burst at the end, the line exact.
     */
    @Test
    void aLeakWhoseCollectionsComeInABurstIsStillGrowing() {
        List<GcCycle> cycles = new ArrayList<>();
        long n = 1;
        for (int i = 0; i <= 12; i++) {
            cycles.add(full(n++, 300.0 * i, 500 + 60L * i));
        }
        for (int i = 1; i <= 8; i++) {
            cycles.add(full(n++, 3600 + 5.0 * i, 1220 + i));
        }
        assertThat(HeapTrend.of(cycles, HeapTrend.DEFAULT_WINDOW).verdict()).isEqualTo(HeapTrend.Verdict.GROWING);
    }

    @Test
    void aLeakThatStartedLateInTheWindowIsGrowing() {
        assertThat(HeapTrend.of(youngSeries(100, 100, 100, 100, 100, 100, 100, 104, 108, 112)).verdict())
                .isEqualTo(HeapTrend.Verdict.GROWING);
    }

    @Test
    void aLeakAfterTheSameStepIsStillGrowing() {
        List<GcCycle> cycles = new ArrayList<>();
        cycles.add(full(1, 0.0, 10));
        for (int i = 0; i < 13; i++) {
            cycles.add(full(2 + i, 8.0 + 0.5 * i, 14 + 2L * i));
        }
        assertThat(HeapTrend.of(cycles, Integer.MAX_VALUE).verdict()).isEqualTo(HeapTrend.Verdict.GROWING);
    }

    @Test
    void sawtoothOfYoungCollectionsIsStable() {
        HeapTrend t = HeapTrend.of(youngSeries(100, 150, 200, 250, 100, 150, 200, 250, 100, 150));
        assertThat(t.verdict()).isEqualTo(HeapTrend.Verdict.STABLE);
        assertThat(t.rSquared()).isLessThan(HeapTrend.MIN_R_SQUARED);
        assertThat(t.timeToMax()).isNull();
    }

    /** Young collections rise between full ones; the full ones give the floor. */
    private static List<GcCycle> sawtoothWithFullCollections(long... floorMb) {
        List<GcCycle> out = new ArrayList<>();
        long n = 1;
        double time = 0;
        for (long floor : floorMb) {
            for (int i = 1; i <= 5; i++) {
                out.add(young(n++, time, floor + 40L * i));
                time += 2;
            }
            out.add(full(n++, time, floor));
            time += 2;
        }
        return out;
    }

    @Test
    void sawtoothWithAFlatFloorIsStableOnOldCollections() {
        HeapTrend t = HeapTrend.of(sawtoothWithFullCollections(100, 100, 101, 100, 99, 100));
        assertThat(t.basis()).isEqualTo(HeapTrend.Basis.OLD_COLLECTIONS);
        assertThat(t.points()).isEqualTo(6);
        assertThat(t.verdict()).isEqualTo(HeapTrend.Verdict.STABLE);
        // the same young collections alone, inside one tooth, would look like growth
        assertThat(HeapTrend.of(sawtoothWithFullCollections(100).subList(0, 5)).verdict())
                .isEqualTo(HeapTrend.Verdict.GROWING);
    }

    @Test
    void sawtoothWithARisingFloorIsGrowing() {
        HeapTrend t = HeapTrend.of(sawtoothWithFullCollections(100, 130, 160, 190, 220, 250));
        assertThat(t.basis()).isEqualTo(HeapTrend.Basis.OLD_COLLECTIONS);
        assertThat(t.verdict()).isEqualTo(HeapTrend.Verdict.GROWING);
        assertThat(t.rSquared()).isCloseTo(1.0, within(1e-9));
        assertThat(t.lastHeapAfter()).isEqualTo(250 * MB);
        // 30 MB per 12 s
        assertThat(t.slopeBytesPerSecond()).isCloseTo(2.5 * MB, within(1.0));
    }

    @Test
    void noisyRiseIsGrowingAndNoisyFlatIsStable() {
        Random random = new Random(42);
        long[] rising = new long[20];
        long[] flat = new long[20];
        for (int i = 0; i < 20; i++) {
            rising[i] = 200 + 10L * i + random.nextInt(31) - 15;    // +10 MB per collection, noise +-15 MB
            flat[i] = 300 + random.nextInt(81) - 40;               // noise +-40 MB around 300
        }
        HeapTrend up = HeapTrend.of(youngSeries(rising), 20);
        assertThat(up.verdict()).isEqualTo(HeapTrend.Verdict.GROWING);
        assertThat(up.rSquared()).isBetween(HeapTrend.MIN_R_SQUARED, 0.999);
        assertThat(up.slopeBytesPerSecond()).isCloseTo(1.0 * MB, within(0.3 * MB));

        HeapTrend level = HeapTrend.of(youngSeries(flat), 20);
        assertThat(level.verdict()).isEqualTo(HeapTrend.Verdict.STABLE);
        assertThat(level.timeToMax()).isNull();
    }

    @Test
    void smallDriftAndFallingAreStable() {
        // R2 is 1, but 9 MB over a heap of 1000 MB is below the 5% rise
        HeapTrend drift = HeapTrend.of(youngSeries(1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009));
        assertThat(drift.rSquared()).isCloseTo(1.0, within(1e-9));
        assertThat(drift.verdict()).isEqualTo(HeapTrend.Verdict.STABLE);
        assertThat(HeapTrend.of(youngSeries(500, 450, 400, 350, 300)).verdict()).isEqualTo(HeapTrend.Verdict.STABLE);
        HeapTrend constant = HeapTrend.of(youngSeries(300, 300, 300, 300));
        assertThat(constant.verdict()).isEqualTo(HeapTrend.Verdict.STABLE);
        assertThat(constant.rSquared()).isZero();
        assertThat(constant.slopeBytesPerSecond()).isZero();
    }

    @Test
    void onlyTheLastWindowCounts() {
        long[] series = new long[30];
        for (int i = 0; i < 30; i++) {
            series[i] = i < 20 ? 300 : 300 + 20L * (i - 19);
        }
        assertThat(HeapTrend.of(youngSeries(series), 10).verdict()).isEqualTo(HeapTrend.Verdict.GROWING);
        HeapTrend old = HeapTrend.of(youngSeries(series).subList(0, 20), 10);
        assertThat(old.verdict()).isEqualTo(HeapTrend.Verdict.STABLE);
    }

    @Test
    void tooFewMeasuringCollectionsIsInsufficientData() {
        assertThat(HeapTrend.of(List.of()).verdict()).isEqualTo(HeapTrend.Verdict.INSUFFICIENT_DATA);
        HeapTrend three = HeapTrend.of(youngSeries(100, 200, 300));
        assertThat(three.verdict()).isEqualTo(HeapTrend.Verdict.INSUFFICIENT_DATA);
        assertThat(three.points()).isEqualTo(3);
        assertThat(three.slopeBytesPerSecond()).isNaN();
        assertThat(three.lastHeapAfter()).isEqualTo(300 * MB);

        // pauses inside concurrent cycles and collections without heap sizes do not count
        List<GcCycle> cycles = new ArrayList<>(youngSeries(100, 200, 300));
        cycles.add(cycle(4, 40, "ZGC Major Pauses", "end of GC pause", 0, 400 * MB));
        cycles.add(cycle(5, 50, "G1 Concurrent GC", "end of concurrent GC pause", 400 * MB, 400 * MB));
        cycles.add(cycle(6, 60, "G1 Young Generation", "end of minor GC", GcCycle.UNKNOWN, GcCycle.UNKNOWN));
        assertThat(HeapTrend.of(cycles).verdict()).isEqualTo(HeapTrend.Verdict.INSUFFICIENT_DATA);

        // all at the same moment: no line
        List<GcCycle> sameTime = List.of(young(1, 5, 100), young(2, 5, 200), young(3, 5, 300), young(4, 5, 400));
        assertThat(HeapTrend.of(sameTime).verdict()).isEqualTo(HeapTrend.Verdict.INSUFFICIENT_DATA);
    }

    @Test
    void concurrentCyclesOfZgcCountAsOldCollectionsUnlessMinor() {
        List<GcCycle> cycles = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            cycles.add(cycle(2L * i + 1, 10.0 * i, "ZGC Minor Cycles", "end of GC cycle", 900 * MB, (500 + 50L * i) * MB));
            cycles.add(cycle(2L * i + 2, 10.0 * i + 5, "ZGC Major Cycles", "end of GC cycle", 900 * MB, 200 * MB));
        }
        HeapTrend t = HeapTrend.of(cycles);
        assertThat(t.basis()).isEqualTo(HeapTrend.Basis.OLD_COLLECTIONS);
        assertThat(t.verdict()).isEqualTo(HeapTrend.Verdict.STABLE);
        assertThat(HeapTrend.collectsOld(cycles.get(0))).isFalse();
        assertThat(HeapTrend.collectsOld(cycles.get(1))).isTrue();
    }

    @Test
    void growingPastTheMaximumGivesZeroTimeToMax() {
        List<GcCycle> cycles = youngSeries(900, 950, 1000, 1050, 1100);
        assertThat(HeapTrend.of(cycles).timeToMax()).isEqualTo(Duration.ZERO);
    }

    @Test
    void rejectsTinyWindow() {
        assertThatThrownBy(() -> HeapTrend.of(List.of(), 1)).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.leakhound.gc.report;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.HeapTrend;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.leakhound.testing.gc.GcCycles.MB;
import static dev.leakhound.testing.gc.GcCycles.youngSeries;
import static org.assertj.core.api.Assertions.assertThat;

class GcTraceTest {
    private static final GcCycle YOUNG = new GcCycle(12, Duration.ofMillis(3456), "G1 Young Generation",
            "G1 Evacuation Pause", "end of minor GC", GcCycle.Kind.MINOR, Duration.ofNanos(4_123_000), null,
            24 * MB, 8 * MB, 64 * MB, 256 * MB,
            List.of(new GcCycle.Pool("G1 Eden Space", 16 * MB, 0, 32 * MB, -1)));

    @Test
    void lineOfAPause() {
        assertThat(GcTrace.line(YOUNG, (HeapTrend) null)).isEqualTo(
                "gc 12 @3.456s G1 Young Generation (G1 Evacuation Pause) minor: 4.123 ms pause, 24->8->64 MB, 256 MB max");
        assertThat(GcTrace.line(YOUNG, HeapTrend.Verdict.STABLE)).isEqualTo(
                "gc 12 @3.456s G1 Young Generation (G1 Evacuation Pause) minor: 4.123 ms pause, 24->8->64 MB, 256 MB max;"
                        + " heap after GC stable");
    }

    @Test
    void lineOfAConcurrentCycleAndOfUnknownSizes() {
        GcCycle zgc = new GcCycle(13, Duration.ofSeconds(5), "ZGC Major Cycles", "System.gc()", "end of GC cycle",
                GcCycle.Kind.CONCURRENT, null, Duration.ofMillis(211), 40 * MB, 10 * MB, 128 * MB, 128 * MB, List.of());
        assertThat(GcTrace.line(zgc, HeapTrend.Verdict.INSUFFICIENT_DATA)).isEqualTo(
                "gc 13 @5.000s ZGC Major Cycles (System.gc()) concurrent: 211 ms concurrent, 40->10->128 MB,"
                        + " 128 MB max; heap after GC insufficient data");
        GcCycle pause = new GcCycle(14, Duration.ofMillis(5001), "ZGC Major Pauses", null, "end of GC pause",
                GcCycle.Kind.PHASE_PAUSE, null, null, -1, -1, -1, -1, List.of());
        assertThat(GcTrace.line(pause, (HeapTrend.Verdict) null))
                .isEqualTo("gc 14 @5.001s ZGC Major Pauses phase pause: no duration, heap sizes not logged");
        GcCycle partly = new GcCycle(16, Duration.ofSeconds(6), "G1 Young Generation", null, null,
                GcCycle.Kind.MINOR, Duration.ofMillis(2), null, 24 * MB, 8 * MB, -1, -1, List.of());
        assertThat(GcTrace.line(partly, (HeapTrend) null)).isEqualTo(
                "gc 16 @6.000s G1 Young Generation minor: 2 ms pause, 24 MB before, 8 MB after (committed unknown)");
        GcCycle both = new GcCycle(15, Duration.ZERO, "X", null, null, GcCycle.Kind.OTHER, Duration.ofMillis(1),
                Duration.ofMillis(2), 3 * MB, 2 * MB, 4 * MB, -1, List.of());
        assertThat(GcTrace.line(both, (HeapTrend) null))
                .isEqualTo("gc 15 @0.000s X other: 1 ms pause, 2 ms concurrent, 3->2->4 MB");
    }

    @Test
    void verdictWords() {
        HeapTrend growing = HeapTrend.of(youngSeries(100, 110, 120, 130, 140, 150, 160, 170, 180, 190));
        assertThat(GcTrace.verdict(growing))
                .isEqualTo("heap after GC growing +60.0 MB/min (R2 1.00, 10 collections, max in 13m54s)");
        assertThat(GcTrace.line(YOUNG, growing)).endsWith(
                "256 MB max; heap after GC growing +60.0 MB/min (R2 1.00, 10 collections, max in 13m54s)");
        HeapTrend stable = HeapTrend.of(youngSeries(300, 300, 300, 300));
        assertThat(GcTrace.verdict(stable)).isEqualTo("heap after GC stable (+0.0 MB/min, R2 0.00, 4 collections)");
        assertThat(GcTrace.verdict(HeapTrend.of(youngSeries(1, 2))))
                .isEqualTo("heap after GC: insufficient data (2 collections, a trend needs at least 4)");
        assertThat(GcTrace.verdict(HeapTrend.of(youngSeries(1))))
                .isEqualTo("heap after GC: insufficient data (1 collection, a trend needs at least 4)");
    }

    /** No "max in 38s" from under a minute of log: the projection needs the collections to span one. */
    @Test
    void noProjectionFromCollectionsSpanningUnderAMinute() {
        List<GcCycle> fast = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {                                  // 0.8 s of log, rising fast
            fast.add(new GcCycle(i + 1, Duration.ofMillis(200L * i), "G1 Young Generation", "G1 Evacuation Pause",
                    null, GcCycle.Kind.MINOR, Duration.ofMillis(1), null, 200 * MB, (100 + 10L * i) * MB, 256 * MB,
                    256 * MB, List.of()));
        }
        HeapTrend t = HeapTrend.of(fast);
        assertThat(t.verdict()).isEqualTo(HeapTrend.Verdict.GROWING);
        assertThat(t.timeToMax()).isNotNull();
        assertThat(GcTrace.projection(t)).isNull();
        assertThat(GcTrace.verdict(t)).isEqualTo("heap after GC growing +3000.0 MB/min (R2 1.00, 5 collections,"
                + " over 0.8 s: too short to project when it reaches the max (1m00s needed))")
                .doesNotContain("max in");
        HeapTrend minute = HeapTrend.of(youngSeries(100, 110, 120, 130, 140, 150, 160));   // 60 s
        assertThat(GcTrace.projection(minute)).isEqualTo(minute.timeToMax()).isNotNull();
        assertThat(GcTrace.verdict(minute)).contains(", max in ");
    }

    @Test
    void durations() {
        assertThat(GcTrace.duration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(GcTrace.duration(Duration.ofSeconds(150))).isEqualTo("2m30s");
        assertThat(GcTrace.duration(Duration.ofMinutes(185))).isEqualTo("3h05m");
        assertThat(GcTrace.duration(Duration.ofHours(52))).isEqualTo("2d04h");
    }

    @Test
    void fixedThreeDecimalsAreTheFormattersOwn() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(14);
        java.util.List<Double> values = new java.util.ArrayList<>(java.util.List.of(0.0, 1e-4, 0.0005, 0.001, 0.0015,
                0.9995, 1.0, 1.0005, 2.5, 9.9995, 123.4565, 999.9995, 9_999_999.9995, 1e7, 1.2345e7, -1.5,
                Double.NaN, Double.POSITIVE_INFINITY, 0.1 + 0.2, 4.35, 2.675, 1.0049999999999999));
        for (int i = 0; i < 200_000; i++) {
            long nanos = r.nextLong(1L << (1 + r.nextInt(52)));
            values.add(nanos / 1e9);                                  // a start, as GcTrace writes it
            values.add(nanos / 1e6);                                  // a pause
            values.add((nanos - nanos % 500) / 1e6);                  // halves of a thousandth: ties
        }
        for (double v : values) {
            assertThat(GcTrace.fixed3(v)).as("%s", v).isEqualTo(String.format(java.util.Locale.ROOT, "%.3f", v));
        }
    }

    /** Counts of nanoseconds as seconds and as milliseconds: by integers, the formatter's digits all the same. */
    @Test
    void fixedThreeDecimalsOfNanosecondsAreTheFormattersOwn() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(15);
        java.util.List<Long> counts = new java.util.ArrayList<>(java.util.List.of(0L, 1L, 999L, 1000L, 1499L, 1500L,
                1501L, 499_999L, 500_000L, 500_001L, 1_000_000L, 1_000_500_000L, 9_999_999_999_500_000L,
                10_000_000_000_000_000L, 10_000_000_000_500L, -1L, Long.MAX_VALUE));
        for (long t : new long[] {9_007_199_254_500_000L, 9_999_999_999_500_000L}) {   // past 2^53 ns: cast rounds
            for (long d = -4; d <= 4; d++) {
                counts.add(t + d);
            }
        }
        for (int i = 0; i < 200_000; i++) {
            long nanos = r.nextLong(1L << (1 + r.nextInt(55)));
            counts.add(nanos);
            for (long tie : new long[] {500, 500_000}) {                // halves of a thousandth, and beside them
                long t = nanos - nanos % (2 * tie) + tie;
                counts.add(t - 3);
                counts.add(t - 2);
                counts.add(t - 1);
                counts.add(t);
                counts.add(t + 1);
                counts.add(t + 2);
            }
        }
        for (long n : counts) {
            for (long perUnit : new long[] {1_000_000_000L, 1_000_000L}) {
                StringBuilder sb = new StringBuilder();
                GcTrace.fixed3(sb, n, perUnit);
                assertThat(sb.toString()).as("%d / %d", n, perUnit)
                        .isEqualTo(String.format(java.util.Locale.ROOT, "%.3f", n / (double) perUnit));
            }
        }
    }
}

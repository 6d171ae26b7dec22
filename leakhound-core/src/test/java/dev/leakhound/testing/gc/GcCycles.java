package dev.leakhound.testing.gc;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.gc.report.GcTrace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Synthetic collections for the tests. */
public final class GcCycles {
    public static final long MB = 1024L * 1024;
    public static final long MAX = 1024 * MB;

    private GcCycles() {
    }

    public static GcCycle cycle(long number, double seconds, String collector, String action, long before, long after) {
        GcCycle.Kind kind = GcCycle.Kind.of(collector, action);
        Duration d = Duration.ofMillis(5);
        return new GcCycle(number, Duration.ofNanos(Math.round(seconds * 1e9)), collector, "test", action, kind,
                kind.stopsTheWorld() ? d : null, kind.stopsTheWorld() ? null : d, before, after, 512 * MB, MAX,
                List.of());
    }

    public static GcCycle young(long number, double seconds, long afterMb) {
        return cycle(number, seconds, "G1 Young Generation", "end of minor GC", (afterMb + 50) * MB, afterMb * MB);
    }

    public static GcCycle full(long number, double seconds, long afterMb) {
        return cycle(number, seconds, "G1 Old Generation", "end of major GC", (afterMb + 200) * MB, afterMb * MB);
    }

    /**
     * The collections a {@code GcWorkload} run asked for (its {@code System.gc()} at the end of each round: old
     * generation, heap measured), the k-th at k seconds, as if the program had run at an even pace. Their heap-after is
     * the live set: the workload is one thread, blocked in {@code System.gc()} while it runs. Left out: the times of
     * the real run (a busy machine stalls the child now and then, and a line through unevenly spaced rounds is no
     * longer straight), and the cycles the heap's occupancy started (ZGC, Shenandoah), whose heap-after also counts
     * what the program allocated while they ran: on a busy machine that noise hid the leak of 12 rounds (JDK 17
     * Shenandoah, leaking: R2 0.01 over its last 10 collections). A verdict the tests assert on a real run must hang
     * on neither.
     */
    public static List<GcCycle> workloadRounds(List<GcCycle> cycles) {
        List<GcCycle> out = new ArrayList<>();
        for (GcCycle c : cycles) {
            if (c.measuresHeap() && HeapTrend.collectsOld(c) && c.cause() != null && c.cause().contains("System.gc()")) {
                out.add(new GcCycle(c.number(), Duration.ofSeconds(out.size() + 1), c.collector(), c.cause(), c.action(),
                        c.kind(), c.pause(), c.concurrent(), c.heapBefore(), c.heapAfter(), c.heapCommitted(),
                        c.heapMax(), c.pools()));
            }
        }
        return out;
    }

    /**
     * The workload's leaking run reads GROWING, its steady run STABLE, on the rounds' collections
     * ({@link #workloadRounds}) in the default window, and the leak shows in the last live heap.
     */
    public static void assertToldApart(String what, GcLog leakingRun, GcLog steadyRun) {
        HeapTrend leaking = HeapTrend.of(workloadRounds(leakingRun.cycles()), HeapTrend.DEFAULT_WINDOW);
        HeapTrend steady = HeapTrend.of(workloadRounds(steadyRun.cycles()), HeapTrend.DEFAULT_WINDOW);
        String both = what + ": leaking " + GcTrace.verdict(leaking) + "; steady " + GcTrace.verdict(steady);
        assertThat(leaking.verdict()).as(both).isEqualTo(HeapTrend.Verdict.GROWING);
        assertThat(steady.verdict()).as(both).isEqualTo(HeapTrend.Verdict.STABLE);
        assertThat(leaking.lastHeapAfter() - steady.lastHeapAfter()).as(both).isGreaterThan(16 * MB);
    }

    /** Young collections every 10 s with the given heap after (MB). */
    public static List<GcCycle> youngSeries(long... afterMb) {
        List<GcCycle> out = new ArrayList<>();
        for (int i = 0; i < afterMb.length; i++) {
            out.add(young(i + 1, 10.0 * i, afterMb[i]));
        }
        return out;
    }
}

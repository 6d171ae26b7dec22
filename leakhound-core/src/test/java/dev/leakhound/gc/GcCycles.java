package dev.leakhound.gc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Synthetic collections for the tests. */
final class GcCycles {
    static final long MB = 1024L * 1024;
    static final long MAX = 1024 * MB;

    private GcCycles() {
    }

    static GcCycle cycle(long number, double seconds, String collector, String action, long before, long after) {
        GcCycle.Kind kind = GcCycle.Kind.of(collector, action);
        Duration d = Duration.ofMillis(5);
        return new GcCycle(number, Duration.ofNanos(Math.round(seconds * 1e9)), collector, "test", action, kind,
                kind.stopsTheWorld() ? d : null, kind.stopsTheWorld() ? null : d, before, after, 512 * MB, MAX,
                List.of());
    }

    static GcCycle young(long number, double seconds, long afterMb) {
        return cycle(number, seconds, "G1 Young Generation", "end of minor GC", (afterMb + 50) * MB, afterMb * MB);
    }

    static GcCycle full(long number, double seconds, long afterMb) {
        return cycle(number, seconds, "G1 Old Generation", "end of major GC", (afterMb + 200) * MB, afterMb * MB);
    }

    /**
     * Real cycles as if their program had run at an even pace: the k-th old-generation collection that measures the
     * heap at k seconds, the
     * others half a second after the one before. The heap figures stay; the times of a real run are the machine's
     * (a busy one stalls the child now and then, and a line through unevenly spaced rounds is no longer straight), so
     * a verdict the tests assert on a real run must not hang on them.
     */
    static List<GcCycle> evenlyPaced(List<GcCycle> cycles) {
        List<GcCycle> out = new ArrayList<>();
        int old = 0;
        for (GcCycle c : cycles) {
            boolean round = c.measuresHeap() && HeapTrend.collectsOld(c);  // not a marking without heap sizes
            Duration start = round ? Duration.ofSeconds(++old) : Duration.ofSeconds(old).plusMillis(500);
            out.add(new GcCycle(c.number(), start, c.collector(), c.cause(), c.action(), c.kind(), c.pause(),
                    c.concurrent(), c.heapBefore(), c.heapAfter(), c.heapCommitted(), c.heapMax(), c.pools()));
        }
        return out;
    }

    /** Young collections every 10 s with the given heap after (MB). */
    static List<GcCycle> youngSeries(long... afterMb) {
        List<GcCycle> out = new ArrayList<>();
        for (int i = 0; i < afterMb.length; i++) {
            out.add(young(i + 1, 10.0 * i, afterMb[i]));
        }
        return out;
    }
}

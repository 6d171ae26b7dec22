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

    /** Young collections every 10 s with the given heap after (MB). */
    static List<GcCycle> youngSeries(long... afterMb) {
        List<GcCycle> out = new ArrayList<>();
        for (int i = 0; i < afterMb.length; i++) {
            out.add(young(i + 1, 10.0 * i, afterMb[i]));
        }
        return out;
    }
}

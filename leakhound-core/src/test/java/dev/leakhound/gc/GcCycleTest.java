package dev.leakhound.gc;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.leakhound.gc.GcCycle.Kind.CONCURRENT;
import static dev.leakhound.gc.GcCycle.Kind.MAJOR;
import static dev.leakhound.gc.GcCycle.Kind.MINOR;
import static dev.leakhound.gc.GcCycle.Kind.MIXED;
import static dev.leakhound.gc.GcCycle.Kind.OTHER;
import static dev.leakhound.gc.GcCycle.Kind.PHASE_PAUSE;
import static org.assertj.core.api.Assertions.assertThat;

class GcCycleTest {

    /** Collector names and actions as JDK 25's GarbageCollectorMXBean notifications give them. */
    @Test
    void kindOfEveryCollectorOfJdk25() {
        assertThat(GcCycle.Kind.of("G1 Young Generation", "end of minor GC")).isEqualTo(MINOR);
        assertThat(GcCycle.Kind.of("G1 Young Generation", "end of mixed GC")).isEqualTo(MIXED);
        assertThat(GcCycle.Kind.of("G1 Old Generation", "end of major GC")).isEqualTo(MAJOR);
        assertThat(GcCycle.Kind.of("G1 Concurrent GC", "end of concurrent GC pause")).isEqualTo(PHASE_PAUSE);
        assertThat(GcCycle.Kind.of("Copy", "end of minor GC")).isEqualTo(MINOR);
        assertThat(GcCycle.Kind.of("MarkSweepCompact", "end of major GC")).isEqualTo(MAJOR);
        assertThat(GcCycle.Kind.of("PS Scavenge", "end of minor GC")).isEqualTo(MINOR);
        assertThat(GcCycle.Kind.of("PS MarkSweep", "end of major GC")).isEqualTo(MAJOR);
        assertThat(GcCycle.Kind.of("ZGC Minor Cycles", "end of GC cycle")).isEqualTo(CONCURRENT);
        assertThat(GcCycle.Kind.of("ZGC Major Cycles", "end of GC cycle")).isEqualTo(CONCURRENT);
        assertThat(GcCycle.Kind.of("ZGC Minor Pauses", "end of GC pause")).isEqualTo(PHASE_PAUSE);
        assertThat(GcCycle.Kind.of("ZGC Major Pauses", "end of GC pause")).isEqualTo(PHASE_PAUSE);
        assertThat(GcCycle.Kind.of("Shenandoah Cycles", "end of GC cycle")).isEqualTo(CONCURRENT);
        assertThat(GcCycle.Kind.of("Shenandoah Pauses", "Init Mark")).isEqualTo(PHASE_PAUSE);
        // without an action (e.g. from a log), by the collector's name
        assertThat(GcCycle.Kind.of("PS Scavenge", null)).isEqualTo(MINOR);
        assertThat(GcCycle.Kind.of("ParNew", null)).isEqualTo(MINOR);
        assertThat(GcCycle.Kind.of("G1 Old Generation", null)).isEqualTo(MAJOR);
        assertThat(GcCycle.Kind.of("Epsilon", null)).isEqualTo(OTHER);
        assertThat(GcCycle.Kind.of(null, null)).isEqualTo(OTHER);
        assertThat(CONCURRENT.stopsTheWorld()).isFalse();
        assertThat(MINOR.stopsTheWorld()).isTrue();
        assertThat(PHASE_PAUSE.stopsTheWorld()).isTrue();
    }

    @Test
    void negativeSizesAreUnknown() {
        GcCycle c = new GcCycle(1, Duration.ZERO, "X", null, null, OTHER, null, null, -5, -1, -1, -1,
                List.of(new GcCycle.Pool("p", 1, 1, 1, -1)));
        assertThat(c.heapBefore()).isEqualTo(GcCycle.UNKNOWN);
        assertThat(c.heapAfterKnown()).isFalse();
        assertThat(c.measuresHeap()).isFalse();
        assertThat(c.reclaimed()).isEqualTo(GcCycle.UNKNOWN);
        assertThat(c.pools().get(0).max()).isEqualTo(GcCycle.UNKNOWN);
        GcCycle known = new GcCycle(2, Duration.ZERO, "PS Scavenge", null, null, MINOR, null, null, 10, 4, 20, 30, List.of());
        assertThat(known.reclaimed()).isEqualTo(6);
        assertThat(known.measuresHeap()).isTrue();
    }
}

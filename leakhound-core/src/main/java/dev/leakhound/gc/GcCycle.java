package dev.leakhound.gc;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One garbage collection, as the JVM's {@code GarbageCollectorMXBean} notifications or a GC log report it.
 * Immutable; sizes in bytes, {@link #UNKNOWN} when the source does not give them.
 *
 * <p>What one "collection" is depends on the collector. G1, Parallel and Serial report each stop-the-world
 * collection (young, mixed or full); G1 also reports the Remark and Cleanup pauses of its concurrent cycle
 * ({@code G1 Concurrent GC}). ZGC and Shenandoah report each concurrent cycle
 * ({@code ZGC Major Cycles}, {@code Shenandoah Cycles}: {@link Kind#CONCURRENT}, with heap sizes) and,
 * separately, each of its pauses ({@code ZGC Minor Pauses}, {@code Shenandoah Pauses}:
 * {@link Kind#PHASE_PAUSE}; ZGC gives no heap sizes for those).
 *
 * @param number        1-based running number of the collection among those seen by the source
 * @param start         when it started, as time since the JVM started
 * @param collector     the collector's name, e.g. {@code G1 Young Generation}, {@code PS MarkSweep},
 *                      {@code ZGC Major Cycles}
 * @param cause         why it ran, e.g. {@code G1 Evacuation Pause}, {@code System.gc()},
 *                      {@code Allocation Failure}; {@code null} when not given
 * @param action        the source's words for what it did, e.g. {@code end of minor GC},
 *                      {@code end of GC cycle}; {@code null} when not given
 * @param kind          what kind of collection it was, see {@link Kind#of}
 * @param pause         how long the application was stopped, or {@code null} when not known (a concurrent
 *                      cycle whose pauses are reported separately)
 * @param concurrent    how long it ran alongside the application, or {@code null} when not known or not
 *                      applicable (a stop-the-world collection)
 * @param heapBefore    heap used before it, or {@link #UNKNOWN}
 * @param heapAfter     heap used after it, or {@link #UNKNOWN}
 * @param heapCommitted heap committed after it, or {@link #UNKNOWN}
 * @param heapMax       the most the heap may grow to, or {@link #UNKNOWN}
 * @param pools         per-pool detail (Eden, Survivor, Old, ...), possibly empty
 */
public record GcCycle(long number, Duration start, String collector, String cause, String action, Kind kind,
                      Duration pause, Duration concurrent, long heapBefore, long heapAfter, long heapCommitted,
                      long heapMax, List<Pool> pools) {

    /** A size the source does not give. */
    public static final long UNKNOWN = -1;

    public GcCycle {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(collector, "collector");
        Objects.requireNonNull(kind, "kind");
        pools = List.copyOf(pools);
        heapBefore = orUnknown(heapBefore);
        heapAfter = orUnknown(heapAfter);
        heapCommitted = orUnknown(heapCommitted);
        heapMax = orUnknown(heapMax);
    }

    private static long orUnknown(long size) {
        return size < 0 ? UNKNOWN : size;
    }

    /** Whether the heap used after the collection is known. */
    public boolean heapAfterKnown() {
        return heapAfter != UNKNOWN;
    }

    /**
     * Whether this collection says how much of the heap is live: it is a collection (not a pause inside a
     * concurrent cycle) and the heap used after it is known. {@link HeapTrend} uses only these.
     */
    public boolean measuresHeap() {
        return kind != Kind.PHASE_PAUSE && heapAfterKnown();
    }

    /** The heap freed by this collection, or {@link #UNKNOWN}; negative when the heap grew during it. */
    public long reclaimed() {
        return heapBefore == UNKNOWN || heapAfter == UNKNOWN ? UNKNOWN : heapBefore - heapAfter;
    }

    /**
     * Usage of one memory pool around the collection, in bytes.
     *
     * @param name      the pool, e.g. {@code G1 Old Gen}
     * @param before    used before the collection
     * @param after     used after it
     * @param committed committed after it
     * @param max       the pool's maximum, or {@link #UNKNOWN} when it has none
     */
    public record Pool(String name, long before, long after, long committed, long max) {
        public Pool {
            Objects.requireNonNull(name, "name");
            max = max < 0 ? UNKNOWN : max;
        }
    }

    /** What kind of collection a cycle is. */
    public enum Kind {
        /** Young generation only (G1 young, {@code PS Scavenge}, Serial {@code Copy}). */
        MINOR,
        /** Young generation and part of the old one (G1 mixed). */
        MIXED,
        /** The whole heap, stop-the-world (full GC: G1 {@code Old Generation}, {@code PS MarkSweep}, ...). */
        MAJOR,
        /** A whole concurrent cycle (ZGC and Shenandoah cycles); its duration is mostly concurrent work. */
        CONCURRENT,
        /** One pause inside a concurrent cycle (G1 Remark and Cleanup, ZGC and Shenandoah pauses). */
        PHASE_PAUSE,
        /** None of the above could be told. */
        OTHER;

        /**
         * Tells the kind from the collector's name and the action as the JDK reports them:
         * {@code "... concurrent ..."}/{@code "... pause"} actions and {@code "... Pauses"} collectors are
         * {@link #PHASE_PAUSE}; {@code "end of GC cycle"} or {@code "... Cycles"} collectors
         * {@link #CONCURRENT}; actions containing {@code mixed}, {@code major} or {@code minor} the matching
         * kind; otherwise the collector name ({@code Young}, {@code Scavenge}, {@code Copy}, {@code ParNew}:
         * minor; {@code Old}, {@code MarkSweep}, {@code Full}: major); otherwise {@link #OTHER}.
         *
         * @param collector the collector's name, e.g. {@code G1 Young Generation}
         * @param action    the action, e.g. {@code end of minor GC}; may be {@code null}
         */
        public static Kind of(String collector, String action) {
            String c = collector == null ? "" : collector.toLowerCase(Locale.ROOT);
            String a = action == null ? "" : action.toLowerCase(Locale.ROOT);
            if (a.contains("pause") || c.endsWith("pauses") || a.contains("concurrent")) {
                return PHASE_PAUSE;
            }
            if (a.contains("cycle") || c.endsWith("cycles")) {
                return CONCURRENT;
            }
            if (a.contains("mixed")) {
                return MIXED;
            }
            if (a.contains("major")) {
                return MAJOR;
            }
            if (a.contains("minor")) {
                return MINOR;
            }
            if (c.contains("young") || c.contains("scavenge") || c.equals("copy") || c.contains("parnew")) {
                return MINOR;
            }
            if (c.contains("old") || c.contains("marksweep") || c.contains("full")) {
                return MAJOR;
            }
            return OTHER;
        }

        /**
         * Whether the duration the JVM reports for such a collection is a pause rather than concurrent work:
         * for every kind but {@link #CONCURRENT} ({@link #OTHER} is taken as a pause, as most are).
         */
        public boolean stopsTheWorld() {
            return this != CONCURRENT;
        }
    }
}

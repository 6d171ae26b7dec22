package dev.leakhound.gc;

import java.util.List;
import java.util.Objects;

/**
 * What {@link dev.leakhound.gc.parse.GcLogParser} read from one GC log: the collections, oldest first, and what
 * the log says about the JVM. Immutable.
 *
 * <p>Each {@link GcCycle} is one GC id of the log ({@code GC(12)}); its {@link GcCycle#number() number} is
 * the id plus one (1-based, as everywhere in Leakhound). Its {@link GcCycle#start() start} is time since the
 * JVM started when the lines are decorated with an uptime, else time since the first line with a wall-clock
 * time, else zero for all ({@link #timed()} false).
 *
 * @param origin        the file read, or {@code <stdin>}
 * @param collector     the collector as the log names it ({@code G1}, {@code Parallel}, {@code Serial},
 *                      {@code ZGC}, {@code Shenandoah}, {@code CMS}, ...; JDK 8: from its {@code CommandLine flags})
 *                      or, without that, as told from the collections; {@code null} when neither says
 * @param heapMax       the most the heap may grow to, bytes, from the log's header ({@code Heap Max Capacity},
 *                      ZGC's {@code Max Capacity}, {@code -Xmx} in logged JVM arguments), or
 *                      {@link GcCycle#UNKNOWN}
 * @param timed         whether the cycles' start times are known (the lines carry a time decoration)
 * @param uptime        whether those times are uptime (else: since the log's first wall-clock time)
 * @param cycles        the collections, in the order of their first line; at most
 *                      {@link dev.leakhound.gc.parse.GcLogParser#MAX_CYCLES}, the latest
 * @param droppedCycles how many earlier collections were left out to keep within that bound
 * @param earlierRuns   how many JVM runs before the last one the log holds (a second {@code Using ...} line,
 *                      or uptime going back): only the last run is kept
 * @param lines         how many lines were read
 * @param ignoredLines  how many lines of a GC id were ignored: the same line again, decorations included, right
 *                      after itself in that id, or past the most events read for one id
 */
public record GcLog(String origin, String collector, long heapMax, boolean timed, boolean uptime,
                    List<GcCycle> cycles, long droppedCycles, int earlierRuns, long lines, long ignoredLines) {

    public GcLog {
        Objects.requireNonNull(origin, "origin");
        cycles = List.copyOf(cycles);
        heapMax = heapMax < 0 ? GcCycle.UNKNOWN : heapMax;
    }

    /** The trend of heap after GC over the last {@code window} collections (see {@link HeapTrend#of(List, int)}). */
    public HeapTrend trend(int window) {
        return HeapTrend.of(cycles, window);
    }
}

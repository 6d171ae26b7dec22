package dev.leakhound.analysis;

import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A leak suspect of the {@link GrowthDetector}: a blocking site (state, blocker class and stack) whose
 * threads are blocked with no timeout and whose number has grown over the detector's window, or grew when the
 * detector named it and some of the threads it had then are still stuck there. Immutable.
 *
 * @param group           the site's threads in the latest sample (when several groups of that sample
 *                        had the same site, their threads are merged into one group)
 * @param counts          the site's thread count in each sample of the window, oldest first; a sample in
 *                        which the site was absent counts 0. Its size is the detector's window, or the samples
 *                        taken so far while fewer
 * @param windowStart     when the window's first sample was taken
 * @param windowEnd       when the window's last (the latest) sample was taken
 * @param growth          last count minus first count of the window: threads added over the window
 * @param growthPerSample {@code growth / (counts - 1)}: threads added per sampling interval
 * @param growthPerMinute {@code growth} divided by the minutes between {@code windowStart} and
 *                        {@code windowEnd}; {@link Double#NaN} when the window spans no time
 * @param trend           Kendall's rank correlation (tau-a) of the counts with their order, in
 *                        {@code [-1, 1]}: 1 when every count is above every earlier one, 0 for no trend
 * @param oldestSeen      when the detector first saw the longest-known thread of the group, or
 *                        {@code null} when none of its threads is tracked (see
 *                        {@link GrowthDetector#maxTrackedThreads()})
 * @param oldestAge       {@code windowEnd - oldestSeen}, or {@code null} with it. A lower bound of the
 *                        time the oldest thread has been stuck: the detector only knows its own samples
 * @param growing         whether it is named for its growth in the latest sample; else it is held by its stuck
 *                        threads
 * @param namedAt         when the sample that first named it was taken (it has been named in every sample since)
 * @param stuckThreads    how many of the threads it had when last named for its growth are still there, in every
 *                        sample since: all of them ({@link #count()}) while it grows
 */
public record GrowingGroup(StackGroup group, List<Integer> counts, Instant windowStart, Instant windowEnd,
                           int growth, double growthPerSample, double growthPerMinute, double trend,
                           Instant oldestSeen, Duration oldestAge, boolean growing, Instant namedAt,
                           int stuckThreads) {

    public GrowingGroup {
        Objects.requireNonNull(group, "group");
        counts = List.copyOf(counts);
        Objects.requireNonNull(windowStart, "windowStart");
        Objects.requireNonNull(windowEnd, "windowEnd");
        Objects.requireNonNull(namedAt, "namedAt");
    }

    /** A suspect named for its growth in the latest sample, first named then. */
    public GrowingGroup(StackGroup group, List<Integer> counts, Instant windowStart, Instant windowEnd,
                        int growth, double growthPerSample, double growthPerMinute, double trend,
                        Instant oldestSeen, Duration oldestAge) {
        this(group, counts, windowStart, windowEnd, growth, growthPerSample, growthPerMinute, trend, oldestSeen,
                oldestAge, true, windowEnd, group.count());
    }

    /** The number of threads at the site now (in the latest sample). */
    public int count() {
        return group.count();
    }

    /** Their state ({@code WAITING}, {@code BLOCKED}, or {@code null} when the source gave none). */
    public Thread.State state() {
        return group.state();
    }

    /** Their common stack, innermost frame first. */
    public List<StackFrame> stack() {
        return group.stack();
    }

    /** What they wait on ({@code SynchronousQueue.put}) and the application line that blocked. */
    public WaitSite waitSite() {
        return group.waitSite();
    }

    /** Where one of them was started, or {@code null} when no agent recorded it. */
    public CreationSite creationSite() {
        return group.creationSite();
    }
}

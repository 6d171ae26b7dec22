package dev.leakhound.micrometer;

import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.Suspects;
import dev.leakhound.analysis.ThreadCounts;
import dev.leakhound.model.Deadlock;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one live capture of this JVM's threads says, analysed: immutable. Memory follows the groups, not the
 * threads: past {@link dev.leakhound.analysis.ThreadGrouping.Accumulator#KEEP_ALL} threads a group keeps examples
 * only.
 *
 * @param capturedAt  when the capture was taken
 * @param took        how long the capture and its analysis took
 * @param pid         the process id
 * @param runtime     the Java runtime's version
 * @param counts      threads by kind and state (all of them, the ignored ones included)
 * @param ignored     threads left out of the groups by the leak check's default ignores (the JDK's own threads,
 *                    carriers, Leakhound's)
 * @param groups      the threads but the ignored ones, grouped by state, blocker and stack, largest first
 * @param patterns    each group's likely leak pattern, by identity of the group
 * @param suspects    the groups blocked with no timeout that look like leaks, most telling first, and those set
 *                    apart (idle pools, JDK daemons)
 * @param deadlocks   cycles of threads each holding a lock the next one wants
 * @param deadlockSearchIncomplete whether more threads wanted locks than the search keeps
 */
public record Census(Instant capturedAt, Duration took, long pid, String runtime, ThreadCounts counts, long ignored,
                     List<StackGroup> groups, Map<StackGroup, PatternMatch> patterns, Suspects suspects,
                     List<Deadlock> deadlocks, boolean deadlockSearchIncomplete) {

    public Census {
        groups = List.copyOf(groups);
        patterns = java.util.Collections.unmodifiableMap(new java.util.IdentityHashMap<>(patterns));
        deadlocks = List.copyOf(deadlocks);
    }

    /** The pattern of one of {@link #groups()}, {@code null} for a group of another census. */
    public PatternMatch pattern(StackGroup group) {
        return patterns.get(group);
    }

    /** Threads in the deadlocks. */
    public int deadlockedThreads() {
        int n = 0;
        for (Deadlock d : deadlocks) {
            n += d.links().size();
        }
        return n;
    }
}

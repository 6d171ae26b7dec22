package dev.leakhound;

import dev.leakhound.analysis.Deadlocks;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.Patterns;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.Suspects;
import dev.leakhound.analysis.ThreadCounts;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.Deadlock;
import dev.leakhound.model.ThreadSnapshot;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One thread dump analysed as {@code leakhound threads} shows it: the threads handed over one at a time (a streamed
 * read of a dump of millions, or a live capture), counted by kind and state, grouped (past
 * {@link ThreadGrouping.Accumulator#KEEP_ALL} threads each group keeps examples only), the deadlocks found, each
 * group's likely pattern named with every thread as context (ignored ones too: a counterpart may be one), and the
 * suspects ranked. Not thread-safe; {@link #result} once all threads are in.
 */
public final class DumpAnalysis implements Consumer<ThreadSnapshot> {
    private final ThreadCounts counts = new ThreadCounts();
    private final Deadlocks finder = new Deadlocks();
    private final ThreadGrouping.Accumulator grouping = ThreadGrouping.Accumulator.bounded();
    private final Patterns patterns = Patterns.streaming();
    private final List<IgnoreRule> ignores;
    private long ignored;

    /**
     * @param ignoreDefaults whether the threads every leak check ignores by default ({@link DefaultIgnores}: the
     *                       JDK's own, carriers, test runners', Leakhound's) are left out of the groups, and counted
     */
    public DumpAnalysis(boolean ignoreDefaults) {
        this.ignores = ignoreDefaults ? DefaultIgnores.rules() : List.of();
    }

    @Override
    public void accept(ThreadSnapshot t) {
        counts.accept(t);
        finder.accept(t);
        patterns.accept(t);
        for (IgnoreRule rule : ignores) {
            if (rule.test(t)) {
                ignored++;
                return;
            }
        }
        grouping.accept(t);
    }

    /**
     * What the threads handed over say.
     *
     * @param printedByJvm the deadlocks the JVM printed in the dump (jstack, {@code Thread.print}), merged with the
     *                     ones found
     */
    public Result result(List<Deadlock> printedByJvm) {
        List<StackGroup> groups = grouping.groups();
        Suspects suspects = Suspects.of(groups, patterns, g -> null, DefaultIgnores.JDK_THREADS::test);
        Map<StackGroup, PatternMatch> byGroup = new IdentityHashMap<>();
        for (Suspects.Suspect s : suspects.suspects()) {
            byGroup.put(s.group(), s.pattern());             // named once, when ranked
        }
        for (StackGroup g : groups) {
            byGroup.computeIfAbsent(g, patterns::classify);
        }
        return new Result(counts, ignored, groups, Collections.unmodifiableMap(byGroup), suspects,
                finder.merged(printedByJvm), finder.incomplete());
    }

    /**
     * An analysed dump.
     *
     * @param counts    threads by kind and state, all of them (the ignored ones included)
     * @param ignored   threads left out of the groups by the default ignores
     * @param groups    the other threads, grouped by state, blocker and stack, largest first
     * @param patterns  each group's likely leak pattern, by identity of the group
     * @param suspects  the groups blocked with no timeout, ranked, and those set apart (idle pools, JDK daemons)
     * @param deadlocks the deadlocks, found from the locks or printed by the JVM, each once
     * @param deadlockSearchIncomplete whether more threads wanted locks than the search keeps
     */
    public record Result(ThreadCounts counts, long ignored, List<StackGroup> groups,
                         Map<StackGroup, PatternMatch> patterns, Suspects suspects, List<Deadlock> deadlocks,
                         boolean deadlockSearchIncomplete) {
    }
}

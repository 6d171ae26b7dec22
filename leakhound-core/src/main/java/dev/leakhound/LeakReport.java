package dev.leakhound;

import dev.leakhound.analysis.LeakPattern;
import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.Patterns;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.capture.CreationSites;
import dev.leakhound.model.Deadlock;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.report.DeadlockReport;
import dev.leakhound.report.TextReport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a leak check: the threads left behind, grouped by state, blocker and stack, largest group
 * first. Empty when nothing leaked. Immutable.
 *
 * @param groups        the leaked threads, grouped
 * @param capturedAt    when the last capture was taken
 * @param totalThreads  how many threads the last capture saw, ignored ones included
 * @param attempts      how many captures the check made
 * @param waited        how long it waited for threads to end
 * @param showAllFrames whether {@link #toString()} lists JDK frames
 * @param notes         remarks to show with the report, e.g. that the check ran per class
 * @param deadlocks     the deadlocks among the leaked threads (each also counted in its group)
 * @param patterns      each group's leak pattern, in the order of {@code groups}, named with every thread of the
 *                      capture as context (a counterpart the check ignores, a lock's owner, counts); {@code null}
 *                      names them from the leaked threads alone
 */
public record LeakReport(List<StackGroup> groups, Instant capturedAt, int totalThreads, int attempts, Duration waited,
                         boolean showAllFrames, List<String> notes, List<Deadlock> deadlocks,
                         List<PatternMatch> patterns) {

    /** Ends a report none of whose threads has a start site, when the agent is not loaded: how to load it. */
    static final String NO_AGENT = """
            (where these threads were started was not recorded: the Leakhound agent records it, and the report then \
            names the line that started each thread. Load the agent into the JVM that runs the check: in a Maven \
            build, add the test dependency dev.leakhound:leakhound-agent, run maven-dependency-plugin's \
            "properties" goal and give Surefire <argLine>-javaagent:${dev.leakhound:leakhound-agent:jar}</argLine>; \
            elsewhere, run java with -javaagent:/path/to/leakhound-agent.jar)""";

    /** The same, when the agent is loaded but did not record these threads. */
    static final String NOT_RECORDED_BY_AGENT = "(where these threads were started was not recorded: they were started"
            + " before the Leakhound agent began recording, or its table of threads was full)";

    public LeakReport {
        groups = List.copyOf(groups);
        notes = List.copyOf(notes);
        deadlocks = List.copyOf(deadlocks);
        if (patterns == null) {
            Patterns p = Patterns.of(groups.stream().flatMap(g -> g.threads().stream()).toList());
            patterns = groups.stream().map(p::classify).toList();
        }
        patterns = List.copyOf(patterns);
        if (patterns.size() != groups.size()) {
            throw new IllegalArgumentException(patterns.size() + " patterns for " + groups.size() + " groups");
        }
    }

    /** A report whose patterns are named from the leaked threads alone. */
    public LeakReport(List<StackGroup> groups, Instant capturedAt, int totalThreads, int attempts, Duration waited,
                      boolean showAllFrames, List<String> notes, List<Deadlock> deadlocks) {
        this(groups, capturedAt, totalThreads, attempts, waited, showAllFrames, notes, deadlocks, null);
    }

    /** A report without deadlocks. */
    public LeakReport(List<StackGroup> groups, Instant capturedAt, int totalThreads, int attempts, Duration waited,
                      boolean showAllFrames, List<String> notes) {
        this(groups, capturedAt, totalThreads, attempts, waited, showAllFrames, notes, List.of());
    }

    public boolean isEmpty() {
        return groups.isEmpty();
    }

    /** The number of leaked threads. */
    public int count() {
        return groups.stream().mapToInt(StackGroup::count).sum();
    }

    public List<ThreadSnapshot> leakedThreads() {
        List<ThreadSnapshot> out = new ArrayList<>();
        groups.forEach(g -> out.addAll(g.threads()));
        return out;
    }

    /** The same report with a note added. */
    public LeakReport withNote(String note) {
        List<String> more = new ArrayList<>(notes);
        more.add(note);
        return new LeakReport(groups, capturedAt, totalThreads, attempts, waited, showAllFrames, more, deadlocks,
                patterns);
    }

    /** {@code , 2 of them deadlocked}, or nothing. */
    private String deadlockCount() {
        if (deadlocks.isEmpty()) {
            return "";
        }
        int n = DeadlockReport.threadCount(deadlocks);
        return ", " + n + (deadlocks.size() == 1 ? " of them in a deadlock" : " of them in " + deadlocks.size()
                + " deadlocks");
    }

    /** The report for people: a summary line, then each group with its stack. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (isEmpty()) {
            sb.append("leakhound: no leaked threads");
        } else {
            int n = count();
            sb.append("leakhound: found ").append(n).append(n == 1 ? " leaked thread" : " leaked threads")
              .append(" in ").append(groups.size()).append(groups.size() == 1 ? " group" : " groups")
              .append(deadlockCount())
              .append(" (still there after ").append(attempts).append(attempts == 1 ? " capture" : " captures")
              .append(" over ").append(waited.toMillis()).append(" ms)");
            List<PatternMatch> patterns = patterns();
            Map<StackGroup, PatternMatch> byGroup = new IdentityHashMap<>();
            for (int i = 0; i < groups.size(); i++) {
                byGroup.put(groups.get(i), patterns.get(i));
            }
            long matched = patterns.stream().filter(m -> m.pattern() != LeakPattern.UNCLASSIFIED).count();
            sb.append("; ").append(matched).append(" of ").append(groups.size())
              .append(groups.size() == 1 ? " group matches" : " groups match").append(" a leak pattern\n\n");
            if (!deadlocks.isEmpty()) {
                sb.append(DeadlockReport.text(deadlocks).replace("\n== ", "\n\n== ")).append('\n');
            }
            sb.append(TextReport.groups(groups, byGroup::get, showAllFrames));
            if (groups.stream().allMatch(g -> g.creationSite() == null)) {
                sb.append('\n').append(CreationSites.recording() ? NOT_RECORDED_BY_AGENT : NO_AGENT).append('\n');
            }
        }
        for (String note : notes) {
            sb.append("\nnote: ").append(note);
        }
        return sb.toString().stripTrailing();
    }
}

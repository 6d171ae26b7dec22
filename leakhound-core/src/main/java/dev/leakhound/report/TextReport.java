package dev.leakhound.report;

import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.WaitSite;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Renders thread groups as text for people: what they wait on in plain words, the application line that
 * blocked, where they were started, and the stack with the JDK's internals folded.
 */
public final class TextReport {
    private static final int MAX_THREAD_LABELS = 10;

    private TextReport() {
    }

    /** One group, as a block of lines ending in a newline. */
    public static String group(StackGroup g, boolean showAllFrames) {
        return group(g, null, showAllFrames);
    }

    /** One group with its pattern ({@code pattern} and {@code fix} lines; none when {@code pattern} is null). */
    public static String group(StackGroup g, PatternMatch pattern, boolean showAllFrames) {
        StringBuilder sb = new StringBuilder();
        appendGroup(sb, g, pattern, showAllFrames);
        return sb.toString();
    }

    /** Groups separated by blank lines. */
    public static String groups(List<StackGroup> groups, boolean showAllFrames) {
        return groups(groups, g -> null, showAllFrames);
    }

    /** Groups separated by blank lines, each with its pattern (none where {@code patterns} gives null). */
    public static String groups(List<StackGroup> groups, Function<StackGroup, PatternMatch> patterns,
                                boolean showAllFrames) {
        StringBuilder sb = new StringBuilder();
        for (StackGroup g : groups) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            appendGroup(sb, g, patterns.apply(g), showAllFrames);
        }
        return sb.toString();
    }

    /**
     * The lines of a group's pattern, each ending in a newline: {@code pattern  ID (CERTAINTY: EVIDENCE)}, then
     * {@code fix  FIX} (none for an unclassified group), as fields of width {@code nameWidth}.
     */
    public static String patternLines(PatternMatch p, int nameWidth) {
        StringBuilder sb = new StringBuilder();
        sb.append(TextFormat.field("pattern", nameWidth, p.pattern().id() + " (" + p.certainty().id() + ": "
                + p.evidence() + ")")).append('\n');
        if (p.pattern().fix() != null) {
            sb.append(TextFormat.field("fix", nameWidth, p.pattern().fix())).append('\n');
        }
        return sb.toString();
    }

    /** The headline of a group: {@code 2 virtual threads WAITING in SynchronousQueue.put, parked on ...}. */
    public static String headline(StackGroup g) {
        StringBuilder sb = new StringBuilder();
        int n = g.count();
        long virtual = g.virtualCount();
        String kind = virtual == n ? "virtual" : virtual == 0 ? "platform" : "platform and virtual";
        sb.append(n).append(' ').append(kind).append(n == 1 ? " thread" : " threads");
        sb.append(' ').append(g.state() == null ? "in unknown state" : g.state().name());
        WaitSite w = g.waitSite();
        if (w.call() != null) {
            sb.append(" in ").append(w.call());
        }
        if (g.blockerKind() != null) {
            Set<String> objects = g.blockerObjects();
            sb.append(", ").append(g.blockerKind().words()).append(' ');
            if (!g.complete()) {                     // only the first threads are known one by one
                sb.append("objects of ").append(g.blockerClass()).append(" (").append(objects.size())
                        .append(" distinct among the ").append(g.threads().size()).append(" threads listed)");
            } else if (objects.size() == 1) {
                sb.append(objects.iterator().next());
            } else {
                sb.append(objects.size()).append(" objects of ").append(g.blockerClass());
            }
        }
        return sb.toString();
    }

    private static void appendGroup(StringBuilder sb, StackGroup g, PatternMatch pattern, boolean showAllFrames) {
        sb.append(headline(g)).append('\n');
        WaitSite w = g.waitSite();
        if (w.blockingFrame() != null) {
            field(sb, "blocked at", w.blockingFrame().toString());
        }
        if (pattern != null) {
            sb.append(patternLines(pattern, NAME_WIDTH));
        }
        List<String> started = startSiteLines(g);
        for (int i = 0; i < started.size(); i++) {
            field(sb, i == 0 ? "started at" : "", started.get(i));
        }
        field(sb, n(g.count(), "thread"), threadLabels(g.threads(), g.count()));
        String pools = ThreadPools.text(g);
        if (pools != null) {
            // the container, when the dump gives one, with its class and the threads' names; else the names alone
            List<ThreadPools.Pool> each = ThreadPools.of(g);
            String name = each.stream().noneMatch(p -> p.container() != null) ? "pool"
                    : each.size() == 1 ? "container" : "containers";
            field(sb, name, pools + (g.complete() ? "" : " (of the threads listed)"));
            if (g.idlePoolWorkers() && g.blockedWithoutTimeout()) {
                field(sb, "idle", "workers waiting for a task: they end only when the pool is shut down"
                        + " (shutdown() or close() it when done)");
            }
        }
        Set<String> containers = g.containers();
        if (!containers.isEmpty() && pools == null) {
            field(sb, containers.size() == 1 ? "container" : "containers", String.join(", ", containers)
                    + (g.complete() ? "" : " (of the threads listed)"));
        }
        Long owner = g.threads().get(0).blocker() == null ? null : g.threads().get(0).blocker().ownerId();
        if (owner != null && g.blockerKind() == Blocker.Kind.PARKED_ON) {
            field(sb, "lock owner", "#" + owner);
        }
        sb.append("  stack\n");
        appendStack(sb, g.stack(), w.callFrame(), showAllFrames);
    }

    /** Start sites listed at most per group; the rest are summed up in one line. */
    public static final int MAX_START_SITES = 10;

    /**
     * Where the group's threads were started, one line each: {@code F by "creator"} when all were started at one
     * recorded place; else {@code 5 threads at F by "creator", called from C} per start site, most first, and
     * {@code 2 without a recorded start site (...)}. Empty when no start was recorded.
     */
    public static List<String> startSiteLines(StackGroup g) {
        List<StackGroup.StartSite> sites = g.startSites();
        if (sites.isEmpty()) {
            return List.of();
        }
        if (!g.mixedStartSites()) {
            return List.of(where(sites.get(0).site()));
        }
        List<String> out = new java.util.ArrayList<>();
        int shown = Math.min(sites.size(), MAX_START_SITES);
        for (int i = 0; i < shown; i++) {
            StackGroup.StartSite s = sites.get(i);
            List<StackFrame> key = s.site().groupingKey();
            out.add(TextFormat.plural(s.count(), "thread") + " at " + where(s.site())
                    + (key.size() > 1 ? ", called from " + key.get(1) : ""));
        }
        int rest = g.otherStartSites();
        for (int i = shown; i < sites.size(); i++) {
            rest += sites.get(i).count();
        }
        if (rest > 0) {
            out.add(TextFormat.plural(rest, "thread") + " at other start sites");
        }
        if (g.withoutStartSite() > 0) {
            out.add(g.withoutStartSite() + " without a recorded start site (started before the agent was loaded,"
                    + " or not recorded)");
        }
        return out;
    }

    /**
     * {@code F by "creator"}; for a pool's worker {@code pool created at P; worker started at F by "creator"}: the
     * pool's line is the one to fix, the worker's only where the pool first got work.
     */
    public static String where(CreationSite site) {
        String started = site.startingFrame() + (site.creator() != null ? " by \"" + site.creator() + "\"" : "");
        StackFrame pool = site.poolCreatedAt();
        return pool == null ? started : "pool created at " + pool + "; worker started at " + started;
    }

    private static String n(int count, String word) {
        return count == 1 ? word : word + "s";
    }

    /** Width of a group's field names. */
    public static final int NAME_WIDTH = 11;

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(TextFormat.field(name, NAME_WIDTH, value)).append('\n');
    }

    /** The first threads' labels, and how many more the group has. */
    private static String threadLabels(List<ThreadSnapshot> threads, int count) {
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(threads.size(), MAX_THREAD_LABELS);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(threads.get(i).label());
        }
        if (count > shown) {
            sb.append(" and ").append(count - shown).append(" more");
        }
        return sb.toString();
    }

    /**
     * Application frames and the call the thread is blocked in are always shown; runs of other JDK
     * frames are folded into one line unless {@code showAllFrames}.
     */
    static void appendStack(StringBuilder sb, List<StackFrame> stack, StackFrame callFrame,
                            boolean showAllFrames) {
        if (stack.isEmpty()) {
            sb.append("    (no Java frames)\n");
            return;
        }
        int folded = 0;
        boolean callSeen = false;
        for (StackFrame f : stack) {
            boolean isCall = !callSeen && f.equals(callFrame);
            callSeen |= isCall;
            if (showAllFrames || isCall || !f.isJdk()) {
                if (folded > 0) {
                    sb.append("      ... ").append(folded).append(folded == 1 ? " JDK frame\n" : " JDK frames\n");
                    folded = 0;
                }
                sb.append("    ").append(f).append('\n');
            } else {
                folded++;
            }
        }
        if (folded > 0) {
            sb.append("      ... ").append(folded).append(folded == 1 ? " JDK frame\n" : " JDK frames\n");
        }
    }
}

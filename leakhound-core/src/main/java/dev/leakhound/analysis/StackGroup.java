package dev.leakhound.analysis;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.CreationSite;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Threads in the same state, blocked on the same kind of object, with the same stack: one line of a
 * pprof-style grouped dump ({@code goroutine?debug=1}).
 *
 * @param state        their state, or {@code null} when unknown
 * @param blockerKind  how they are blocked, or {@code null} when not blocked on an object
 * @param blockerClass the class of the object they are blocked on, or {@code null}
 * @param stack        their common stack
 * @param threads      the threads, in capture order; never empty. All of them, except in a group of a dump too
 *                     large to keep ({@link ThreadGrouping.Accumulator#bounded()}): then the first ones, and
 *                     {@link #complete()} is false
 * @param count        how many threads the group has
 * @param virtualCount how many of them are virtual threads
 * @param startSites   where the agent recorded its threads were started, most threads first (counted over all
 *                     {@code count} threads, listed or not); empty when none was recorded
 * @param withoutStartSite how many of its threads have no recorded start site (started before the agent was
 *                     attached, or not recorded)
 * @param otherStartSites how many of its threads were started at sites beyond the
 *                     {@value ThreadGrouping#MAX_START_SITES} counted
 */
public record StackGroup(Thread.State state, Blocker.Kind blockerKind, String blockerClass,
                         List<StackFrame> stack, List<ThreadSnapshot> threads, int count, long virtualCount,
                         List<StartSite> startSites, int withoutStartSite, int otherStartSites) {

    /**
     * One place the group's threads were started ({@link CreationSite#groupingKey()}: the starting line and its
     * caller), and how many of them were.
     *
     * @param site  the first such thread's creation site: its frames and creator stand for all of them
     * @param count how many threads of the group were started there
     */
    public record StartSite(CreationSite site, int count) {
        public StartSite {
            Objects.requireNonNull(site, "site");
        }
    }

    public StackGroup {
        stack = List.copyOf(stack);
        threads = List.copyOf(threads);
        startSites = List.copyOf(startSites);
        if (threads.isEmpty()) {
            throw new IllegalArgumentException("a group has at least one thread");
        }
        if (count < threads.size() || virtualCount < 0 || virtualCount > count) {
            throw new IllegalArgumentException("counts out of range: " + count + " threads, " + virtualCount
                    + " virtual, " + threads.size() + " listed");
        }
    }

    /** A group of all these threads. */
    public StackGroup(Thread.State state, Blocker.Kind blockerKind, String blockerClass,
                      List<StackFrame> stack, List<ThreadSnapshot> threads) {
        this(state, blockerKind, blockerClass, stack, threads, threads.size(),
                threads.stream().filter(ThreadSnapshot::virtual).count());
    }

    /** A group whose start sites are those of the threads listed. */
    public StackGroup(Thread.State state, Blocker.Kind blockerKind, String blockerClass,
                      List<StackFrame> stack, List<ThreadSnapshot> threads, int count, long virtualCount) {
        this(state, blockerKind, blockerClass, stack, threads, count, virtualCount, startsOf(threads));
    }

    private StackGroup(Thread.State state, Blocker.Kind blockerKind, String blockerClass, List<StackFrame> stack,
                       List<ThreadSnapshot> threads, int count, long virtualCount, ThreadGrouping.StartCounts starts) {
        this(state, blockerKind, blockerClass, stack, threads, count, virtualCount, starts.sites(), starts.without,
                starts.other);
    }

    private static ThreadGrouping.StartCounts startsOf(List<ThreadSnapshot> threads) {
        ThreadGrouping.StartCounts c = new ThreadGrouping.StartCounts();
        for (ThreadSnapshot t : threads) {
            c.add(t.creationSite());
        }
        return c;
    }

    /** Whether {@link #threads()} holds every thread of the group (else the first ones). */
    public boolean complete() {
        return threads.size() == count;
    }

    /** What they wait on; computed from the first thread (all share stack, state and blocker class). */
    public WaitSite waitSite() {
        return WaitSite.of(threads.get(0));
    }

    /**
     * Whether its threads are a pool's idle workers: every frame the JDK's, waiting for a task in
     * {@code ThreadPoolExecutor.getTask} (scheduled pools too), {@code ForkJoinPool}'s worker loop or a
     * {@code Timer}'s. They never end unless the pool is shut down, and a live pool looks the same.
     */
    public boolean idlePoolWorkers() {
        boolean pool = false;
        for (StackFrame f : stack) {
            if (!f.isJdk()) {
                return false;
            }
            String c = f.className();
            String m = f.methodName();
            pool |= c.equals("java.util.concurrent.ThreadPoolExecutor") && m.equals("getTask")
                    || c.equals("java.util.concurrent.ForkJoinPool") && (m.equals("awaitWork") || m.equals("runWorker"))
                    || c.equals("java.util.TimerThread") && m.equals("mainLoop");
        }
        return pool;
    }

    public boolean blockedWithoutTimeout() {
        return WaitSite.isBlockedWithoutTimeout(threads.get(0));
    }

    /** The distinct containers (executors) of the threads listed, in order of appearance. */
    public Set<String> containers() {
        Set<String> out = new LinkedHashSet<>();
        for (ThreadSnapshot t : threads) {
            if (t.container() != null) {
                out.add(t.container());
            }
        }
        return out;
    }

    /** The distinct blocker objects (class and identity) of the threads listed, in order of appearance. */
    public Set<String> blockerObjects() {
        Set<String> out = new LinkedHashSet<>();
        for (ThreadSnapshot t : threads) {
            if (t.blocker() != null) {
                out.add(t.blocker().objectText());
            }
        }
        return out;
    }

    /** The creation site of the start site with the most threads, or {@code null} when none was recorded. */
    public CreationSite creationSite() {
        return startSites.isEmpty() ? null : startSites.get(0).site();
    }

    /** Whether its threads were started at more than one recorded place, or only some of them at a recorded one. */
    public boolean mixedStartSites() {
        return startSites.size() > 1 || !startSites.isEmpty() && (withoutStartSite > 0 || otherStartSites > 0);
    }
}

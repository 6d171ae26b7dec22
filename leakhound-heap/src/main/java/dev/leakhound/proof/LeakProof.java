package dev.leakhound.proof;

import dev.leakhound.analysis.PatternMatch;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.model.ThreadDump;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JVM's counterpart of Go's {@code goroutineleak} profile, on a heap dump: the threads that are blocked with no
 * timeout on something no running thread can reach, and so will never wake.
 *
 * <h2>The proof</h2>
 * <ol>
 *   <li>Candidates ({@link Candidates}): threads, platform and virtual, parked with no timeout, in
 *       {@code Object.wait()} with no timeout, or waiting to enter a monitor, as {@link DumpThreads} reads them.
 *       Sleeping and timed waits never qualify.</li>
 *   <li>Mark from the roots ({@link Marking}): the GC roots of the dump, and every thread that is not a candidate
 *       with its frames (it runs, or wakes by itself, and can then use anything its frames hold) — but not the
 *       candidates' own thread roots and frames. A virtual thread's frames are followed from its {@code Thread}
 *       object, as the GC does (the dump's per-virtual-thread root records are not GC roots). Not followed: the
 *       references that exist for observability only ({@link Exclusions#OBSERVABILITY}), a
 *       {@code PhantomReference}'s referent, and the dump's {@code MONITOR_USED} roots (a monitor is notified by code
 *       that holds it, not by the VM).</li>
 *   <li>A candidate whose {@code Thread} object is marked (someone may interrupt or unpark it), or whose blocker
 *       is (someone may release it: the park blocker; for {@code Object.wait}, any object its {@code Object.wait}
 *       frames hold but the thread itself, the monitor being among them), is rescued: its thread and frames are
 *       marked too, and marking goes on, until no candidate is rescued in a round (a rescued thread can rescue
 *       others; a thread that holds the monitor is rescued or not like any other). The threads of a deadlock
 *       ({@link Deadlocks}: each holds what the next wants, from the heap's lock owners and, for monitors, from a
 *       thread dump of the same JVM) are never rescued by a reference: no one but an owner can release, and
 *       entering a monitor or {@code lock()} ignores interrupts; a cycle with a member waiting interruptibly is
 *       rescued when that member's {@code Thread} is marked. Likewise a thread in {@code lock()} of a JDK lock
 *       ({@code ReentrantLock}, {@code ReentrantReadWriteLock}) is rescued only once the lock's owner runs or is
 *       rescued, and never when the owner has ended.</li>
 *   <li>What remains is leaked for certain, grouped by stack and what they wait on ({@link Grouping}; a deadlock's
 *       threads are one group), each named its leak pattern ({@link Patterns}), with the heap that only they keep
 *       alive ({@link RetainedSizes}; what two leaked groups share counts in neither; a virtual thread's stack at
 *       its {@code StackChunk}'s {@code size}, which the dump gives, since the chunk's frames are written as no
 *       field).</li>
 *   <li>For the rescued groups, the shortest chain of references from something live to what rescued them, and
 *       to the executors of the pools the groups work for ({@link Pools}), root end first: the static field, the
 *       thread's frame, the JNI reference that holds them ({@link ShortestPaths}). This explains; it changes no
 *       verdict.</li>
 * </ol>
 * Before all, a dump that cannot support a proof is refused ({@link Refusal}). All walks follow one {@link Graph}:
 * the references less the {@link Exclusions}, and a virtual thread's frames from its {@code Thread} object.
 * <h2>What it assumes</h2>
 * A leak is claimed only where the dump shows everything that could reach the thread. Rules that keep it so: weak,
 * soft and finalizer references count as strong (live code may {@code get()} them; only a
 * {@code PhantomReference}'s referent is left out); a thread waiting on a {@code ReferenceQueue} is never claimed
 * (the GC fills queues); a thread in {@code Object.wait} is claimed only when its {@code Object.wait} frames hold
 * something besides the thread (compiled frames hold nothing: then the dump does not name the monitor) and none of
 * it is reachable; a thread entering a monitor only in a deadlock (no dump says who holds a monitor); a thread
 * with an interrupt pending, or a virtual thread already given its permit, monitor or notification, is not a
 * candidate; a dump in which live virtual threads have no thread root (JDK 21, 22) is refused. Enumerating threads
 * is not a way to reach one: the VM's thread list (JDK 19 on) and a thread group's array of its threads (JDK 18 and
 * earlier, {@link Exclusions#OBSERVABILITY}) are not followed, so code that wakes workers by enumerating or
 * interrupting a whole thread group ({@code ThreadGroup.interrupt()}) is not seen. Not seen by any dump, and so
 * assumed absent: references held only by the VM or by JIT-compiled code (scalar-replaced locals,
 * values behind {@code ClassValue} or a hidden class's class data), threads that run between the dump's thread
 * records and its heap records. Dead locals of interpreted frames still look like references (HPROF has no
 * bytecode index): they can only rescue a thread. Taking two dumps a while apart and finding the same threads
 * claimed in both rules out the races.
 */
public final class LeakProof {
    private LeakProof() {
    }

    /**
     * About the Java heap the index and a proof of it take at their peak, in bytes: the index's object table and roots,
     * per object a parent for the paths (up to {@link ShortestPaths#MAX_OBJECTS}) and a few bits, per thread about
     * 400 bytes, and 64 MB for the rest (classes, names, frames, the JVM's own). Measured: a dump of 19.2M objects
     * and 100k threads, estimated at 460 MB (17 MB of it the object table's rank directory), is proven in
     * {@code -Xmx512m}. To say what a dump that did not fit needed.
     */
    public static long heapNeeded(HeapIndex index) {
        long objects = index.objectCount();
        long threads = index.threads().size();
        long perObject = (objects <= ShortestPaths.MAX_OBJECTS ? 4 : 0) * objects + objects * 5 / 8;
        return index.objectTableBytes() + 25L * index.roots().size() + perObject + 400 * threads + (64L << 20);
    }

    /** Runs the proof on an indexed dump. */
    public static ProofResult prove(HeapIndex index) throws IOException {
        return prove(index, null);
    }

    /**
     * Runs the proof on an indexed dump, with a thread dump of the same JVM ({@code null} if none) for the owners of
     * monitors, which no heap dump records: a deadlock on {@code synchronized} is proven only with it.
     */
    public static ProofResult prove(HeapIndex index, ThreadDump threadDump) throws IOException {
        return prove(index, threadDump, WorkList.MAX);
    }

    /**
     * {@link #prove(HeapIndex, ThreadDump)} with the walks' stacks cut at {@code queueMax} entries (tests their
     * overflow: {@link WorkList}).
     */
    static ProofResult prove(HeapIndex index, ThreadDump threadDump, int queueMax) throws IOException {
        Exclusions exclusions = Exclusions.resolve(index);
        List<WaitingThread> threads = DumpThreads.read(index);
        String refused = Refusal.why(index, threads);
        if (refused != null) {
            return new ProofResult(List.of(), List.of(), threads.size(), 0, 0, 0, refused);
        }
        FrameRefs frames = FrameRefs.read(index.roots());
        Candidates candidates = Candidates.of(threads);
        Graph graph = new Graph(index, exclusions, frames, threads);
        List<Deadlocks.Cycle> cycles = Deadlocks.find(index, candidates.all(), threadDump);
        Marking marking = new Marking(graph, frames, candidates, cycles, threadDump != null, queueMax);
        marking.markWhatRuns(threads);
        marking.rescueUntilNoneWakes();

        // a deadlock's threads are one group, whatever their stacks
        Map<WaitingThread, Deadlocks.Cycle> cycleOf = new IdentityHashMap<>();
        for (Deadlocks.Cycle c : cycles) {
            if (marking.notRescued().containsAll(c.threads())) {
                c.threads().forEach(t -> cycleOf.put(t, c));
            }
        }
        List<List<WaitingThread>> leakedGroups = new ArrayList<>();
        for (Deadlocks.Cycle c : cycles) {
            if (cycleOf.get(c.threads().get(0)) == c) {
                leakedGroups.add(new ArrayList<>(c.threads()));
            }
        }
        leakedGroups.addAll(Grouping.group(graph, marking.notRescued().stream().filter(t -> !cycleOf.containsKey(t))
                .toList()));
        List<long[]> retained = RetainedSizes.of(graph, marking, frames, leakedGroups, queueMax);

        Map<WaitingThread, Reason> why = marking.rescued();
        List<List<WaitingThread>> rescuedGroups = Grouping.group(graph, new ArrayList<>(why.keySet()));
        rescuedGroups.sort((a, b) -> Integer.compare(b.size(), a.size()));

        // Step 5: the paths, to what rescued each group (the largest first) and to the live pools they work for
        Map<List<WaitingThread>, Long> executors = new IdentityHashMap<>();
        for (List<List<WaitingThread>> groups : List.of(leakedGroups, rescuedGroups)) {
            for (List<WaitingThread> g : groups) {
                long executor = Pools.executorOf(index, g.get(0));
                if (executor != 0) {
                    executors.put(g, executor);
                }
            }
        }
        Set<Long> targets = new LinkedHashSet<>();
        for (List<WaitingThread> g : rescuedGroups.subList(0, Math.min(ShortestPaths.MAX_TARGETS, rescuedGroups.size()))) {
            targets.add(why.get(g.get(0)).target());
        }
        int pools = 0;
        for (long executor : executors.values()) {
            if (marking.isLive(index.ordinal(executor)) && pools++ < ShortestPaths.MAX_TARGETS) {
                targets.add(executor);
            }
        }
        Map<Long, ProofResult.Path> paths = ShortestPaths.find(graph, marking.seeds(), targets);
        Map<Long, WaitingThread> byObject = new HashMap<>();
        threads.forEach(t -> byObject.put(t.objectId(), t));
        Set<Long> leakedIds = new HashSet<>();
        marking.notRescued().forEach(t -> leakedIds.add(t.objectId()));
        Explained explained = new Explained(graph, marking, executors, paths, cycleOf, byObject, leakedIds);

        return new ProofResult(leaked(graph, leakedGroups, retained, explained),
                rescued(graph, rescuedGroups, why, explained), threads.size(), candidates.size(), marking.rounds(),
                marking.liveCount(), null);
    }

    /** What explains a group beside its verdict: the pool it works for, the paths. */
    private record Explained(Graph graph, Marking marking, Map<List<WaitingThread>, Long> executors,
                             Map<Long, ProofResult.Path> paths, Map<WaitingThread, Deadlocks.Cycle> cycleOf,
                             Map<Long, WaitingThread> threads, Set<Long> leaked) {
        PatternMatch pattern(List<WaitingThread> group) {
            return Patterns.leaked(graph.index(), group, pool(group), cycleOf.get(group.get(0)), threads, leaked);
        }

        ProofResult.Pool pool(List<WaitingThread> group) {
            Long executor = executors.get(group);
            if (executor == null) {
                return null;
            }
            boolean live = marking.isLive(graph.index().ordinal(executor));
            ProofResult.Path heldBy = !live ? null
                    : paths.getOrDefault(executor, ShortestPaths.notTracedBeyondTargets());
            return new ProofResult.Pool(graph.className(executor), Pools.namePattern(group), live, heldBy);
        }

        /** The path to what rescued the group; {@code null} when it was rescued by no reference. */
        ProofResult.Path path(Reason reason, int rank) {
            ProofResult.Path p = paths.get(reason.target());
            return p != null || rank < ShortestPaths.MAX_TARGETS ? p : ShortestPaths.notTracedBeyondTargets();
        }
    }

    /** The leaked groups with their retained sizes (-1 where not computed), the largest first. */
    private static List<ProofResult.LeakedGroup> leaked(Graph graph, List<List<WaitingThread>> groups,
                                                        List<long[]> retained, Explained explained) {
        List<ProofResult.LeakedGroup> leaked = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            List<WaitingThread> g = groups.get(i);
            WaitingThread first = g.get(0);
            long[] r = i < retained.size() ? retained.get(i) : new long[] {-1, -1};
            leaked.add(new ProofResult.LeakedGroup(first.stack(), first.waitKind(), Grouping.blockerClass(graph, first),
                    List.copyOf(g), r[0], r[1], explained.pool(g), explained.pattern(g)));
        }
        leaked.sort((a, b) -> Integer.compare(b.count(), a.count()));
        return leaked;
    }

    /** The rescued groups with why and the path to what rescued their first thread, the largest first. */
    private static List<ProofResult.Rescued> rescued(Graph graph, List<List<WaitingThread>> groups,
                                                     Map<WaitingThread, Reason> why, Explained explained) {
        List<ProofResult.Rescued> rescued = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            List<WaitingThread> g = groups.get(i);
            WaitingThread first = g.get(0);
            Reason r = why.get(first);
            rescued.add(new ProofResult.Rescued(first.stack(), first.waitKind(), Grouping.blockerClass(graph, first),
                    List.copyOf(g), r.text(), explained.path(r, i), explained.pool(g), Patterns.notProven(r.text())));
        }
        rescued.sort((a, b) -> Integer.compare(b.count(), a.count()));
        return rescued;
    }
}

package dev.leakhound.proof;

import dev.leakhound.hprof.RootKind;
import dev.leakhound.hprof.index.GcRoots;
import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.proof.WaitingThread.Wait;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Steps 2 and 3: marks what running code can reach (a bit per object, by ordinal), then rescues the candidates that
 * may still wake, round after round, until no candidate is rescued in a round. The candidates left are leaked.
 */
final class Marking {
    /** A place marking starts from, and how to say it (the live end of a path): {@link ProofResult.Root}'s. */
    record Seed(long id, ProofResult.Root.Kind kind, String name) {
    }

    private final Graph graph;
    private final HeapIndex index;
    private final FrameRefs frames;
    private final Candidates candidates;
    private final long[] live;
    /** What is marked and not followed yet (bounded: {@link WorkList}). */
    private final WorkList work;
    private final java.util.function.LongConsumer markTarget = this::markOrdinal;   // one, not one per object drained
    private final WorkList.Follow follow = this::follow;
    private final List<Seed> seeds = new ArrayList<>();
    private final Map<WaitingThread, Deadlocks.Cycle> cycleOf = new java.util.IdentityHashMap<>();
    private final Map<WaitingThread, Long> lockOwners;
    /**
     * The candidates not rescued yet that own a lock another candidate wants, by object id (few: no map of every
     * thread); a rescued one leaves it.
     */
    private final java.util.Set<Long> owners = new java.util.HashSet<>();
    private final boolean threadDumpGiven;
    private List<WaitingThread> notRescued;
    private final Map<WaitingThread, Reason> rescued = new LinkedHashMap<>();
    private int rounds;

    Marking(Graph graph, FrameRefs frames, Candidates candidates, List<Deadlocks.Cycle> cycles, boolean threadDumpGiven,
            int queueMax) {
        this.graph = graph;
        this.index = graph.index();
        this.work = new WorkList(index.objectCount(), queueMax);
        this.frames = frames;
        this.candidates = candidates;
        this.live = Bits.forObjects(index.objectCount());
        for (Deadlocks.Cycle cycle : cycles) {
            for (WaitingThread t : cycle.threads()) {
                cycleOf.put(t, cycle);
            }
        }
        this.threadDumpGiven = threadDumpGiven;
        this.lockOwners = Deadlocks.lockOwners(index, candidates.all());
        java.util.Set<Long> owning = new java.util.HashSet<>(lockOwners.values());
        for (WaitingThread t : candidates.all()) {
            if (owning.contains(t.objectId())) {
                owners.add(t.objectId());
            }
        }
        this.notRescued = new ArrayList<>(candidates.all());
        rescued.putAll(candidates.excused());
    }

    /**
     * Step 2: marks from the GC roots of the dump, but not the monitors in use (a monitor is notified by code that
     * holds it, not by the VM) nor what belongs to candidates or to virtual threads, and from every thread that is
     * not a candidate (it runs, or wakes by itself), a virtual one with its frames; then rescues the candidates
     * excused up front.
     */
    void markWhatRuns(List<WaitingThread> threads) {
        Map<Integer, WaitingThread> bySerial = new HashMap<>();
        for (WaitingThread t : threads) {
            bySerial.putIfAbsent(t.serial(), t);
        }
        for (WaitingThread t : threads) {
            if (!t.waitKind().untimed() && t.virtual()) {
                graph.followFrames(t);
            }
        }
        GcRoots roots = index.roots();
        for (int i = 0; i < roots.size(); i++) {
            RootKind kind = roots.kind(i);
            if (kind == RootKind.MONITOR_USED) {
                continue;
            }
            WaitingThread owner = kind.hasThread() ? bySerial.get(roots.threadSerial(i)) : null;
            if (owner != null && (candidates.hasSerial(owner.serial()) || owner.virtual())) {
                continue;
            }
            mark(roots.objectId(i));
            seeds.add(seed(roots.objectId(i), kind, owner, roots.extra(i)));
        }
        for (WaitingThread t : threads) {                             // threads that go on by themselves
            if (!t.waitKind().untimed()) {
                mark(t.objectId());
                seeds.add(new Seed(t.objectId(), ProofResult.Root.Kind.RUNNING_THREAD, t.label()));
            }
        }
        if (!candidates.excused().isEmpty()) {                         // rescued before marking starts
            notRescued = new ArrayList<>(notRescued.stream().filter(t -> !candidates.excused().containsKey(t)).toList());
            candidates.excused().keySet().forEach(this::markThread);
        }
    }

    /**
     * Step 3, the fixpoint: marks all that the marked objects reach, rescues each candidate that may now wake (its
     * thread and frames are marked in turn), and goes on until a round rescues no one.
     */
    void rescueUntilNoneWakes() throws IOException {
        while (true) {
            drain();
            rounds++;
            boolean rescuedAny = false;
            List<WaitingThread> left = new ArrayList<>();          // rebuilt: removing one by one is quadratic
            for (WaitingThread c : notRescued) {
                Reason reason = reachable(c);
                if (reason != null) {
                    rescued.put(c, reason);
                    markThread(c);
                    rescuedAny = true;
                } else {
                    left.add(c);
                }
            }
            notRescued = left;
            if (!rescuedAny) {
                break;
            }
        }
        work.release();                                           // all is marked: its bit set is not needed again
    }

    /** The candidates no round rescued: the leaked threads. */
    List<WaitingThread> notRescued() {
        return notRescued;
    }

    /** The rescued candidates and why, the excused first, then in the order they were rescued. */
    Map<WaitingThread, Reason> rescued() {
        return rescued;
    }

    List<Seed> seeds() {
        return seeds;
    }

    int rounds() {
        return rounds;
    }

    boolean isLive(long ord) {
        return Bits.isSet(live, ord);
    }

    long liveCount() {
        return Bits.cardinality(live);
    }

    /** Marks a rescued thread and its frames, which are followed from its thread from now on. */
    private void markThread(WaitingThread t) {
        owners.remove(t.objectId());
        mark(t.objectId());
        frames.forEach(t.serial(), this::mark);
        graph.followFrames(t);
    }

    private void mark(long id) {
        graph.ordinalTo(id, markTarget);
    }

    private void markOrdinal(long ord) {
        if (!Bits.isSet(live, ord)) {
            Bits.set(live, ord);
            work.add(ord);
        }
    }

    private boolean isMarked(long id) {
        long ord = index.ordinal(id);
        return ord >= 0 && Bits.isSet(live, ord);
    }

    private void drain() throws IOException {
        work.drain(follow);
    }

    private void follow(long ord) throws IOException {
        graph.forEachTarget(ord, markTarget);
    }

    /** Why the candidate may still wake, or {@code null} when nothing that runs can reach it. */
    private Reason reachable(WaitingThread c) {
        Deadlocks.Cycle cycle = cycleOf.get(c);
        if (cycle != null) {
            // Entering a monitor and lock() ignore interrupts and no one but the owner can release: the cycle holds
            // whatever reaches its threads or locks, unless a member that waits interruptibly can be interrupted.
            boolean breakable = cycle.interruptible().stream().anyMatch(t -> isMarked(t.objectId()));
            if (!breakable) {
                return null;
            }
        }
        Long owner = lockOwners.get(c);
        if (owner != null) {
            // lock() ends only when the owner unlocks: not by an interrupt, nor by whoever reaches the lock
            if (DumpThreads.ended(index, owner)) {
                return null;
            }
            if (owners.contains(owner)) {
                return null;                                  // its owner may not wake: not this round
            }
        }
        if (isMarked(c.objectId())) {
            return new Reason("its Thread object is reachable (it can be interrupted or unparked)", c.objectId());
        }
        if (c.blockerId() != 0 && isMarked(c.blockerId())) {
            return new Reason("what it is parked on (" + graph.className(c.blockerId()) + ") is reachable",
                    c.blockerId());
        }
        if (c.waitKind() == Wait.BLOCKED) {
            // No dump says who holds a monitor; only a cycle of owners (above) proves a monitor is never left.
            return new Reason(threadDumpGiven
                    ? "it wants to enter a monitor and is in no deadlock cycle of the thread dump: the monitor's"
                            + " owner may leave it"
                    : "the dump does not say who holds the monitor it wants to enter, so nothing can be proven (a"
                            + " thread dump taken with it can show a deadlock: --threads)", c.objectId());
        }
        if (c.waitKind() == Wait.WAITING) {
            List<Long> monitor = waitMonitor(c);
            if (monitor.isEmpty()) {
                // Compiled Object.wait frames keep no locals in the dump: it does not name the monitor.
                return new Reason("its Object.wait frames hold no reference in the dump (compiled code), so the"
                        + " monitor it waits on is not known and nothing can be proven", c.objectId());
            }
            for (long o : monitor) {
                if (isMarked(o)) {
                    return new Reason("the monitor it waits on may be reachable (" + graph.className(o) + ")", o);
                }
            }
        }
        return null;
    }

    /**
     * What an {@code Object.wait} frame holds, less the thread itself: the monitor it waits on is {@code this} of
     * those frames, and an interpreted frame keeps it. Empty when the frames hold nothing else.
     */
    List<Long> waitMonitor(WaitingThread c) {
        List<Long> out = new ArrayList<>();
        int deepest = monitorFrame(c);
        for (int d = deepest; d >= 0; d--) {
            HeapFrame f = d < c.stack().size() ? c.stack().get(d) : null;
            if (f == null || !f.className().equals("java.lang.Object") || !f.methodName().startsWith("wait")) {
                continue;
            }
            List<Long> held = frames.atDepth(c.serial(), d);
            if (held != null) {
                for (long o : held) {
                    if (o != c.objectId() && !out.contains(o)) {
                        out.add(o);
                    }
                }
            }
        }
        return out;
    }

    /** The depth of the frame that holds the monitor: {@code Object.wait}'s, or the top frame when blocked. */
    static int monitorFrame(WaitingThread c) {
        if (c.waitKind() == Wait.BLOCKED) {
            return 0;
        }
        List<HeapFrame> s = c.stack();
        for (int i = 0; i < s.size(); i++) {
            HeapFrame f = s.get(i);
            if (f.className().equals("java.lang.Object") && f.methodName().startsWith("wait")) {
                // the deepest of the Object.wait frames holds the monitor as 'this'
                int j = i;
                while (j + 1 < s.size() && s.get(j + 1).className().equals("java.lang.Object")
                        && s.get(j + 1).methodName().startsWith("wait")) {
                    j++;
                }
                return j;
            }
        }
        return -1;
    }

    /** A GC root as a seed: a JAVA_FRAME root with its thread's frame, when the dump gives both. */
    private Seed seed(long id, RootKind kind, WaitingThread owner, long depth) {
        String thread = owner == null ? "(a thread not in the dump)" : owner.label();
        return switch (kind) {
            case JAVA_FRAME -> new Seed(id, ProofResult.Root.Kind.FRAME, owner != null && depth >= 0
                    && depth < owner.stack().size()
                    ? "thread " + thread + "'s frame in " + owner.stack().get((int) depth)
                    : "a local of thread " + thread);
            case JNI_LOCAL -> new Seed(id, ProofResult.Root.Kind.JNI_LOCAL, thread);
            case NATIVE_STACK, THREAD_BLOCK -> new Seed(id, ProofResult.Root.Kind.NATIVE, thread);
            case THREAD_OBJECT -> new Seed(id, ProofResult.Root.Kind.RUNNING_THREAD, thread);
            case JNI_GLOBAL -> new Seed(id, ProofResult.Root.Kind.JNI_GLOBAL, "");
            case STICKY_CLASS -> new Seed(id, ProofResult.Root.Kind.SYSTEM_CLASS, describeClass(id));
            default -> new Seed(id, ProofResult.Root.Kind.OTHER, kind.name());
        };
    }

    private String describeClass(long id) {
        var c = index.classById(id);
        return c == null ? "?" : c.name();
    }
}

package dev.leakhound.proof;

import dev.leakhound.hprof.index.HeapClass;
import dev.leakhound.hprof.index.HeapFrame;
import dev.leakhound.hprof.index.HeapIndex;
import dev.leakhound.hprof.index.ObjectKind;
import dev.leakhound.model.Blocker;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.proof.WaitingThread.Wait;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cycles of threads each holding what the next wants: a deadlock, which no reference can break. The edges
 * (thread -> the lock it wants -> that lock's owner) come from two places:
 * <ul>
 *   <li>the heap: a thread parked in {@code AbstractQueuedSynchronizer}'s acquire (its park blocker an
 *       {@code AbstractOwnableSynchronizer}, e.g. {@code ReentrantLock$NonfairSync}) wants a lock whose owner is the
 *       synchronizer's {@code exclusiveOwnerThread};</li>
 *   <li>a JSON thread dump of the same JVM ({@code leakhound heap --threads}), for monitors, whose owners no heap dump
 *       records: a thread {@code BLOCKED} on a monitor ({@code blockedOn}) wants it from the thread that lists it in
 *       {@code monitorsOwned}. Threads are matched by id ({@code Thread.tid}), and each must be waiting to enter a
 *       monitor in the heap dump too, at the same line. A deadlock is permanent, so it does not matter which dump was
 *       taken first.</li>
 * </ul>
 * Entering a monitor and {@code lock()} cannot be interrupted: such a cycle never breaks, whatever can reach its
 * threads or locks. A member that waits interruptibly ({@code lockInterruptibly}) is reported in
 * {@link Cycle#interruptible}: the proof then also needs that member's {@code Thread} unreachable.
 *
 * <p>A small package-private cycle check over a graph whose nodes want at most one lock each (so at most one edge
 * leaves each); core's {@code analysis} deadlock finder does the same on thread dumps alone.
 */
final class Deadlocks {
    private static final String AOS = "java.util.concurrent.locks.AbstractOwnableSynchronizer";
    /**
     * The synchronizers whose owner alone can release them (their {@code tryRelease} checks it): no other thread can
     * break a cycle through them. A synchronizer of another class may let anyone release it: no edge.
     */
    private static final List<String> OWNER_RELEASES = List.of("java.util.concurrent.locks.ReentrantLock$",
            "java.util.concurrent.locks.ReentrantReadWriteLock$");

    /** One edge: {@code from} wants {@code lock} (a class name, {@code @identity} when the thread dump gives it). */
    record Want(WaitingThread from, WaitingThread owner, String lock, boolean interruptible) {
    }

    /** A cycle: each member wants what the next holds, the last wants what the first holds. */
    record Cycle(List<Want> wants) {
        /** The members that an interrupt could free; empty when the cycle never breaks. */
        List<WaitingThread> interruptible() {
            return wants.stream().filter(Want::interruptible).map(Want::from).toList();
        }

        List<WaitingThread> threads() {
            return wants.stream().map(Want::from).toList();
        }

        /** {@code a cycle of 2 threads: "a" wants ReentrantLock$NonfairSync held by "b", "b" wants ... held by "a"}. */
        String evidence() {
            StringBuilder sb = new StringBuilder("a cycle of " + wants.size() + " threads:");
            for (int i = 0; i < wants.size(); i++) {
                Want w = wants.get(i);
                sb.append(i == 0 ? " " : ", ").append(w.from().label()).append(" wants ")
                        .append(simple(w.lock())).append(" held by ").append(w.owner().label());
            }
            return sb.toString();
        }
    }

    private Deadlocks() {
    }

    /** The cycles among the candidates, from the heap and, when given, a thread dump of the same JVM. */
    static List<Cycle> find(HeapIndex index, List<WaitingThread> candidates, ThreadDump threadDump) {
        Map<WaitingThread, Want> wants = new IdentityHashMap<>();
        Map<Long, WaitingThread> byObject = new HashMap<>();
        for (WaitingThread t : candidates) {
            byObject.put(t.objectId(), t);
        }
        HeapClass aos = index.classByName(AOS);
        for (WaitingThread t : candidates) {
            if (t.waitKind() == Wait.PARKED && aos != null && t.blockerId() != 0 && inAcquire(t.stack())) {
                WaitingThread owner = byObject.get(ownerOf(index, aos, t.blockerId()));
                if (owner != null && owner != t) {
                    wants.put(t, new Want(t, owner, className(index, t.blockerId()), interruptible(t.stack())));
                }
            }
        }
        if (threadDump != null) {
            monitorWants(candidates, threadDump, wants);
        }
        return cycles(candidates, wants);
    }

    /**
     * The owners of the locks that candidates wait for in {@code lock()}, which nothing but the owner's
     * {@code unlock()} ends (not an interrupt, not another thread): by waiting thread, the owner's {@code Thread}
     * object. Only for the JDK's locks whose owner alone can release them, and plain {@code lock()}.
     */
    static Map<WaitingThread, Long> lockOwners(HeapIndex index, List<WaitingThread> candidates) {
        Map<WaitingThread, Long> owners = new IdentityHashMap<>();
        HeapClass aos = index.classByName(AOS);
        if (aos == null) {
            return owners;
        }
        for (WaitingThread t : candidates) {
            if (t.waitKind() == Wait.PARKED && t.blockerId() != 0 && inAcquire(t.stack()) && !interruptible(t.stack())) {
                long owner = ownerOf(index, aos, t.blockerId());
                if (owner != 0 && owner != t.objectId()) {
                    owners.put(t, owner);
                }
            }
        }
        return owners;
    }

    /** The monitor edges of the thread dump, between threads that wait to enter a monitor in the heap dump too. */
    private static void monitorWants(List<WaitingThread> candidates, ThreadDump dump, Map<WaitingThread, Want> wants) {
        Map<Long, WaitingThread> byTid = new HashMap<>();
        for (WaitingThread t : candidates) {
            if (t.tid() >= 0 && t.waitKind() == Wait.BLOCKED) {
                byTid.put(t.tid(), t);
            }
        }
        Map<String, Long> ownerOf = new HashMap<>();
        for (ThreadSnapshot s : dump.threads()) {
            for (HeldMonitor m : s.heldMonitors()) {
                if (m.identity() != null) {
                    ownerOf.put(m.objectText(), s.id());
                }
            }
        }
        for (ThreadSnapshot s : dump.threads()) {
            Blocker b = s.blocker();
            WaitingThread t = byTid.get(s.id());
            if (t == null || s.state() != Thread.State.BLOCKED || b == null || b.kind() != Blocker.Kind.ENTERING
                    || b.identity() == null || !sameTop(t, s)) {
                continue;
            }
            String lock = b.className() + "@" + b.identity();
            Long owner = ownerOf.get(lock);
            WaitingThread o = owner == null ? null : byTid.get(owner);
            if (o != null && o != t) {
                wants.putIfAbsent(t, new Want(t, o, lock, false));
            }
        }
    }

    /**
     * Whether the thread waits at the same place in both dumps (its top frame's class, method and line): then it
     * waits for the same monitor, whichever dump came first.
     */
    private static boolean sameTop(WaitingThread t, ThreadSnapshot s) {
        if (t.stack().isEmpty() || s.topFrame() == null) {
            return false;
        }
        HeapFrame h = t.stack().get(0);
        StackFrame f = s.topFrame();
        return h.className().equals(f.className()) && h.methodName().equals(f.methodName())
                && h.line() == f.lineNumber();
    }

    /** Each node has at most one edge out: follow it until a node is seen again on this walk (a cycle) or not. */
    private static List<Cycle> cycles(List<WaitingThread> nodes, Map<WaitingThread, Want> wants) {
        Map<WaitingThread, Integer> walkOf = new IdentityHashMap<>();
        List<Cycle> cycles = new ArrayList<>();
        int walk = 0;
        for (WaitingThread start : nodes) {
            walk++;
            WaitingThread t = start;
            while (t != null && !walkOf.containsKey(t)) {
                walkOf.put(t, walk);
                Want w = wants.get(t);
                t = w == null ? null : w.owner();
            }
            if (t != null && walkOf.get(t) == walk) {               // back to a node of this walk: a new cycle
                List<Want> cycle = new ArrayList<>();
                WaitingThread c = t;
                do {
                    Want w = wants.get(c);
                    cycle.add(w);
                    c = w.owner();
                } while (c != t);
                cycles.add(new Cycle(List.copyOf(cycle)));
            }
        }
        return cycles;
    }

    /** Whether the thread is parked acquiring a synchronizer (not in a condition's await, which has its own blocker). */
    private static boolean inAcquire(List<HeapFrame> stack) {
        for (HeapFrame f : stack) {
            if (f.className().equals("java.util.concurrent.locks.AbstractQueuedSynchronizer")
                    && f.methodName().startsWith("acquire")) {
                return true;
            }
        }
        return false;
    }

    /** Unless the stack shows a plain {@code lock()}, an interrupt may end the wait. */
    private static boolean interruptible(List<HeapFrame> stack) {
        boolean lock = false;
        for (HeapFrame f : stack) {
            if (f.methodName().contains("Interruptibly") || f.methodName().equals("tryLock")) {
                return true;
            }
            if (f.className().startsWith("java.util.concurrent.locks.") && f.methodName().equals("lock")) {
                lock = true;
            }
        }
        return !lock;
    }

    /** The thread object that owns the synchronizer exclusively, or 0. */
    static long ownerOf(HeapIndex index, HeapClass aos, long sync) {
        try {
            HeapClass c = index.classOf(sync);
            if (c == null || index.kindOf(sync) != ObjectKind.INSTANCE || !c.isSubclassOf(aos)
                    || !ownerReleases(c.name())
                    || !index.hasField(c, "exclusiveOwnerThread")) {
                return 0;
            }
            return index.fieldValue(sync, "exclusiveOwnerThread");
        } catch (IOException | RuntimeException e) {
            return 0;                                         // a layout we do not know: no owner
        }
    }

    /** Whether only the owner can release a synchronizer of this class (a JDK lock's). */
    static boolean ownerReleases(String syncClass) {
        return OWNER_RELEASES.stream().anyMatch(syncClass::startsWith);
    }

    private static String className(HeapIndex index, long id) {
        HeapClass c = index.classOf(id);
        return c == null ? "?" : c.name();
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}

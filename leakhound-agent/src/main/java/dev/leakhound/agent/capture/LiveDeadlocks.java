package dev.leakhound.agent.capture;

import dev.leakhound.analysis.Deadlocks;
import dev.leakhound.capture.ExclusiveOwner;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.Deadlock;
import dev.leakhound.model.ThreadDump;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The deadlocks of this JVM now: monitors and {@code java.util.concurrent} locks, platform and virtual threads, for
 * the agent's pages and metrics. {@code ThreadMXBean.findDeadlockedThreads} sees platform threads only; this takes the
 * JDK's JSON dump ({@link LiveThreads#capture()}, which gives the monitors virtual threads hold and enter, with the
 * owners of the locks they are parked on, read where {@link #openLocks(Instrumentation)} opened them) and finds the
 * cycles ({@link Deadlocks}).
 *
 * <p>Cheap when there can be none: a cycle needs two threads blocked entering a monitor or parked on an owned lock,
 * which the thread containers tell without stacks, and that stay so from one search to the next at least
 * {@value #SETTLE_MILLIS} ms later (a deadlock never ends; contention does); with platform threads only,
 * {@code findDeadlockedThreads} decides. The JSON dump is taken only past that gate, because JDK 25.0.3's dump can
 * crash a JVM whose virtual threads mount or unmount meanwhile (JDK-8364343), and a busy server always has threads
 * blocked for a moment: a new deadlock is named by the first search at least {@value #SETTLE_MILLIS} ms after it
 * formed, not by the first search after it.
 * A cycle is reported only if a second dump, taken right after, shows it too (a dump is not atomic). Answers are
 * shared for at least a second, and for twenty times what the last search cost, so it takes at most about 5% of a
 * core. Never throws: a failure gives no deadlocks and says why in {@link Result#note()}.
 */
public final class LiveDeadlocks {
    private static final long MIN_REUSE_NANOS = 1_000_000_000L;
    /** How long two threads must stay blocked, seen by two searches, before a dump looks for their cycle. */
    static final long SETTLE_MILLIS = 1_000;
    /** Blocked threads remembered at most (a JVM may have millions): past it, new ones are not watched. */
    private static final int MAX_WATCHED = 10_000;

    /** The deadlocks found at {@code at}; {@code note}, when not {@code null}, says what limits the answer. */
    public record Result(List<Deadlock> deadlocks, Instant at, String note) {
        public Result {
            deadlocks = List.copyOf(deadlocks);
        }

        /** Threads in the deadlocks. */
        public int threads() {
            int n = 0;
            for (Deadlock d : deadlocks) {
                n += d.links().size();
            }
            return n;
        }
    }

    private final ContainerThreads containers;
    private final LongSupplier nanoTime;
    /** Threads blocked (entering a monitor, or parked on an owned lock) at the last search, and since when. */
    private Map<Long, Long> blockedSince = new HashMap<>();
    private Result last;
    private long lastAt;
    private long lastCost;
    private int dumps;

    /** @param containers the thread containers, for the cheap check; may be unavailable */
    public LiveDeadlocks(ContainerThreads containers) {
        this(containers, System::nanoTime);
    }

    /** With the clock the reuse and settle times are measured on (tests move it). */
    LiveDeadlocks(ContainerThreads containers, LongSupplier nanoTime) {
        this.containers = containers;
        this.nanoTime = nanoTime;
    }

    /**
     * Opens what reading the owners of the locks virtual threads are parked on needs to the module of Leakhound's
     * capture: {@code java.base/jdk.internal.vm} exported (to walk the thread containers) and
     * {@code java.base/java.util.concurrent.locks} open (to read {@code AbstractOwnableSynchronizer}'s owner).
     *
     * @return {@code null} when done, else why not
     */
    public static String openLocks(Instrumentation inst) {
        if (inst == null) {
            return "no instrumentation";
        }
        try {
            Module base = Object.class.getModule();
            Module ours = LiveThreads.class.getModule();
            if (base.isExported(ContainerThreads.PACKAGE, ours) && base.isOpen(ExclusiveOwner.PACKAGE, ours)) {
                return null;
            }
            if (!inst.isModifiableModule(base)) {
                return "java.base is not modifiable by this agent's Instrumentation";
            }
            inst.redefineModule(base, Set.of(), Map.of(ContainerThreads.PACKAGE, Set.of(ours)),
                    Map.of(ExclusiveOwner.PACKAGE, Set.of(ours)), Set.of(), Map.of());
            return null;
        } catch (RuntimeException e) {
            return "Instrumentation.redefineModule failed: " + e;
        }
    }

    /** The latest answer if recent enough, else a new one. */
    public synchronized Result recent() {
        long now = nanoTime.getAsLong();
        if (last != null && now - lastAt < Math.max(MIN_REUSE_NANOS, 20 * lastCost)) {
            return last;
        }
        Result r;
        try {
            r = find();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            r = new Result(List.of(), Instant.now(), "the deadlock search failed: " + t);
        }
        long end = nanoTime.getAsLong();
        lastCost = end - now;
        lastAt = end;
        last = r;
        return r;
    }

    private Result find() {
        String note = LiveThreads.virtualLockOwnersKnown() ? null
                : "owners of java.util.concurrent locks that virtual threads wait for are unknown (java.base is not"
                        + " open to Leakhound): deadlocks among them are not seen";
        if (containers != null && containers.isAvailable() && !mayHaveCycle()) {
            return new Result(List.of(), Instant.now(), note);
        }
        dumps++;
        ThreadDump first = LiveThreads.capture();
        List<Deadlock> found = Deadlocks.find(first.threads(), List.of());
        if (found.isEmpty()) {
            return new Result(List.of(), first.capturedAt(), note);
        }
        dumps++;
        ThreadDump second = LiveThreads.capture();
        Set<Set<Long>> again = new HashSet<>();
        for (Deadlock d : Deadlocks.find(second.threads(), List.of())) {
            again.add(tids(d));
        }
        List<Deadlock> confirmed = new ArrayList<>();
        for (Deadlock d : found) {
            if (again.contains(tids(d))) {
                confirmed.add(d);
            }
        }
        return new Result(confirmed, second.capturedAt(), note);
    }

    private static Set<Long> tids(Deadlock d) {
        Set<Long> s = new HashSet<>();
        for (Deadlock.Link l : d.links()) {
            s.add(l.tid());
        }
        return s;
    }

    /** How many JDK thread dumps the searches took (for tests). */
    synchronized int dumps() {
        return dumps;
    }

    /**
     * Whether two threads are blocked entering a monitor or parked on an owned lock (without a timeout); with no
     * virtual thread among them, whether {@code ThreadMXBean} finds a deadlock.
     */
    private boolean mayHaveCycle() {
        long now = nanoTime.getAsLong();
        Map<Long, Long> since = new HashMap<>();
        int[] settled = new int[2];         // [0] virtual, [1] platform: blocked since the last search, long enough
        MethodHandle owner = ExclusiveOwner.getter();
        containers.forEach((c, t) -> {
            Thread.State s = t.getState();
            if (s == Thread.State.BLOCKED
                    || s == Thread.State.WAITING && LockSupport.getBlocker(t) instanceof AbstractOwnableSynchronizer l
                    && owned(t, l, owner)) {
                Long first = blockedSince.get(t.threadId());
                if (first != null && now - first >= SETTLE_MILLIS * 1_000_000) {
                    settled[t.isVirtual() ? 0 : 1]++;
                }
                if (since.size() < MAX_WATCHED) {
                    since.put(t.threadId(), first != null ? first : now);
                }
            }
        });
        blockedSince = since;
        if (settled[0] + settled[1] < 2) {
            return false;
        }
        return settled[0] > 0 || ManagementFactory.getThreadMXBean().findDeadlockedThreads() != null;
    }

    /**
     * Whether the lock {@code t} is parked on has an owner: one without (a {@code CountDownLatch}, a
     * {@code Semaphore}, a read-write lock held only for reading) closes no cycle that the dump could show. Where
     * owners cannot be read ({@code owner} null: the locks are not open to Leakhound, {@link ExclusiveOwner}), a
     * platform thread counts ({@code ThreadMXBean} decides, cheaply) and a virtual one does not: the dump would not
     * give its lock's owner either, so no cycle through it could be found.
     */
    private static boolean owned(Thread t, AbstractOwnableSynchronizer lock, MethodHandle owner) {
        if (owner == null) {
            return !t.isVirtual();
        }
        try {
            return (Thread) owner.invokeExact(lock) != null;
        } catch (Throwable e) {
            return true;                                    // unknown: let the search decide
        }
    }
}

package dev.leakhound.analysis;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.HeldMonitor;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Names the {@link LeakPattern} of a group of blocked threads from what one thread dump shows, always
 * {@link PatternMatch.Certainty#LIKELY}: a dump shows where threads wait, not who could still wake them. The
 * whole dump is the context: the counterpart a group needs (a taker for putters, a releaser for a latch, the owner
 * of a lock) is looked for among all its threads.
 *
 * <p>The rules, by the JDK call the group waits in ({@link WaitSite#call()}, so a queue wrapped in a class of the
 * application is judged by the JDK call in its stack):
 * <ul>
 *   <li>not blocked with no timeout, or an idle pool's workers: unclassified (an idle pool is forgotten only if
 *       nothing can reach it, which a heap dump proves, not a thread dump);</li>
 *   <li>{@code put}/{@code transfer} on a queue: {@code abandoned-senders}; when the threads run a future's task
 *       and no thread of the dump waits on a future, {@code abandoned-after-timeout};</li>
 *   <li>{@code take} on a queue: {@code abandoned-receiver} (or {@code abandoned-after-timeout} as above), unless a
 *       live thread puts into a queue of that class;</li>
 *   <li>{@code Future.get}/{@code join}: {@code lost-future}, unless a live thread runs a future's task;</li>
 *   <li>latch, barrier, phaser await: {@code latch-never-released};</li>
 *   <li>lock or {@code synchronized}: {@code lock-never-released} when the owner (the blocker's owner id, or the
 *       thread whose held monitors include it) is not in the dump or is itself blocked with no timeout;
 *       {@code deadlock} when following the owners comes back; unclassified when the owner runs;</li>
 *   <li>{@code Object.wait}, {@code Condition.await}, a bare {@code LockSupport.park}: {@code orphan-wait},
 *       unless several threads share one monitor (a watcher: its notifier can be any thread) or a thread holds
 *       it.</li>
 * </ul>
 * Every rule but the lock owner's yields to a live thread (one not blocked with no timeout) running the same
 * code, the classes of the group's blocking line and its caller: it may be the taker, the producer, the releaser.
 * Anything else is {@link LeakPattern#UNCLASSIFIED} with what was seen.
 */
public final class Patterns implements Consumer<ThreadSnapshot> {

    /** What is kept of each thread of the dump: little, so that a dump of many threads stays cheap. */
    private record Brief(long id, String name, boolean stuck, StackFrame call, Blocker blocker) {
        String label() {
            return name.isEmpty() ? "#" + id : "#" + id + " \"" + name + "\"";
        }
    }

    /** Briefs kept at most: a dump of millions of threads must not need memory for each. */
    private static final int MAX_KEPT = 100_000;
    /** Briefs kept of any thread (for its name in the evidence); past these, of lock waiters and holders only. */
    private static final int KEEP_ANY = 10_000;

    /**
     * The ids of every thread of the dump, blocked with no timeout ({@code stuck}) or not: whether a lock's owner is
     * in the dump, and whether it can still act. Sorted when first asked.
     */
    private long[] stuckIds = new long[64];
    private int stuckCount;
    private long[] liveIds = new long[64];
    private int liveCount;
    private boolean sorted;
    /**
     * The first {@value #KEEP_ANY} threads, then those a lock's owner is likely to be: holding monitors, waiting for
     * a lock (up to {@value #MAX_KEPT} in all).
     */
    private final Map<Long, Brief> byId = new HashMap<>();
    /** A monitor held ({@code Class@hash}) and the id of its holder. */
    private final Map<String, Long> monitorHolders = new HashMap<>();
    /** Top-level application class -> a live thread running it. */
    private final Map<String, Brief> liveByClass = new HashMap<>();
    /** Queue class -> a live thread putting into one. */
    private final Map<String, Brief> livePutters = new HashMap<>();
    /** Queue class -> how many threads of the dump take from one (any state). */
    private final Map<String, Integer> takers = new HashMap<>();
    private int futureWaiters;
    private Brief liveFutureTask;

    private Patterns() {
    }

    /** A classifier with these threads, every thread of one dump, as its context. */
    public static Patterns of(Collection<ThreadSnapshot> threads) {
        Patterns p = new Patterns();
        threads.forEach(p);
        return p;
    }

    /** A classifier to hand the dump's threads one at a time ({@link #accept}), then ask. Not thread-safe. */
    public static Patterns streaming() {
        return new Patterns();
    }

    @Override
    public void accept(ThreadSnapshot t) {
        boolean stuck = WaitSite.isBlockedWithoutTimeout(t);
        WaitSite w = WaitSite.of(t);
        Brief b = new Brief(t.id(), t.name(), stuck, w.callFrame(), t.blocker());
        if (stuck) {
            stuckIds = add(stuckIds, stuckCount++, t.id());
        } else {
            liveIds = add(liveIds, liveCount++, t.id());
        }
        sorted = false;
        boolean lockWaiter = t.blocker() != null && (t.blocker().kind() == Blocker.Kind.ENTERING
                || t.blocker().ownerId() != null || w.callFrame() != null
                && isLock(w.callFrame().className(), w.callFrame().methodName()));
        if (byId.size() < KEEP_ANY || (lockWaiter || !t.heldMonitors().isEmpty()) && byId.size() < MAX_KEPT) {
            byId.put(t.id(), b);
        }
        for (HeldMonitor m : t.heldMonitors()) {
            // a thread in Object.wait() is listed with the monitor it waits on, which it released to wait
            boolean released = t.blocker() != null && t.blocker().kind() == Blocker.Kind.WAITING_ON
                    && t.blocker().objectText().equals(m.objectText());
            if (m.identity() != null && !released) {
                monitorHolders.put(m.objectText(), t.id());
            }
        }
        boolean futureTask = false;
        for (StackFrame f : t.stack()) {
            String c = f.className();
            String m = f.methodName();
            if (!f.isJdk()) {
                if (!stuck) {
                    liveByClass.putIfAbsent(topLevel(c), b);
                }
                continue;
            }
            if (isQueue(c)) {
                if (isReceive(m) && w.blockingFrame() != null) {      // a pool's worker taking its tasks is no taker
                    takers.merge(c, 1, Integer::sum);
                } else if (!stuck && isSend(m)) {
                    livePutters.putIfAbsent(c, b);
                }
            } else if (isFutureGet(c, m)) {
                futureWaiters++;
            }
            futureTask |= isFutureTask(c, m);
        }
        if (futureTask && !stuck && liveFutureTask == null) {
            liveFutureTask = b;
        }
    }

    /** The pattern of one group of this dump. */
    public PatternMatch classify(StackGroup g) {
        if (!g.blockedWithoutTimeout()) {
            return unclassified("not blocked with no timeout (" + (g.state() == null ? "state unknown" : g.state())
                    + ")");
        }
        if (g.idlePoolWorkers()) {
            return unclassified(plural(g.count(), "idle pool worker") + " waiting for a task in "
                    + g.waitSite().call() + "; a forgotten pool is proven from a heap dump only");
        }
        WaitSite w = g.waitSite();
        StackFrame call = w.callFrame();
        if (call == null) {
            return unclassified("no Java frames");
        }
        String c = call.className();
        String m = call.methodName();
        String site = plural(g.count(), "thread") + " in " + w.call() + objects(g);
        if (g.blockerKind() == Blocker.Kind.ENTERING || isLock(c, m)) {
            return lock(g, site);
        }
        if (w.blockingFrame() == null) {
            return unclassified(site + ", JDK frames only: the dump does not say whose code waits, nor who would"
                    + " wake it");
        }
        Brief live = liveInSameCode(g);
        if (isQueue(c) && (isSend(m) || isReceive(m))) {
            boolean send = isSend(m);
            if (live != null) {
                return unclassified(site + "; " + liveWords(live, g) + " may still " + (send ? "take" : "put"));
            }
            if (!send && livePutters.containsKey(c)) {
                return unclassified(site + "; " + livePutters.get(c).label() + " is putting into a " + simple(c));
            }
            if (!send && runsFutureTask(g)) {
                // A future's task waiting to receive: abandoned after a timeout when nobody waits for a future any
                // more; with waiters, one may wait for this very task, whose queue nobody feeds: no telling which.
                return futureWaiters == 0
                        ? likely(LeakPattern.ABANDONED_AFTER_TIMEOUT, site + ", each a task of a future; no thread of"
                                + " the dump waits on a future: the caller left (a get with a timeout?)")
                        : unclassified(site + ", each a task of a future, while " + futureWaiters
                                + (futureWaiters == 1 ? " thread waits" : " threads wait") + " on futures: a receiver"
                                + " nobody feeds, or a task whose caller left; the dump does not say which");
            }
            if (send) {
                int n = takers.getOrDefault(c, 0);
                return likely(LeakPattern.ABANDONED_SENDERS, site + ", " + (n == 0 ? "0 takers in the dump"
                        : n + " " + (n == 1 ? "taker" : "takers") + " in the dump, waiting on other queues"));
            }
            return likely(LeakPattern.ABANDONED_RECEIVER, site + ", no live thread puts into a " + simple(c)
                    + " or runs " + sameCode(g));
        }
        if (isFutureGet(c, m)) {
            if (live != null) {
                return unclassified(site + "; " + liveWords(live, g) + " may complete it");
            }
            if (liveFutureTask != null) {
                return unclassified(site + "; " + liveFutureTask.label() + " runs a future's task and may complete it");
            }
            return likely(LeakPattern.LOST_FUTURE, site + ", no live thread runs a future's task or " + sameCode(g));
        }
        if (isLatch(c, m)) {
            if (live != null) {
                return unclassified(site + "; " + liveWords(live, g) + " may release it");
            }
            return likely(LeakPattern.LATCH_NEVER_RELEASED, site + ", no live thread runs " + sameCode(g)
                    + " to count down");
        }
        if (isWait(c, m)) {
            return orphanWait(g, site, live);
        }
        return unclassified(site + ": no pattern for this call");
    }

    private PatternMatch orphanWait(StackGroup g, String site, Brief live) {
        Set<String> objects = g.blockerObjects();
        boolean known = g.blockerKind() == Blocker.Kind.WAITING_ON || g.blockerKind() == Blocker.Kind.PARKED_ON;
        if (known && g.complete() && g.count() > 1 && objects.size() == 1) {
            return unclassified(site + ": " + g.count() + " threads share one monitor (watchers?): whoever"
                    + " signals it need not be on any stack");
        }
        for (String o : objects) {
            Long holder = monitorHolders.get(o);
            if (holder != null) {
                return unclassified(site + "; " + label(holder) + " holds " + o + " and may notify");
            }
        }
        if (live != null) {
            return unclassified(site + "; " + liveWords(live, g) + " may notify");
        }
        return likely(LeakPattern.ORPHAN_WAIT, site + ", no thread holds " + (objects.size() == 1 ? "it" : "them")
                + " and no live thread runs " + sameCode(g));
    }

    /** Locks: judged by their owner, which the dump names for monitors (and, on later JDKs, for j.u.c locks). */
    private PatternMatch lock(StackGroup g, String site) {
        ThreadSnapshot first = g.threads().get(0);
        Long owner = ownerOf(first.blocker());
        if (owner == null) {
            if (g.blockerKind() == Blocker.Kind.ENTERING) {
                return unclassified(site + "; the dump names no holder of the monitor");
            }
            WaitSite w = g.waitSite();
            if (w.blockingFrame() == null) {
                return unclassified(site + "; the dump names no owner, and JDK frames only");
            }
            // Without the owner, a lock that is never released cannot be told from one held by a thread that is
            // busy, or from a deadlock (JDK 25's JSON dump names no owner of a java.util.concurrent lock).
            return unclassified(site + "; the dump names no owner of the lock (jstack -l does for platform threads;"
                    + " the live capture with the agent for all)");
        }
        List<Long> chain = new ArrayList<>();
        chain.add(first.id());
        long next = owner;
        while (true) {
            if (chain.contains(next)) {
                StringBuilder cycle = new StringBuilder();
                for (Long id : chain.subList(chain.indexOf(next), chain.size())) {
                    cycle.append(label(id)).append(" -> ");
                }
                return likely(LeakPattern.DEADLOCK, site + "; a cycle of owners: " + cycle + label(next));
            }
            Boolean stuck = stuck(next);
            if (stuck == null) {
                return likely(LeakPattern.LOCK_NEVER_RELEASED, site + "; its owner #" + next
                        + " is not in the dump: it ended holding the lock");
            }
            if (!stuck) {
                return unclassified(site + "; held by " + label(next) + ", which is not blocked: it may release it");
            }
            chain.add(next);
            Brief o = byId.get(next);
            Long further = o == null ? null : ownerOf(o.blocker());
            if (further == null || chain.size() > 64) {
                return likely(LeakPattern.LOCK_NEVER_RELEASED, site + "; held by " + label(next)
                        + ", itself blocked with no timeout"
                        + (o == null || o.call() == null ? "" : " in " + o.call().shortName()));
            }
            next = further;
        }
    }

    /** Whether the thread is blocked with no timeout; {@code null} when it is not in the dump. */
    private Boolean stuck(long id) {
        if (!sorted) {
            java.util.Arrays.sort(stuckIds, 0, stuckCount);
            java.util.Arrays.sort(liveIds, 0, liveCount);
            sorted = true;
        }
        if (java.util.Arrays.binarySearch(stuckIds, 0, stuckCount, id) >= 0) {
            return Boolean.TRUE;
        }
        return java.util.Arrays.binarySearch(liveIds, 0, liveCount, id) >= 0 ? Boolean.FALSE : null;
    }

    private String label(long id) {
        Brief b = byId.get(id);
        return b != null ? b.label() : "#" + id;
    }

    private static long[] add(long[] a, int at, long v) {
        long[] out = at < a.length ? a : java.util.Arrays.copyOf(a, a.length * 2);
        out[at] = v;
        return out;
    }

    /** The owner of what a thread is blocked on: the id the blocker gives, or the holder of the monitor. */
    private Long ownerOf(Blocker b) {
        if (b == null) {
            return null;
        }
        if (b.ownerId() != null) {
            return b.ownerId();
        }
        if (b.kind() == Blocker.Kind.ENTERING && b.identity() != null) {
            return monitorHolders.get(b.objectText());
        }
        return null;
    }

    /**
     * The code a group runs: the classes of its first two application frames, the line that blocked and its caller
     * (a queue wrapped in a class of a library is called from the code that uses it).
     */
    private static List<String> code(StackGroup g) {
        List<String> out = new ArrayList<>(2);
        for (StackFrame f : g.stack()) {
            if (!f.isJdk() && !out.contains(topLevel(f.className()))) {
                out.add(topLevel(f.className()));
                if (out.size() == 2) {
                    break;
                }
            }
        }
        return out;
    }

    private Brief liveInSameCode(StackGroup g) {
        for (String c : code(g)) {
            Brief b = liveByClass.get(c);
            if (b != null) {
                return b;
            }
        }
        return null;
    }

    private static String liveWords(Brief live, StackGroup g) {
        return live.label() + ", not blocked, runs " + sameCode(g);
    }

    private static String sameCode(StackGroup g) {
        List<String> code = code(g);
        return code.isEmpty() ? "the same code" : "the same code (" + String.join(", ", code) + ")";
    }

    private static boolean runsFutureTask(StackGroup g) {
        for (StackFrame f : g.stack()) {
            if (isFutureTask(f.className(), f.methodName())) {
                return true;
            }
        }
        return false;
    }

    /** {@code " on 3 distinct ...Transferer objects"}, where the dump gives the objects. */
    private static String objects(StackGroup g) {
        Set<String> objects = new LinkedHashSet<>(g.blockerObjects());
        if (objects.isEmpty() || g.blockerClass() == null) {
            return "";
        }
        String cls = g.blockerClass().substring(g.blockerClass().lastIndexOf('.') + 1);
        if (objects.size() == 1) {
            return " on one " + cls;
        }
        return " on " + objects.size() + " distinct " + cls + (g.complete() ? "" : " (of the threads listed)");
    }

    private static PatternMatch likely(LeakPattern p, String evidence) {
        return new PatternMatch(p, PatternMatch.Certainty.LIKELY, evidence);
    }

    private static PatternMatch unclassified(String evidence) {
        return PatternMatch.unclassified(PatternMatch.Certainty.LIKELY, evidence);
    }

    private static String plural(int n, String word) {
        return n + " " + (n == 1 ? word : word + "s");
    }

    /** The class that holds the code: a lambda's hidden class ({@code Foo$$Lambda/0x...}) stands for {@code Foo}. */
    static String topLevel(String className) {
        int lambda = className.indexOf("$$Lambda");
        return lambda > 0 ? className.substring(0, lambda) : className;
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    // ---------------------------------------------------------------- what a JDK call is

    private static boolean isQueue(String c) {
        return c.startsWith("java.util.concurrent.") && (c.endsWith("Queue") || c.endsWith("Deque"));
    }

    private static boolean isSend(String m) {
        return m.equals("put") || m.equals("putFirst") || m.equals("putLast") || m.equals("transfer");
    }

    private static boolean isReceive(String m) {
        return m.equals("take") || m.equals("takeFirst") || m.equals("takeLast") || m.equals("poll")
                || m.equals("pollFirst") || m.equals("pollLast");
    }

    private static boolean isFutureGet(String c, String m) {
        return (c.equals("java.util.concurrent.CompletableFuture") || c.equals("java.util.concurrent.FutureTask")
                || c.equals("java.util.concurrent.ForkJoinTask") || c.equals("java.util.concurrent.Future"))
                && (m.equals("get") || m.equals("join"));
    }

    private static boolean isFutureTask(String c, String m) {
        return c.equals("java.util.concurrent.FutureTask") && (m.equals("run") || m.equals("runAndReset"))
                || c.startsWith("java.util.concurrent.CompletableFuture$Async") && m.equals("run");
    }

    private static boolean isLatch(String c, String m) {
        return c.equals("java.util.concurrent.CountDownLatch") && m.equals("await")
                || c.equals("java.util.concurrent.CyclicBarrier") && m.equals("await")
                || c.equals("java.util.concurrent.Phaser") && m.startsWith("await")
                || c.equals("java.util.concurrent.Phaser") && m.equals("arriveAndAwaitAdvance");
    }

    private static boolean isLock(String c, String m) {
        return (c.equals("java.util.concurrent.locks.ReentrantLock")
                || c.startsWith("java.util.concurrent.locks.ReentrantReadWriteLock$")
                || c.equals("java.util.concurrent.locks.StampedLock")
                || c.equals("java.util.concurrent.Semaphore"))
                && (m.startsWith("lock") || m.endsWith("Lock") || m.endsWith("LockInterruptibly")
                    || m.startsWith("acquire"));
    }

    private static boolean isWait(String c, String m) {
        return c.equals("java.lang.Object") && m.equals("wait")
                || c.endsWith("$ConditionObject") && m.startsWith("await")
                || c.equals("java.util.concurrent.locks.LockSupport") && m.equals("park");
    }
}

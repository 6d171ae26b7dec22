package dev.leakhound.proof;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.examples.MultiQuery;
import dev.leakhound.examples.SentinelAgent;
import dev.leakhound.testing.ThreadsAt;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of {@link LeakProofTest}: sets up the leaks and the controls, waits until every thread is in the
 * very call it should block in (not merely "not running": {@link #awaitSettled}), takes a heap dump
 * ({@code live=true}) to {@code args[0]} and exits. Thread names say what each is.
 *
 * <ul>
 *   <li>leaks: the seed's {@code multiQuery} (2 virtual threads in {@code SynchronousQueue.put}); the seed's sentinel
 *       agent after 3 rounds, then dropped (6 virtual threads in {@code ArrayBlockingQueue.put}); a platform thread
 *       waiting on a latch only it knows ({@code leak-platform-latch}); two groups with different stacks that share
 *       one large array and each hold a small one ({@code leak-shared-a}, {@code leak-shared-b}).</li>
 *   <li>controls, none of which may be reported: a sentinel agent still referenced from a static field
 *       (its 3 blocked checkers can be drained by anyone holding it); sleeping and timed-parked threads; the idle
 *       workers of an executor held by a static field; a virtual thread taking from a queue that a live (sleeping)
 *       thread holds; a thread blocked entering a monitor that is reachable from a static field and held by a
 *       sleeping thread; a thread in {@code Object.wait()} on a monitor reachable from a static field.</li>
 * </ul>
 */
public final class ProofScenario {
    private static final Thread.State WAITING = Thread.State.WAITING;
    private static final Thread.State TIMED_WAITING = Thread.State.TIMED_WAITING;
    private static final String LATCH_AWAIT = "java.util.concurrent.CountDownLatch.await";
    private static final String SLEEP = "java.lang.Thread.sleep";
    static SentinelAgent keptAgent;
    static ExecutorService keptPool;
    static final Object LOCK = new Object();
    static final Object WAIT_LOCK = new Object();
    static java.lang.ref.WeakReference<Thread> WEAKLY_HELD;

    private ProofScenario() {
    }

    public static void main(String[] args) throws Exception {
        List<Expected> watched = new ArrayList<>();

        // Leak 1: the seed's multiQuery, leaky: the 2 slower queries block forever.
        // (Whichever answers first ends; the other two must be parked in put, not still sleeping their latency.)
        MultiQuery.multiQuery(MultiQuery.Variant.LEAKY, s -> Duration.ofMillis(s.equals(MultiQuery.SERVERS.get(0)) ? 1 : 50),
                r -> track(watched, Thread.ofVirtual().name("leak-multiquery").unstarted(r), WAITING,
                        "java.util.concurrent.SynchronousQueue.put", true));

        // Leak 2: the sentinel agent, 3 rounds, then nobody holds it.
        SentinelAgent dropped = new SentinelAgent(SentinelAgent.Variant.LEAKY, Duration.ofSeconds(1),
                List.of(() -> { }, () -> { }, () -> { }),
                r -> track(watched, Thread.ofVirtual().name("leak-sentinel").unstarted(r), WAITING,
                        "java.util.concurrent.ArrayBlockingQueue.put", true));
        for (int i = 0; i < 3; i++) {
            dropped.runRound();
        }
        dropped = null;

        // Leak 3: a platform thread waiting on a latch only it holds.
        track(watched, Thread.ofPlatform().name("leak-platform-latch").daemon(true).unstarted(() -> {
            CountDownLatch never = new CountDownLatch(1);
            try {
                never.await();
            } catch (InterruptedException ignored) {
            }
        }), WAITING, LATCH_AWAIT, false).start();

        // Leaks 4 and 5: two groups (different stacks) that both hold one large array, and each a small one of its
        // own: the large one is kept alive by neither group alone, so neither's retained size may count it.
        // (In a method of its own, so that main's frame does not hold the array.)
        leaksSharingAnArray(watched);

        // Control: the same sentinel bug, but the agent is still held: anyone could drain its queues.
        keptAgent = new SentinelAgent(SentinelAgent.Variant.LEAKY, Duration.ofSeconds(1),
                List.of(() -> { }, () -> { }, () -> { }),
                r -> track(watched, Thread.ofVirtual().name("control-sentinel-kept").unstarted(r), WAITING,
                        "java.util.concurrent.ArrayBlockingQueue.put", true));
        keptAgent.runRound();
        keptAgent.runRound();

        // Controls: timed waits.
        track(watched, Thread.ofVirtual().name("control-sleeping").unstarted(() -> sleep(Duration.ofHours(1))),
                TIMED_WAITING, SLEEP, false).start();
        track(watched, Thread.ofPlatform().name("control-timed-park").daemon(true)
                .unstarted(() -> LockSupport.parkNanos(Duration.ofHours(1).toNanos())), TIMED_WAITING,
                "java.util.concurrent.locks.LockSupport.parkNanos", false).start();

        // Control: idle workers of an executor held by a static field.
        keptPool = Executors.newFixedThreadPool(2, r -> track(watched, Thread.ofPlatform().name("control-idle-worker")
                .daemon(true).unstarted(r), WAITING, "java.util.concurrent.LinkedBlockingQueue.take", false));
        CountDownLatch ran = new CountDownLatch(2);
        keptPool.execute(ran::countDown);
        keptPool.execute(ran::countDown);
        ran.await();

        // Control: a queue a live (sleeping) thread holds in a local (set up in a method of its own, so that main's
        // frame does not hold the queue too).
        queueHeldByAnother(watched);

        // Control: a thread parked on a latch only it knows, but held by a weak reference in a static field: live
        // code can get() it and interrupt it (the JVM keeps a running thread's object, so the reference stays).
        CountDownLatch weakLatchStarted = new CountDownLatch(1);
        Thread weaklyHeld = track(watched, Thread.ofPlatform().name("control-weakly-held").daemon(true).unstarted(() -> {
            CountDownLatch mine = new CountDownLatch(1);
            weakLatchStarted.countDown();
            try {
                mine.await();
            } catch (InterruptedException ignored) {
            }
        }), WAITING, LATCH_AWAIT, false);
        weaklyHeld.start();
        WEAKLY_HELD = new java.lang.ref.WeakReference<>(weaklyHeld);
        weaklyHeld = null;
        weakLatchStarted.await();

        // Control: a monitor reachable from a static field, held by a sleeping thread; another waits to enter it.
        CountDownLatch holding = new CountDownLatch(1);
        track(watched, Thread.ofPlatform().name("control-monitor-owner").daemon(true).unstarted(() -> {
            synchronized (LOCK) {
                holding.countDown();
                sleep(Duration.ofHours(1));
            }
        }), TIMED_WAITING, SLEEP, false).start();
        holding.await();
        track(watched, Thread.ofPlatform().name("control-monitor-entering").daemon(true)
                .unstarted(ProofScenario::enterLock), Thread.State.BLOCKED, "dev.leakhound.proof.ProofScenario.enterLock",
                false).start();

        // Control: Object.wait() on a monitor reachable from a static field.
        track(watched, Thread.ofPlatform().name("control-object-wait").daemon(true).unstarted(() -> {
            synchronized (WAIT_LOCK) {
                try {
                    WAIT_LOCK.wait();
                } catch (InterruptedException ignored) {
                }
            }
        }), WAITING, "java.lang.Object.wait", false).start();

        awaitSettled(watched);
        synchronized (watched) {
            watched.clear();                                 // this list must not be what keeps them reachable
        }
        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        bean.dumpHeap(args[0], true);
        System.out.println("dumped");
        System.out.flush();
        System.exit(0);
    }

    private static void queueHeldByAnother(List<Expected> watched) {
        BlockingQueue<String> held = new ArrayBlockingQueue<>(1);
        track(watched, Thread.ofPlatform().name("control-queue-holder").daemon(true).unstarted(() -> {
            BlockingQueue<String> mine = held;
            sleep(Duration.ofHours(1));
            mine.offer("later");
        }), TIMED_WAITING, SLEEP, false).start();
        track(watched, Thread.ofVirtual().name("control-queue-taker").unstarted(() -> {
            try {
                held.take();
            } catch (InterruptedException ignored) {
            }
        }), WAITING, "java.util.concurrent.ArrayBlockingQueue.take", false).start();
    }

    static final int SHARED_BYTES = 4 << 20;
    static final int OWN_BYTES = 64 << 10;

    private static void leaksSharingAnArray(List<Expected> watched) {
        byte[] sharedByTwo = new byte[SHARED_BYTES];
        track(watched, Thread.ofVirtual().name("leak-shared-a").unstarted(() -> awaitHolding(sharedByTwo)), WAITING,
                LATCH_AWAIT, false).start();
        track(watched, Thread.ofPlatform().name("leak-shared-b").daemon(true)
                .unstarted(() -> parkHolding(sharedByTwo)), WAITING, "java.util.concurrent.locks.LockSupport.park",
                false).start();
    }

    private static void awaitHolding(byte[] shared) {
        byte[] own = new byte[OWN_BYTES];
        CountDownLatch never = new CountDownLatch(1);
        try {
            never.await();
        } catch (InterruptedException ignored) {
        }
        keep(shared, own);
    }

    private static void parkHolding(byte[] shared) {
        byte[] own = new byte[OWN_BYTES];
        Object blocker = new Object();
        while (!Thread.currentThread().isInterrupted()) {
            LockSupport.park(blocker);
        }
        keep(shared, own);
    }

    /** Uses the arrays after the wait, so that they stay live in the waiting frame. */
    private static void keep(byte[] a, byte[] b) {
        if (a.length + b.length == 42) {
            System.out.println("never");
        }
    }

    /** Enters {@link #LOCK}, which a sleeping thread holds: blocks here. */
    private static void enterLock() {
        synchronized (LOCK) {
            LOCK.hashCode();
        }
    }

    /**
     * A started thread and where it must be when the dump is taken: in {@code state} inside {@code frame}; or, if
     * {@code mayEnd}, ended (the multiQuery winner, the sentinel checkers whose put went through).
     */
    private record Expected(Thread thread, Thread.State state, String frame, boolean mayEnd) {
        boolean there() {
            return (mayEnd && thread.getState() == Thread.State.TERMINATED) || ThreadsAt.at(thread, state, frame);
        }
    }

    private static Thread track(List<Expected> watched, Thread t, Thread.State state, String frame, boolean mayEnd) {
        synchronized (watched) {
            watched.add(new Expected(t, state, frame, mayEnd));
        }
        return t;
    }

    /**
     * Until every tracked thread is where it must be: its own blocking call (or ended, where that is its fate).
     * Not merely "not running": the slower multiQuery threads sleep their latency (TIMED_WAITING) before they block
     * in put, and a dump taken then has them as no candidate at all.
     */
    private static void awaitSettled(List<Expected> watched) {
        ThreadsAt.await(() -> {
            synchronized (watched) {
                return watched.stream().allMatch(Expected::there);
            }
        }, () -> {
            StringBuilder sb = new StringBuilder("threads not where the scenario needs them:");
            synchronized (watched) {
                for (Expected e : watched) {
                    if (!e.there()) {
                        sb.append("\nwanted ").append(e.state()).append(" in ").append(e.frame())
                                .append(e.mayEnd() ? " (or ended)" : "").append(':')
                                .append(ThreadsAt.describe(List.of(e.thread())));
                    }
                }
            }
            return sb.toString();
        });
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException ignored) {
        }
    }
}

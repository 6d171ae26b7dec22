package dev.leakhound.proof;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.leakhound.testing.ThreadsAt;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Exchanger;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The child JVM of {@link LeakPatternsTest}: one thread (mostly virtual) blocked for good on each of the ways
 * {@code java.util.concurrent} offers, on an object nobody else holds; then a heap dump ({@code live=true}) to
 * {@code args[0]}. Names say what each is: {@code leak-*} must be proven, {@code control-*} must not (its queue is
 * in a static field); a platform thread's {@code join} waits in {@code Object.wait} on the joined thread, which is
 * leaked: both are.
 */
public final class PatternScenario {
    static LinkedBlockingQueue<String> keptQueue;
    private static final List<Thread> STARTED = new ArrayList<>();
    /** Where each started thread blocks for good (same order as {@link #STARTED}): {@code class.method}. */
    private static final List<String> BLOCKS_IN = new ArrayList<>();
    private static final String LATCH = "java.util.concurrent.CountDownLatch.await";

    private PatternScenario() {
    }

    private interface Blocking {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        start();
        ThreadsAt.await(PatternScenario::settled, () -> {
            synchronized (STARTED) {
                return "not all WAITING in " + BLOCKS_IN + ":" + ThreadsAt.describe(STARTED);
            }
        });
        synchronized (STARTED) {
            STARTED.clear();                                   // this list must not be what keeps them reachable
        }
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(args[0], true);
        System.out.println("dumped");
        System.out.flush();
        System.exit(0);
    }

    /** In a method of its own: when it returns, no frame of main holds what the threads wait on. */
    private static void start() throws Exception {
        CompletableFuture<String> abandoned = new CompletableFuture<>();
        virtual("leak-completable-future-get", "java.util.concurrent.CompletableFuture.get", abandoned::get);
        Semaphore semaphore = new Semaphore(0);
        virtual("leak-semaphore-acquire", "java.util.concurrent.Semaphore.acquire", semaphore::acquire);
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        virtual("leak-lock-holder", LATCH, () -> {
            lock.lock();
            locked.countDown();
            never.await();
        });
        locked.await();
        virtual("leak-lock-waiter", "java.util.concurrent.locks.ReentrantLock.lockInterruptibly",
                lock::lockInterruptibly);
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        virtual("leak-linked-queue-take", "java.util.concurrent.LinkedBlockingQueue.take", queue::take);
        Phaser phaser = new Phaser(2);
        virtual("leak-phaser-await", "java.util.concurrent.Phaser.arriveAndAwaitAdvance", phaser::arriveAndAwaitAdvance);
        Exchanger<String> exchanger = new Exchanger<>();
        virtual("leak-exchanger", "java.util.concurrent.Exchanger.exchange", () -> exchanger.exchange("x"));
        Thread joined = virtual("leak-joined-virtual", LATCH, () -> new CountDownLatch(1).await());
        virtual("leak-joining-virtual", "java.lang.Thread.join", joined::join);
        ExecutorService pool = Executors.newFixedThreadPool(1,
                r -> track(new Thread(r, "leak-dropped-pool-worker"), LATCH));
        Future<?> task = pool.submit(() -> {
            new CountDownLatch(1).await();
            return null;
        });
        virtual("leak-future-get", "java.util.concurrent.FutureTask.get", task::get);
        Thread target = platform("leak-join-target", LATCH, () -> new CountDownLatch(1).await());
        platform("leak-joiner", "java.lang.Thread.join", target::join);
        ReentrantLock conditionLock = new ReentrantLock();
        java.util.concurrent.locks.Condition signalled = conditionLock.newCondition();
        virtual("leak-condition-await", "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await",
                () -> {
                    conditionLock.lock();
                    try {
                        signalled.await();
                    } finally {
                        conditionLock.unlock();
                    }
                });
        LinkedBlockingQueue<String> full = new LinkedBlockingQueue<>(1);
        full.add("first");
        platform("leak-full-queue-put", "java.util.concurrent.LinkedBlockingQueue.put", () -> full.put("second"));
        keptQueue = new LinkedBlockingQueue<>();
        virtual("control-static-queue-take", "java.util.concurrent.LinkedBlockingQueue.take", keptQueue::take);
    }

    private static Thread virtual(String name, String blocksIn, Blocking b) {
        Thread t = track(Thread.ofVirtual().name(name).unstarted(quietly(b)), blocksIn);
        t.start();
        return t;
    }

    private static Thread platform(String name, String blocksIn, Blocking b) {
        Thread t = track(Thread.ofPlatform().name(name).daemon(true).unstarted(quietly(b)), blocksIn);
        t.start();
        return t;
    }

    private static Runnable quietly(Blocking b) {
        return () -> {
            try {
                b.run();
            } catch (Exception ignored) {
                // interrupted: ends
            }
        };
    }

    private static Thread track(Thread t, String blocksIn) {
        synchronized (STARTED) {
            STARTED.add(t);
            BLOCKS_IN.add(blocksIn);
        }
        return t;
    }

    /**
     * Whether every started thread is WAITING in the call it blocks in for good: not merely "not running" (a
     * thread BLOCKED on a class-loading lock on its way, or parked elsewhere for a moment, is not a leak yet).
     */
    private static boolean settled() {
        synchronized (STARTED) {
            for (int i = 0; i < STARTED.size(); i++) {
                if (!ThreadsAt.at(STARTED.get(i), Thread.State.WAITING, BLOCKS_IN.get(i))) {
                    return false;
                }
            }
        }
        return true;
    }
}

package dev.leakhound.proof;

import com.sun.management.HotSpotDiagnosticMXBean;

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
 * in a static field), {@code unprovable-*} cannot be (a platform thread's {@code join} waits in {@code Object.wait}
 * on a monitor the dump does not list, so the proof claims neither it nor the thread it joins).
 */
public final class PatternScenario {
    static LinkedBlockingQueue<String> keptQueue;
    private static final List<Thread> STARTED = new ArrayList<>();

    private PatternScenario() {
    }

    private interface Blocking {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        start();
        while (!settled()) {
            Thread.onSpinWait();
        }
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
        virtual("leak-completable-future-get", abandoned::get);
        Semaphore semaphore = new Semaphore(0);
        virtual("leak-semaphore-acquire", semaphore::acquire);
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        virtual("leak-lock-holder", () -> {
            lock.lock();
            locked.countDown();
            never.await();
        });
        locked.await();
        virtual("leak-lock-waiter", lock::lockInterruptibly);
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        virtual("leak-linked-queue-take", queue::take);
        Phaser phaser = new Phaser(2);
        virtual("leak-phaser-await", phaser::arriveAndAwaitAdvance);
        Exchanger<String> exchanger = new Exchanger<>();
        virtual("leak-exchanger", () -> exchanger.exchange("x"));
        Thread joined = virtual("leak-joined-virtual", () -> new CountDownLatch(1).await());
        virtual("leak-joining-virtual", joined::join);
        ExecutorService pool = Executors.newFixedThreadPool(1, r -> track(new Thread(r, "leak-dropped-pool-worker")));
        Future<?> task = pool.submit(() -> {
            new CountDownLatch(1).await();
            return null;
        });
        virtual("leak-future-get", task::get);
        Thread target = platform("unprovable-join-target", () -> new CountDownLatch(1).await());
        platform("unprovable-joiner", target::join);
        keptQueue = new LinkedBlockingQueue<>();
        virtual("control-static-queue-take", keptQueue::take);
    }

    private static Thread virtual(String name, Blocking b) {
        Thread t = track(Thread.ofVirtual().name(name).unstarted(quietly(b)));
        t.start();
        return t;
    }

    private static Thread platform(String name, Blocking b) {
        Thread t = track(Thread.ofPlatform().name(name).daemon(true).unstarted(quietly(b)));
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

    private static Thread track(Thread t) {
        synchronized (STARTED) {
            STARTED.add(t);
        }
        return t;
    }

    /** Until every started thread is blocked or waiting (or has ended). */
    private static boolean settled() {
        synchronized (STARTED) {
            for (Thread t : STARTED) {
                Thread.State s = t.getState();
                if (s == Thread.State.RUNNABLE || s == Thread.State.NEW) {
                    return false;
                }
            }
        }
        return true;
    }
}

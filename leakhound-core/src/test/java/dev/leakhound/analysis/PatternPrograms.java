package dev.leakhound.analysis;

import dev.leakhound.testing.ThreadsAt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Small leak programs, one per pattern, and look-alikes that are no leak: real threads, platform or virtual, left
 * exactly where they block. Their code is in this class (not the test's), as a leak's code is not the code that looks
 * at the dump. Each {@link Program} ends its threads on {@link Program#close()}.
 */
final class PatternPrograms {

    /** Threads of one program, where they block, and how to end them. */
    static final class Program implements AutoCloseable {
        final List<Thread> threads = new ArrayList<>();
        /** Threads of the program that are not the ones looked at (a holder, a releaser, a producer). */
        final List<Thread> others = new ArrayList<>();
        final List<Runnable> stops = new ArrayList<>();

        Program await(Thread.State state, String frame) {
            ThreadsAt.await(threads, state, frame);
            return this;
        }

        @Override
        public void close() throws InterruptedException {
            stops.forEach(Runnable::run);
            for (Thread t : threads) {
                t.interrupt();
            }
            for (Thread t : others) {
                t.interrupt();
            }
            for (Thread t : threads) {
                t.join(ThreadsAt.LIMIT);
            }
            for (Thread t : others) {
                t.join(ThreadsAt.LIMIT);
            }
        }
    }

    /** A library's wrapper around a queue: the JDK call in the stack is what tells. */
    static final class Channel<T> {
        private final BlockingQueue<T> queue;

        Channel(BlockingQueue<T> queue) {
            this.queue = queue;
        }

        void send(T value) throws InterruptedException {
            queue.put(value);
        }

        T receive() throws InterruptedException {
            return queue.take();
        }
    }

    private PatternPrograms() {
    }

    private static Thread.Builder builder(boolean virtual, String name) {
        return virtual ? Thread.ofVirtual().name(name, 0) : Thread.ofPlatform().daemon().name(name, 0);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Runnable quietly(Body body) {
        return () -> {
            try {
                body.run();
            } catch (Exception e) {
                // interrupted: the program ends
            }
        };
    }

    /** multiQuery: n senders on unbuffered channels (through a wrapper), the receiver returned. */
    static Program abandonedSenders(boolean virtual, int n) {
        Program p = new Program();
        for (int i = 0; i < n; i++) {
            Channel<String> answers = new Channel<>(new SynchronousQueue<>());
            p.threads.add(builder(virtual, "sender-").start(quietly(() -> answers.send("answer"))));
        }
        return p.await(Thread.State.WAITING, "java.util.concurrent.SynchronousQueue.put");
    }

    /** Receivers of queues nobody feeds. */
    static Program abandonedReceiver(boolean virtual, int n) {
        Program p = new Program();
        for (int i = 0; i < n; i++) {
            Channel<String> inbox = new Channel<>(new LinkedBlockingQueue<>());
            p.threads.add(builder(virtual, "receiver-").start(quietly(inbox::receive)));
        }
        return p.await(Thread.State.WAITING, "java.util.concurrent.LinkedBlockingQueue.take");
    }

    /** A task whose caller waited 10 ms for its result, then left; the task blocks waiting for input. */
    static Program abandonedAfterTimeout(boolean virtual) throws Exception {
        Program p = new Program();
        ExecutorService pool = virtual
                ? Executors.newThreadPerTaskExecutor(r -> record(p, Thread.ofVirtual().name("task-", 0).unstarted(r)))
                : Executors.newFixedThreadPool(1, r -> record(p, Thread.ofPlatform().daemon().name("task-", 0).unstarted(r)));
        p.stops.add(pool::shutdownNow);
        SynchronousQueue<String> input = new SynchronousQueue<>();
        Future<?> result = pool.submit(quietly(input::take));      // waits for input the caller never sends
        try {
            result.get(10, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // the caller gives up, and forgets the task
        }
        return p.await(Thread.State.WAITING, "java.util.concurrent.SynchronousQueue.take");
    }

    private static Thread record(Program p, Thread t) {
        p.threads.add(t);
        return t;
    }

    /** Waiting on futures nobody completes. */
    static Program lostFuture(boolean virtual, int n) {
        Program p = new Program();
        for (int i = 0; i < n; i++) {
            CompletableFuture<String> reply = new CompletableFuture<>();
            p.threads.add(builder(virtual, "awaits-reply-").start(quietly(reply::get)));
        }
        return p.await(Thread.State.WAITING, "java.util.concurrent.CompletableFuture.get");
    }

    /** Awaiting latches nobody counts down. */
    static Program latch(boolean virtual, int n) {
        Program p = new Program();
        for (int i = 0; i < n; i++) {
            CountDownLatch started = new CountDownLatch(1);
            p.threads.add(builder(virtual, "awaits-start-").start(quietly(started::await)));
        }
        return p.await(Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
    }

    /**
     * Threads entering a monitor whose holder blocks forever inside it (it awaits a latch nobody counts down).
     */
    static Program monitorNeverReleased(boolean virtual, int n) {
        Program p = new Program();
        Object monitor = new Object();
        CountDownLatch never = new CountDownLatch(1);
        Thread holder = builder(virtual, "holder-").start(quietly(() -> {
            synchronized (monitor) {
                never.await();
            }
        }));
        p.others.add(holder);
        ThreadsAt.await(holder, Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
        for (int i = 0; i < n; i++) {
            p.threads.add(builder(virtual, "enters-").start(() -> enter(monitor)));
        }
        return p.await(Thread.State.BLOCKED, PatternPrograms.class.getName() + ".enter");
    }

    private static void enter(Object monitor) {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /** Each thread waits on a monitor of its own that nobody else has. */
    static Program orphanWait(boolean virtual, int n) {
        Program p = new Program();
        for (int i = 0; i < n; i++) {
            Object mine = new Object();
            p.threads.add(builder(virtual, "waits-").start(quietly(() -> {
                synchronized (mine) {
                    mine.wait();
                }
            })));
        }
        return p.await(Thread.State.WAITING, "java.lang.Object.wait");
    }

    /** Each thread awaits a condition of its own lock. */
    static Program orphanCondition(boolean virtual, int n) {
        Program p = new Program();
        for (int i = 0; i < n; i++) {
            ReentrantLock lock = new ReentrantLock();
            Condition ready = lock.newCondition();
            p.threads.add(builder(virtual, "awaits-ready-").start(quietly(() -> {
                lock.lock();
                try {
                    ready.await();
                } finally {
                    lock.unlock();
                }
            })));
        }
        return p.await(Thread.State.WAITING,
                "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await");
    }

    // ---------------------------------------------------------------- look-alikes

    /** A pool whose workers wait for tasks; it is shut down on close. */
    static Program idlePool(int workers) throws Exception {
        Program p = new Program();
        ExecutorService pool = Executors.newFixedThreadPool(workers,
                r -> record(p, Thread.ofPlatform().daemon().name("idle-worker-", 0).unstarted(r)));
        p.stops.add(pool::shutdownNow);
        List<Future<?>> started = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            started.add(pool.submit(() -> { }));
        }
        for (Future<?> f : started) {
            f.get();
        }
        return p.await(Thread.State.WAITING, "java.util.concurrent.ThreadPoolExecutor.getTask");
    }

    /**
     * A live thread of this code (waiting with a timeout, as a worker between two rounds) that the look-alike
     * waits on: it ends on close.
     */
    private static Thread liveWorker(Program p, boolean virtual, Runnable onStop) {
        LinkedBlockingQueue<Boolean> stop = new LinkedBlockingQueue<>();
        Thread t = builder(virtual, "live-worker-").start(quietly(() -> {
            while (stop.poll(10, TimeUnit.MILLISECONDS) == null) {
                Thread.onSpinWait();
            }
            onStop.run();
        }));
        p.stops.add(() -> stop.add(true));
        p.others.add(t);
        ThreadsAt.await(t, Thread.State.TIMED_WAITING, "java.util.concurrent.LinkedBlockingQueue.poll");
        return t;
    }

    /** A latch waiter whose releaser is alive (it counts down on close). */
    static Program latchWithLiveReleaser(boolean virtual) {
        Program p = new Program();
        CountDownLatch ready = new CountDownLatch(1);
        p.threads.add(builder(virtual, "awaits-ready-").start(quietly(ready::await)));
        liveWorker(p, virtual, ready::countDown);
        return p.await(Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
    }

    /** A consumer with a live producer. */
    static Program consumerWithLiveProducer(boolean virtual) {
        Program p = new Program();
        Channel<String> work = new Channel<>(new LinkedBlockingQueue<>());
        p.threads.add(builder(virtual, "consumer-").start(quietly(work::receive)));
        liveWorker(p, virtual, () -> { });
        return p.await(Thread.State.WAITING, "java.util.concurrent.LinkedBlockingQueue.take");
    }

    /** Watchers of one shared monitor (its notifier is not on any stack now). */
    static Program watchersOfSharedMonitor(boolean virtual, int n) {
        Program p = new Program();
        Object config = new Object();
        for (int i = 0; i < n; i++) {
            p.threads.add(builder(virtual, "watcher-").start(quietly(() -> {
                synchronized (config) {
                    config.wait();
                }
            })));
        }
        return p.await(Thread.State.WAITING, "java.lang.Object.wait");
    }

    static Duration limit() {
        return ThreadsAt.LIMIT;
    }
}

package dev.leakhound.cli.demo;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/**
 * Makes the examples' threads (virtual, named {@code prefix<n>}) and remembers them, so the demo can tell
 * when they have settled and end them afterwards. {@link #close()} interrupts any still alive.
 */
final class ThreadRecorder implements ThreadFactory, AutoCloseable {
    private final ThreadFactory virtualThreads;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    ThreadRecorder(String prefix) {
        virtualThreads = Thread.ofVirtual().name(prefix, 0).factory();
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread t = virtualThreads.newThread(task);
        threads.add(t);
        return t;
    }

    List<Thread> threads() {
        return List.copyOf(threads);
    }

    List<Thread> alive() {
        return threads.stream().filter(Thread::isAlive).toList();
    }

    /** Ended, or blocked with no timeout: where a thread stays unless someone acts. */
    private static boolean settled(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.TERMINATED || s == Thread.State.WAITING || s == Thread.State.BLOCKED;
    }

    List<String> unsettled() {
        return threads.stream().filter(t -> !settled(t)).map(t -> t.getName() + " " + t.getState()).toList();
    }

    /**
     * Waits until every thread made so far has ended or blocked with no timeout. Polls, joining an
     * unsettled thread for a moment each time, so a thread that ends wakes it at once.
     */
    boolean awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Thread unsettled = threads.stream().filter(t -> !settled(t)).findFirst().orElse(null);
            if (unsettled == null) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            unsettled.join(Duration.ofMillis(1));
        }
    }

    /** Interrupts every thread still alive and waits for them to end; returns how many did not. */
    int stopAll(Duration timeout) throws InterruptedException {
        threads.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        return alive().size();
    }

    /** Ends any thread still alive (after an error; a step cleans up by itself). */
    @Override
    public void close() {
        if (!alive().isEmpty()) {
            try {
                stopAll(DemoCommand.SETTLE_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

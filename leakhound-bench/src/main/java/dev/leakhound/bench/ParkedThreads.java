package dev.leakhound.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads parked on one {@link CountDownLatch} until {@link #close()}: the load the benchmarks dump.
 * {@link #start} returns only when every thread is parked (state WAITING), found by polling, not by sleeping.
 */
final class ParkedThreads implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Thread> threads;

    private ParkedThreads(int n) {
        threads = new ArrayList<>(n);
    }

    /** Starts {@code n} virtual threads parked in {@code CountDownLatch.await}. */
    static ParkedThreads virtual(int n) {
        return start(n, Thread.ofVirtual().name("parked-v-", 0));
    }

    /** Starts {@code n} platform daemon threads parked in {@code CountDownLatch.await}. */
    static ParkedThreads platformDaemons(int n) {
        return start(n, Thread.ofPlatform().daemon(true).name("parked-p-", 0));
    }

    private static ParkedThreads start(int n, Thread.Builder builder) {
        ParkedThreads p = new ParkedThreads(n);
        AtomicInteger arrived = new AtomicInteger();
        Runnable task = () -> {
            arrived.incrementAndGet();
            try {
                p.release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        for (int i = 0; i < n; i++) {
            p.threads.add(builder.start(task));
        }
        while (arrived.get() < n) {
            Thread.onSpinWait();
            Thread.yield();
        }
        // Arrived is not yet parked: wait until each one really is.
        for (Thread t : p.threads) {
            while (t.getState() != Thread.State.WAITING) {
                if (!t.isAlive()) {
                    throw new IllegalStateException("a parked thread ended early: " + t);
                }
                Thread.yield();
            }
        }
        return p;
    }

    int size() {
        return threads.size();
    }

    @Override
    public void close() throws InterruptedException {
        release.countDown();
        for (Thread t : threads) {
            t.join();
        }
    }
}

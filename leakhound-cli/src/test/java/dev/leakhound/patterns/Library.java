package dev.leakhound.patterns;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * Little library classes of the kind applications write around {@code java.util.concurrent} and monitors: the
 * scenarios block inside them, so a leak's top application frame is the wrapper, not the code that misused it.
 */
final class Library {
    private Library() {
    }

    /** A one-way channel around a blocking queue. */
    static final class Mailbox<T> {
        private final BlockingQueue<T> queue;

        Mailbox(BlockingQueue<T> queue) {
            this.queue = queue;
        }

        void send(T message) throws InterruptedException {
            queue.put(message);
        }

        T receive() throws InterruptedException {
            return queue.take();
        }
    }

    /** Publish/subscribe: one queue and one virtual thread per subscriber; {@link #close} is what ends them. */
    static final class EventBus<E> {
        private static final Object CLOSED = new Object();
        private final ThreadFactory threads;
        private final List<LinkedBlockingDeque<Object>> inboxes = new ArrayList<>();

        EventBus(ThreadFactory threads) {
            this.threads = threads;
        }

        @SuppressWarnings("unchecked")
        void subscribe(Consumer<E> handler) {
            LinkedBlockingDeque<Object> inbox = new LinkedBlockingDeque<>();
            inboxes.add(inbox);
            threads.newThread(() -> {
                try {
                    for (Object e = inbox.take(); e != CLOSED; e = inbox.take()) {
                        handler.accept((E) e);
                    }
                } catch (InterruptedException ignored) {
                    // ends
                }
            }).start();
        }

        void publish(E event) {
            inboxes.forEach(i -> i.add(event));
        }

        void close() {
            inboxes.forEach(i -> i.add(CLOSED));
        }
    }

    /** A result handed from one thread to others, around a {@link CompletableFuture}. */
    static final class ResultHolder<T> {
        private final CompletableFuture<T> result = new CompletableFuture<>();

        void set(T value) {
            result.complete(value);
        }

        T await() throws InterruptedException, ExecutionException {
            return result.get();
        }
    }

    /** A flag others wait for, with {@code synchronized}, {@code wait} and {@code notifyAll}. */
    static final class ReadyFlag {
        private boolean ready;

        synchronized void awaitReady() throws InterruptedException {
            while (!ready) {
                wait();
            }
        }

        synchronized void markReady() {
            ready = true;
            notifyAll();
        }
    }

    /** A gate that opens once, with a {@link ReentrantLock} and a {@link Condition}. */
    static final class Gate {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition opened = lock.newCondition();
        private boolean open;

        void pass() throws InterruptedException {
            lock.lock();
            try {
                while (!open) {
                    opened.await();
                }
            } finally {
                lock.unlock();
            }
        }

        void open() {
            lock.lock();
            try {
                open = true;
                opened.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** A cache guarded by a read/write lock, whose read path forgets to unlock when the loader fails. */
    static final class Cache {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final java.util.Map<String, String> entries = new java.util.HashMap<>();

        String get(String key) {
            lock.readLock().lock();
            String v = entries.get(key);
            if (v == null) {
                throw new IllegalStateException("no " + key);        // the bug: the read lock stays held
            }
            lock.readLock().unlock();
            return v;
        }

        void put(String key, String value) {
            lock.writeLock().lock();
            try {
                entries.put(key, value);
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    /** Runs jobs later on a scheduled pool of its own, which only {@link #shutdown} ends. */
    static final class JobRunner {
        private final ScheduledExecutorService pool;

        JobRunner(int threads, ThreadFactory factory) {
            pool = Executors.newScheduledThreadPool(threads, factory);
        }

        void runSoon(Runnable job) {
            pool.schedule(job, 0, TimeUnit.MILLISECONDS);
        }

        void shutdown() {
            pool.shutdown();
        }
    }

    /** At most N connections out at once, with a {@link java.util.concurrent.Semaphore}. */
    static final class ConnectionPool {
        private final java.util.concurrent.Semaphore permits;

        ConnectionPool(int size) {
            permits = new java.util.concurrent.Semaphore(size);
        }

        void borrow() throws InterruptedException {
            permits.acquire();
        }

        void release() {
            permits.release();
        }
    }
}

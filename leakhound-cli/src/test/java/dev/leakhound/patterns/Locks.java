package dev.leakhound.patterns;

import java.util.concurrent.locks.ReentrantLock;

/** lock-never-released: waiting for a lock whose holder ended, or will never unlock. */
final class Locks {
    private Locks() {
    }

    /** A platform thread locks a {@link ReentrantLock}, returns early without unlocking and ends; others queue. */
    static final class EarlyReturnKeepsLock {
        static void start(Probe p) throws InterruptedException {
            ReentrantLock ledger = new ReentrantLock();
            Thread holder = Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                p.arrive();
                ledger.lock();
                if (ledger.isLocked()) {
                    return;                                  // the bug: unlock() is not in finally
                }
                ledger.unlock();
            });
            holder.join();                                   // the program's order: the holder is done first
            for (int i = 0; i < 2; i++) {
                Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                    p.arrive();
                    ledger.lock();
                    ledger.unlock();
                });
            }
        }
    }

    /** A virtual reader of a {@link Library.Cache} fails and keeps the read lock; virtual writers wait forever. */
    static final class ReadLockLeakedByCache {
        static void start(Probe p) throws InterruptedException {
            Library.Cache cache = new Library.Cache();
            Thread reader = Thread.ofVirtual().name(p.name()).start(() -> {
                p.arrive();
                try {
                    cache.get("user:1");
                } catch (IllegalStateException expected) {
                    // a miss: the read lock stays held by a thread that ends
                }
            });
            reader.join();
            for (int i = 0; i < 2; i++) {
                int n = i;
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    cache.put("user:" + n, "loaded");
                });
            }
        }
    }

    /**
     * A platform thread takes from a queue inside {@code synchronized (registry)}, and nobody feeds the queue: it
     * holds the monitor forever. Its waiters are {@link MonitorWaiters}, started here for the monitor they share.
     */
    static final class StuckMonitorHolder {
        static void start(Probe p) throws InterruptedException {
            Object registry = new Object();
            java.util.concurrent.LinkedBlockingQueue<String> renewals = new java.util.concurrent.LinkedBlockingQueue<>();
            java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
            Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                p.arrive();
                synchronized (registry) {
                    holding.countDown();
                    try {
                        renewals.take();
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                }
            });
            holding.await();                                 // the program's order: the holder has the monitor first
            MonitorWaiters.start(p, registry);
        }
    }

    /** Virtual threads blocked entering {@code synchronized (registry)}, held forever by {@link StuckMonitorHolder}. */
    static final class MonitorWaiters {
        static void start(Probe p, Object registry) {
            for (int i = 0; i < 2; i++) {
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    register(registry);
                });
            }
        }

        private static void register(Object registry) {
            synchronized (registry) {
                registry.notifyAll();
            }
        }
    }

    /** A {@link Library.ConnectionPool} (a {@link java.util.concurrent.Semaphore} of 2): two borrowers end without returning. */
    static final class PermitsNeverReturned {
        static void start(Probe p) throws InterruptedException {
            Library.ConnectionPool pool = new Library.ConnectionPool(2);
            for (int i = 0; i < 2; i++) {
                Thread borrower = Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    try {
                        pool.borrow();                           // the bug: no release() in finally
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                });
                borrower.join();
            }
            for (int i = 0; i < 3; i++) {
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    try {
                        pool.borrow();
                        pool.release();
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                });
            }
        }
    }
}

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
}

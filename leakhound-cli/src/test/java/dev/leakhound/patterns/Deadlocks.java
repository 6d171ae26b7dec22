package dev.leakhound.patterns;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/** deadlock: a cycle of threads, each holding what the next wants. */
final class Deadlocks {
    private Deadlocks() {
    }

    /** Two platform threads transfer between two accounts in opposite directions, with {@code synchronized}. */
    static final class TransferBothWays {
        static final class Account {
            long balance = 100;
        }

        static void start(Probe p) {
            Account alice = new Account();
            Account bob = new Account();
            CountDownLatch bothHoldOne = new CountDownLatch(2);
            Thread.ofPlatform().name(p.name()).daemon().start(() -> transfer(p, alice, bob, 10, bothHoldOne));
            Thread.ofPlatform().name(p.name()).daemon().start(() -> transfer(p, bob, alice, 20, bothHoldOne));
        }

        private static void transfer(Probe p, Account from, Account to, long amount, CountDownLatch bothHoldOne) {
            p.arrive();
            synchronized (from) {
                bothHoldOne.countDown();
                try {
                    bothHoldOne.await();
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (to) {
                    from.balance -= amount;
                    to.balance += amount;
                }
            }
        }
    }

    /** Two virtual threads take two {@link ReentrantLock}s in opposite orders. */
    static final class VirtualLockOrder {
        static void start(Probe p) {
            ReentrantLock index = new ReentrantLock();
            ReentrantLock journal = new ReentrantLock();
            CountDownLatch bothHoldOne = new CountDownLatch(2);
            Thread.ofVirtual().name(p.name()).start(() -> both(p, index, journal, bothHoldOne));
            Thread.ofVirtual().name(p.name()).start(() -> both(p, journal, index, bothHoldOne));
        }

        private static void both(Probe p, ReentrantLock first, ReentrantLock second, CountDownLatch bothHoldOne) {
            p.arrive();
            first.lock();
            try {
                bothHoldOne.countDown();
                bothHoldOne.await();
                second.lock();
                second.unlock();
            } catch (InterruptedException ignored) {
                // ends
            } finally {
                first.unlock();
            }
        }
    }

    /** Three virtual threads pass work around a ring of three monitors: a cycle of three. */
    static final class ThreeWayRing {
        static void start(Probe p) {
            Object[] stations = {new Object(), new Object(), new Object()};
            CountDownLatch allHoldOne = new CountDownLatch(3);
            for (int i = 0; i < 3; i++) {
                Object mine = stations[i];
                Object next = stations[(i + 1) % 3];
                Thread.ofVirtual().name(p.name()).start(() -> pass(p, mine, next, allHoldOne));
            }
        }

        private static void pass(Probe p, Object mine, Object next, CountDownLatch allHoldOne) {
            p.arrive();
            synchronized (mine) {
                allHoldOne.countDown();
                try {
                    allHoldOne.await();
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (next) {
                    next.hashCode();
                }
            }
        }
    }
}

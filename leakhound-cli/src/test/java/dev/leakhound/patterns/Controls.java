package dev.leakhound.patterns;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Look-alikes that are no leak: threads blocked without a timeout that a live thread (asleep for now, but timed)
 * or a reachable object can still wake, and threads that wait with a timeout. The heap proof must claim none.
 */
final class Controls {
    private Controls() {
    }

    /** Sleeps a day: a live thread that will act later. */
    private static void later() throws InterruptedException {
        Thread.sleep(Duration.ofDays(1));
    }

    /** A fixed pool in a static field, idle: anyone may still submit to it or shut it down. */
    static final class IdlePoolStillReferenced {
        static ExecutorService shared;

        static void start(Probe p) throws Exception {
            shared = Executors.newFixedThreadPool(2, p.factory());
            var a = shared.submit(() -> 1);                  // two tasks, so that both workers start
            var b = shared.submit(() -> 2);
            a.get();
            b.get();
        }
    }

    /** A platform thread awaits a latch that a live (sleeping) virtual thread will count down. */
    static final class LatchWithLiveReleaser {
        static void start(Probe p) {
            CountDownLatch loaded = new CountDownLatch(1);
            Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                p.arrive();
                try {
                    loaded.await();
                } catch (InterruptedException ignored) {
                    // ends
                }
            });
            Thread.ofVirtual().name(p.name()).start(() -> {
                p.arrive();
                try {
                    later();
                    loaded.countDown();
                } catch (InterruptedException ignored) {
                    // ends
                }
            });
        }
    }

    /** Virtual consumers take from a queue that a live platform producer will feed. */
    static final class ConsumerWithLiveProducer {
        static void start(Probe p) {
            LinkedBlockingQueue<String> orders = new LinkedBlockingQueue<>();
            for (int i = 0; i < 2; i++) {
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    try {
                        orders.take();
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                });
            }
            Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                p.arrive();
                try {
                    later();
                    orders.put("order-1");
                    orders.put("order-2");
                } catch (InterruptedException ignored) {
                    // ends
                }
            });
        }
    }

    /** Platform watchers wait on a monitor they share with a live notifier thread (no static field). */
    static final class WatcherOnSharedMonitor {
        static void start(Probe p) {
            Object configChanged = new Object();
            for (int i = 0; i < 2; i++) {
                Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                    p.arrive();
                    synchronized (configChanged) {
                        try {
                            configChanged.wait();
                        } catch (InterruptedException ignored) {
                            // ends
                        }
                    }
                });
            }
            Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                p.arrive();
                try {
                    later();
                } catch (InterruptedException ignored) {
                    return;
                }
                synchronized (configChanged) {
                    configChanged.notifyAll();
                }
            });
        }
    }

    /** A platform thread polls a private queue with a timeout, forever: it wakes every hour. */
    static final class TimedPoller {
        static void start(Probe p) {
            LinkedBlockingQueue<String> commands = new LinkedBlockingQueue<>();
            Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                p.arrive();
                try {
                    while (commands.poll(1, TimeUnit.HOURS) == null) {
                        Thread.onSpinWait();
                    }
                } catch (InterruptedException ignored) {
                    // ends
                }
            });
        }
    }

    /** A virtual thread waits on a future that a live (sleeping) platform thread will complete. */
    static final class FutureWithLiveCompleter {
        static void start(Probe p) {
            CompletableFuture<String> session = new CompletableFuture<>();
            Thread.ofVirtual().name(p.name()).start(() -> {
                p.arrive();
                try {
                    session.get();
                } catch (InterruptedException | ExecutionException ignored) {
                    // ends
                }
            });
            Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                p.arrive();
                try {
                    later();
                    session.complete("s-1");
                } catch (InterruptedException ignored) {
                    // ends
                }
            });
        }
    }

    /** Virtual threads wait for a lock that a live virtual thread holds while it sleeps. */
    static final class LockWithLiveHolder {
        static void start(Probe p) throws InterruptedException {
            ReentrantLock index = new ReentrantLock();
            CountDownLatch held = new CountDownLatch(1);
            Thread.ofVirtual().name(p.name()).start(() -> {
                p.arrive();
                index.lock();
                try {
                    held.countDown();
                    later();
                } catch (InterruptedException ignored) {
                    // ends
                } finally {
                    index.unlock();
                }
            });
            held.await();                                    // the program's order: the holder has it first
            for (int i = 0; i < 2; i++) {
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    index.lock();
                    index.unlock();
                });
            }
        }
    }
}

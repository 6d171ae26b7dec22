package dev.leakhound.patterns;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Phaser;

/** latch-never-released: awaiting a latch, barrier or phaser whose count cannot reach zero. */
final class Latches {
    private Latches() {
    }

    /** Platform threads await a start-up latch of 3; one initializer fails before its {@code countDown}. */
    static final class StartupCountDownSkipped {
        static void start(Probe p) {
            CountDownLatch initialized = new CountDownLatch(3);
            for (String part : new String[] {"config", "schema", "cache"}) {
                Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                    p.arrive();
                    if (part.equals("cache")) {
                        return;                              // the bug: failed, and countDown() is not in finally
                    }
                    initialized.countDown();
                });
            }
            for (int i = 0; i < 2; i++) {
                Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                    p.arrive();
                    try {
                        initialized.await();
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                });
            }
        }
    }

    /** Virtual threads meet at a {@link CyclicBarrier} of 4 parties, but only 3 ever come. */
    static final class BarrierShortOfParties {
        static void start(Probe p) {
            CyclicBarrier allShards = new CyclicBarrier(4);
            for (int i = 0; i < 3; i++) {
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    try {
                        allShards.await();
                    } catch (InterruptedException | BrokenBarrierException ignored) {
                        // ends
                    }
                });
            }
        }
    }

    /** Virtual threads wait at a {@link Phaser} whose coordinator registered and never arrives. */
    static final class PhaserCoordinatorGone {
        static void start(Probe p) {
            Phaser batch = new Phaser(1);                    // the coordinator's own party, never arrived
            for (int i = 0; i < 2; i++) {
                batch.register();
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    batch.arriveAndAwaitAdvance();
                });
            }
        }
    }
}

package dev.leakhound.patterns;

/** orphan-wait: {@code Object.wait} or {@code Condition.await} with nobody left to notify. */
final class Waits {
    private Waits() {
    }

    /** Platform threads wait on a {@link Library.ReadyFlag} ({@code synchronized}/{@code wait}) nobody marks. */
    static final class ReadyFlagNeverMarked {
        static void start(Probe p) {
            Library.ReadyFlag warmedUp = new Library.ReadyFlag();
            for (int i = 0; i < 2; i++) {
                Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                    p.arrive();
                    try {
                        warmedUp.awaitReady();
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                });
            }
        }
    }

    /** Virtual threads wait at a {@link Library.Gate} ({@code Condition.await}) that nobody opens. */
    static final class GateNeverOpened {
        static void start(Probe p) {
            Library.Gate maintenanceOver = new Library.Gate();
            for (int i = 0; i < 3; i++) {
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    try {
                        maintenanceOver.pass();
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                });
            }
        }
    }

    /** Virtual threads in a plain {@code synchronized}/{@code wait()} loop on a private job object. */
    static final class VirtualWaitOnJob {
        private boolean done;

        static void start(Probe p) {
            VirtualWaitOnJob job = new VirtualWaitOnJob();
            for (int i = 0; i < 2; i++) {
                Thread.ofVirtual().name(p.name()).start(() -> {
                    p.arrive();
                    job.awaitDone();
                });
            }
        }

        private synchronized void awaitDone() {
            try {
                while (!done) {
                    wait();
                }
            } catch (InterruptedException ignored) {
                // ends
            }
        }
    }
}

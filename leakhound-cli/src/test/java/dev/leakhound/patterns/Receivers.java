package dev.leakhound.patterns;

import java.util.concurrent.LinkedBlockingQueue;

/** abandoned-receiver: threads take from a queue nobody will feed (and nobody closes). */
final class Receivers {
    private Receivers() {
    }

    /** Platform workers drain a job queue; the code that fed it finished without a poison pill. */
    static final class JobWorkersNoPoisonPill {
        static void start(Probe p) {
            LinkedBlockingQueue<Runnable> jobs = new LinkedBlockingQueue<>();
            for (int i = 0; i < 2; i++) {
                Thread.ofPlatform().name(p.name()).daemon().start(() -> {
                    p.arrive();
                    try {
                        while (true) {
                            jobs.take().run();
                        }
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                });
            }
            for (int i = 0; i < 5; i++) {
                jobs.add(() -> { });
            }
        }
    }

    /** Virtual-thread subscribers of a {@link Library.EventBus} that is dropped without {@code close()}. */
    static final class EventBusNeverClosed {
        static void start(Probe p) {
            Library.EventBus<String> bus = new Library.EventBus<>(r -> Thread.ofVirtual().name(p.name()).unstarted(() -> {
                p.arrive();
                r.run();
            }));
            for (int i = 0; i < 3; i++) {
                bus.subscribe(event -> { });
            }
            bus.publish("started");
        }
    }
}

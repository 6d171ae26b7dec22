package dev.leakhound.agent.instrument;

/** Starts the tasks it is handed, for {@link StartTrackingProbe}: code that starts threads on behalf of others. */
final class StartTrackingSpawner {
    private StartTrackingSpawner() {
    }

    static Thread spawn(Runnable task) {
        return Thread.ofVirtual().start(task);
    }
}

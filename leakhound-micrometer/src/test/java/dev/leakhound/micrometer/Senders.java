package dev.leakhound.micrometer;

import dev.leakhound.testing.ThreadsAt;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SynchronousQueue;

/** A planted leak: virtual threads stuck in {@code SynchronousQueue.put}, released by {@link #close()}. */
final class Senders implements AutoCloseable {
    private final SynchronousQueue<String> outbox = new SynchronousQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code n} more senders and waits until each is parked in {@code put}. */
    Senders leak(int n) {
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            started.add(Thread.ofVirtual().name("sender-" + threads.size() + i).start(this::send));
        }
        threads.addAll(started);
        ThreadsAt.await(started, Thread.State.WAITING, "java.util.concurrent.SynchronousQueue.put");
        return this;
    }

    private void send() {
        try {
            outbox.put("message");                            // the blocking line
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int count() {
        return threads.size();
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = 0; i < threads.size(); i++) {
            outbox.take();                                    // each sender puts one message, then ends
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}

package dev.leakhound.spring;

import java.util.concurrent.SynchronousQueue;

/** The planted leak: senders that hand a message to a queue nobody takes from. */
final class LeakyMailer {
    private LeakyMailer() {
    }

    static void send(SynchronousQueue<String> outbox, String message) {
        try {
            outbox.put(message);                              // the blocking line the endpoint must show
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

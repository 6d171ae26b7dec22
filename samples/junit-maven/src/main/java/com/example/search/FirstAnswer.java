package com.example.search;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;

/**
 * Asks every replica at once, each on its own virtual thread, and returns the first answer: the
 * "first answer wins" query. {@link #leaky} is the classic bug: the replicas that lose the race wait
 * forever to hand over an answer nobody reads. {@link #fixed} gives every answer a place.
 */
public final class FirstAnswer {
    /** A replica of the search service. */
    @FunctionalInterface
    public interface Replica {
        String search(String query);
    }

    private FirstAnswer() {
    }

    /** Leaks one virtual thread per losing replica, blocked in {@code put} for good. */
    public static String leaky(List<Replica> replicas, String query) throws InterruptedException {
        SynchronousQueue<String> answers = new SynchronousQueue<>();  // no room: a sender waits for a reader
        for (Replica replica : replicas) {
            Thread.ofVirtual().name("search-replica").start(() -> {
                String answer = replica.search(query);
                try {
                    answers.put(answer);  // the losers wait here forever
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        return answers.take();
    }

    /** The fix: a buffer of N answers, so every replica can hand its answer over and end. */
    public static String fixed(List<Replica> replicas, String query) throws InterruptedException {
        BlockingQueue<String> answers = new ArrayBlockingQueue<>(replicas.size());
        for (Replica replica : replicas) {
            Thread.ofVirtual().name("search-replica").start(() -> answers.add(replica.search(query)));
        }
        return answers.take();
    }
}

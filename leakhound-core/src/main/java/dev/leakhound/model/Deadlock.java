package dev.leakhound.model;

import java.util.List;
import java.util.Objects;

/**
 * A deadlock the JVM itself found and printed in a thread dump ({@code jstack}, {@code jcmd PID Thread.print}:
 * "Found one Java-level deadlock"): threads each waiting for a lock another of them holds. Immutable.
 *
 * @param links one per thread of the cycle, in the order the JVM printed them; never empty
 */
public record Deadlock(List<Link> links) {

    public Deadlock {
        links = List.copyOf(links);
        if (links.isEmpty()) {
            throw new IllegalArgumentException("a deadlock has at least one thread");
        }
    }

    /**
     * One thread of the cycle.
     *
     * @param thread  the thread's name
     * @param waiting what it waits for, in the JVM's words, e.g.
     *                {@code waiting to lock monitor 0x00007f... (object 0x000000069ec36090, a java.lang.Object)}
     * @param heldBy  the name of the thread that holds it, or {@code null} when the JVM did not name one
     */
    public record Link(String thread, String waiting, String heldBy) {
        public Link {
            Objects.requireNonNull(thread, "thread");
            Objects.requireNonNull(waiting, "waiting");
        }
    }
}

package dev.leakhound.model;

import java.util.List;
import java.util.Objects;

/**
 * A deadlock: a cycle of threads, each holding a lock the next one wants. Found from the threads' lock facts
 * ({@code dev.leakhound.analysis.Deadlocks}) or printed by the JVM itself in a thread dump ({@code jstack},
 * {@code jcmd PID Thread.print}: "Found one Java-level deadlock"), or both. Immutable.
 *
 * @param links        one per thread of the cycle, each wanting what the next one holds (the last wants what
 *                     the first holds); never empty
 * @param printedByJvm whether the JVM printed this cycle in the dump
 */
public record Deadlock(List<Link> links, boolean printedByJvm) {

    public Deadlock {
        links = List.copyOf(links);
        if (links.isEmpty()) {
            throw new IllegalArgumentException("a deadlock has at least one thread");
        }
    }

    /** Whether any thread of the cycle is a virtual thread. */
    public boolean anyVirtual() {
        return links.stream().anyMatch(Link::virtual);
    }

    /**
     * One thread of the cycle.
     *
     * @param tid     the thread's id, or {@code null} when only the JVM's deadlock report named it
     * @param name    the thread's name (empty for an unnamed virtual thread)
     * @param virtual whether it is a virtual thread
     * @param holds   the lock it holds that the previous thread wants ({@code java.lang.Object@1b6d3586},
     *                {@code java.util.concurrent.locks.ReentrantLock$NonfairSync@0x000000069d87bfc8}), or
     *                {@code null} when not known
     * @param wants   the lock it waits for, as {@link #holds}; in the JVM's own words for a cycle only the JVM
     *                printed ({@code waiting to lock monitor 0x... (object 0x..., a java.lang.Object)})
     * @param heldAt  the application line that took {@link #holds} (the first non-JDK frame from the frame that
     *                locked it), or {@code null} when the dump does not say (locks of {@code java.util.concurrent}
     *                are not tied to a frame)
     * @param wantsAt the application line that waits for {@link #wants} (the first non-JDK frame), or {@code null}
     */
    public record Link(Long tid, String name, boolean virtual, String holds, String wants, StackFrame heldAt,
                       StackFrame wantsAt) {
        public Link {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(wants, "wants");
        }

        /** {@code #23 "s1"}, {@code #23} for an unnamed thread, {@code "s1"} when the id is not known. */
        public String label() {
            if (tid == null) {
                return "\"" + name + "\"";
            }
            return name.isEmpty() ? "#" + tid : "#" + tid + " \"" + name + "\"";
        }
    }
}

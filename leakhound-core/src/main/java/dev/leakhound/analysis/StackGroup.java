package dev.leakhound.analysis;

import dev.leakhound.model.Blocker;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadSnapshot;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Threads in the same state, blocked on the same kind of object, with the same stack: one line of a
 * pprof-style grouped dump ({@code goroutine?debug=1}).
 *
 * @param state        their state, or {@code null} when unknown
 * @param blockerKind  how they are blocked, or {@code null} when not blocked on an object
 * @param blockerClass the class of the object they are blocked on, or {@code null}
 * @param stack        their common stack
 * @param threads      the threads, in capture order; never empty. All of them, except in a group of a dump too
 *                     large to keep ({@link ThreadGrouping.Accumulator#bounded()}): then the first ones, and
 *                     {@link #complete()} is false
 * @param count        how many threads the group has
 * @param virtualCount how many of them are virtual threads
 */
public record StackGroup(Thread.State state, Blocker.Kind blockerKind, String blockerClass,
                         List<StackFrame> stack, List<ThreadSnapshot> threads, int count, long virtualCount) {

    public StackGroup {
        stack = List.copyOf(stack);
        threads = List.copyOf(threads);
        if (threads.isEmpty()) {
            throw new IllegalArgumentException("a group has at least one thread");
        }
        if (count < threads.size() || virtualCount < 0 || virtualCount > count) {
            throw new IllegalArgumentException("counts out of range: " + count + " threads, " + virtualCount
                    + " virtual, " + threads.size() + " listed");
        }
    }

    /** A group of all these threads. */
    public StackGroup(Thread.State state, Blocker.Kind blockerKind, String blockerClass,
                      List<StackFrame> stack, List<ThreadSnapshot> threads) {
        this(state, blockerKind, blockerClass, stack, threads, threads.size(),
                threads.stream().filter(ThreadSnapshot::virtual).count());
    }

    /** Whether {@link #threads()} holds every thread of the group (else the first ones). */
    public boolean complete() {
        return threads.size() == count;
    }

    /** What they wait on; computed from the first thread (all share stack, state and blocker class). */
    public WaitSite waitSite() {
        return WaitSite.of(threads.get(0));
    }

    public boolean blockedWithoutTimeout() {
        return WaitSite.isBlockedWithoutTimeout(threads.get(0));
    }

    /** The distinct containers (executors) of the threads listed, in order of appearance. */
    public Set<String> containers() {
        Set<String> out = new LinkedHashSet<>();
        for (ThreadSnapshot t : threads) {
            if (t.container() != null) {
                out.add(t.container());
            }
        }
        return out;
    }

    /** The distinct blocker objects (class and identity) of the threads listed, in order of appearance. */
    public Set<String> blockerObjects() {
        Set<String> out = new LinkedHashSet<>();
        for (ThreadSnapshot t : threads) {
            if (t.blocker() != null) {
                out.add(t.blocker().objectText());
            }
        }
        return out;
    }

    /** The first thread's creation site, if any thread of the group has one. */
    public dev.leakhound.model.CreationSite creationSite() {
        return threads.stream().map(ThreadSnapshot::creationSite).filter(Objects::nonNull).findFirst().orElse(null);
    }
}

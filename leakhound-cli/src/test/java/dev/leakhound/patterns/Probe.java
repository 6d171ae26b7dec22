package dev.leakhound.patterns;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a scenario's threads let the child JVM see them: each thread {@link #arrive}s before it blocks (or a pool's
 * {@link #factory} records the threads it makes), the child waits until they are all where the scenario says, then
 * {@link #forget}s them, so that nothing but the scenario's own objects refers to them when the heap is dumped.
 */
final class Probe {
    private final String prefix;
    private final AtomicInteger next = new AtomicInteger();
    private final List<Thread> arrived = new CopyOnWriteArrayList<>();

    Probe(String prefix) {
        this.prefix = prefix;
    }

    /** Called by a scenario's thread before it blocks. */
    void arrive() {
        arrived.add(Thread.currentThread());
    }

    /** The next thread name of the scenario: {@code pc-ID-N}. */
    String name() {
        return prefix + next.getAndIncrement();
    }

    /** A thread factory for a pool: platform daemon threads named {@code pc-ID-N}, each recorded as it is made. */
    ThreadFactory factory() {
        return r -> {
            Thread t = Thread.ofPlatform().name(name()).daemon().unstarted(r);
            arrived.add(t);
            return t;
        };
    }

    List<Thread> threads() {
        return new ArrayList<>(arrived);
    }

    void forget() {
        arrived.clear();
    }
}

package dev.leakhound.agent.sampling;

import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How long each thread has been waiting where it is: the time of the first capture that saw it in its
 * current state with its current stack, as long as every capture since saw it there too. A lower bound,
 * with the resolution of the sampling period; Go's {@code goroutine 66 [chan send, 7 minutes]} for threads.
 *
 * <p>Only threads that are not running are tracked (WAITING, TIMED_WAITING, BLOCKED, or of unknown state);
 * a thread that is not seen in a capture, or seen elsewhere, starts over. Memory: one small entry per tracked
 * thread, at most {@value #MAX_TRACKED}; threads beyond that get no "blocked for" figure.
 */
public final class BlockedSince {
    static final int MAX_TRACKED = 100_000;       // ~10 MB at most inside the host

    /** A thread's wait: its state and stack (by hash), and when that was first seen. */
    private record Seen(Thread.State state, int stackHash, int stackSize, long firstSeenNanos, Instant firstSeenAt) {
        /** Whether {@code t} has the state and stack depth seen: the checks that cost nothing, before a stack's hash. */
        boolean sameStateAndDepth(ThreadSnapshot t) {
            return state == t.state() && stackSize == t.stack().size();
        }
    }

    private Map<Long, Seen> seen = new HashMap<>();
    private final java.util.function.LongSupplier clock;

    public BlockedSince() {
        this(System::nanoTime);
    }

    BlockedSince(java.util.function.LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    /** Records a capture: threads where they were stay, others start now, threads gone are forgotten. */
    public void observe(ThreadDump dump) {
        long now = clock.getAsLong();
        Instant at = dump.capturedAt() != null ? dump.capturedAt() : Instant.now();
        Map<List<StackFrame>, Integer> hashes = new IdentityHashMap<>();
        synchronized (this) {
            Map<Long, Seen> next = new HashMap<>(Math.max(16, seen.size() * 4 / 3));
            for (ThreadSnapshot t : dump.threads()) {
                if (!waiting(t) || next.size() >= MAX_TRACKED) {
                    continue;
                }
                int hash = hashes.computeIfAbsent(t.stack(), List::hashCode);
                Seen before = seen.get(t.id());
                if (before != null && before.sameStateAndDepth(t) && before.stackHash() == hash) {
                    next.put(t.id(), before);
                } else {
                    next.put(t.id(), new Seen(t.state(), hash, t.stack().size(), now, at));
                }
            }
            seen = next;
        }
    }

    /**
     * How long the thread has been where it is in {@code t}, or {@code null} when it has not been seen there
     * (not tracked, or it moved since the last capture).
     */
    public synchronized Duration waitingFor(ThreadSnapshot t) {
        Seen s = seenWhereItIs(t);
        return s == null ? null : Duration.ofNanos(Math.max(0, clock.getAsLong() - s.firstSeenNanos()));
    }

    /**
     * When the first capture that saw the thread where it is in {@code t} was taken, or {@code null} when it has not
     * been seen there. Every view takes a thread's age from here ({@link #blockedFor}), so that they agree.
     */
    public synchronized Instant since(ThreadSnapshot t) {
        Seen s = seenWhereItIs(t);
        return s == null ? null : s.firstSeenAt();
    }

    /** The thread's entry when it is still where it was seen, else {@code null}. The caller holds the lock. */
    private Seen seenWhereItIs(ThreadSnapshot t) {
        Seen s = seen.get(t.id());
        return s != null && s.sameStateAndDepth(t) && s.stackHash() == t.stack().hashCode() ? s : null;
    }

    /**
     * How long the thread had been where it is at {@code at} (the time of the capture a view shows), or {@code null}
     * when it has not been seen there. A lower bound: the thread may have been there before the first capture.
     */
    public Duration blockedFor(ThreadSnapshot t, Instant at) {
        Instant since = since(t);
        return since == null ? null : nonNegative(Duration.between(since, at));
    }

    /**
     * The longest that any of {@code threads} had been where it is at {@code at} (the largest {@link #blockedFor}),
     * or {@code null} when none has been seen where it is. For a group of 100k threads: one lock, and one stack hash
     * per run of threads sharing a stack (a group's threads share one), not one of each per thread.
     */
    public Duration longestBlockedFor(List<ThreadSnapshot> threads, Instant at) {
        Instant earliest = null;
        List<StackFrame> stack = null;
        int hash = 0;
        synchronized (this) {
            for (ThreadSnapshot t : threads) {
                Seen s = seen.get(t.id());
                if (s == null || !s.sameStateAndDepth(t)) {
                    continue;
                }
                if (t.stack() != stack) {
                    stack = t.stack();
                    hash = stack.hashCode();
                }
                if (s.stackHash() == hash && (earliest == null || s.firstSeenAt().isBefore(earliest))) {
                    earliest = s.firstSeenAt();
                }
            }
        }
        return earliest == null ? null : nonNegative(Duration.between(earliest, at));
    }

    /** {@code blocked for at least 16 s}: the words every view uses for {@link #blockedFor}. */
    public static String blockedWords(Duration d) {
        return "blocked for at least " + seconds(d);
    }

    /** {@code started 29 s ago}: how long before {@code at} a thread was started, in the same units. */
    public static String startedWords(Instant started, Instant at) {
        return "started " + seconds(nonNegative(Duration.between(started, at))) + " ago";
    }

    /** What {@link #blockedWords} counts from, for a view's explanation. */
    public static final String SINCE = "since the first sample that saw it";

    /** Whole seconds, {@code 16 s}: the unit of every age, so that views can be compared at a glance. */
    public static String seconds(Duration d) {
        return d.toSeconds() + " s";
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** How many threads are tracked. */
    public synchronized int size() {
        return seen.size();
    }

    static boolean waiting(ThreadSnapshot t) {
        Thread.State s = t.state();
        return s == null ? !t.stack().isEmpty() : s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING
                || s == Thread.State.BLOCKED;
    }

    /**
     * Go's way: nothing under a minute, then {@code 7 minutes}; here also seconds, since the sampling period is
     * seconds: {@code 12 seconds}, {@code 1 minute}, {@code 7 minutes}, {@code 26 hours} stays minutes as in Go
     * ({@code 1560 minutes}).
     */
    public static String describe(Duration d) {
        Objects.requireNonNull(d);
        long s = d.toSeconds();
        if (s < 1) {
            return "under a second";
        }
        if (s < 60) {
            return s == 1 ? "1 second" : s + " seconds";
        }
        long m = d.toMinutes();
        return m == 1 ? "1 minute" : m + " minutes";
    }
}

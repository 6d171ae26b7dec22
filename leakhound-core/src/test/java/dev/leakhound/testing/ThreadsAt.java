package dev.leakhound.testing;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits until threads are exactly where a test needs them: in a given state inside a given method (its blocking
 * call), never merely "not running" (a thread still sleeping its latency, or parked on a class-loading lock on its
 * way, is not where it will block). Plain Java with no test library, so that the child JVMs of the tests can use it
 * too. The limit is generous: it only makes a failing run slower, never a passing one.
 */
public final class ThreadsAt {
    /** How long {@link #await} waits before it fails, whatever the machine's load. */
    public static final Duration LIMIT = Duration.ofMinutes(2);

    private ThreadsAt() {
    }

    /**
     * Whether {@code t} is in {@code state} with {@code frame} ({@code class.method}, e.g.
     * {@code java.util.concurrent.SynchronousQueue.put}) on its stack. The state is read before and after the
     * stack, so a thread that went on between the two reads is not taken for one that stays.
     */
    public static boolean at(Thread t, Thread.State state, String frame) {
        if (t.getState() != state) {
            return false;
        }
        boolean inFrame = false;
        for (StackTraceElement e : t.getStackTrace()) {
            if (frame.equals(e.getClassName() + "." + e.getMethodName())) {
                inFrame = true;
                break;
            }
        }
        return inFrame && t.getState() == state;
    }

    /** Waits until every one of {@code threads} is {@link #at} {@code state} in {@code frame}. */
    public static void await(Collection<? extends Thread> threads, Thread.State state, String frame) {
        await(() -> threads.stream().allMatch(t -> at(t, state, frame)),
                () -> describe(threads) + " not all " + state + " in " + frame);
    }

    /** Waits until {@code t} is {@link #at} {@code state} in {@code frame}. */
    public static void await(Thread t, Thread.State state, String frame) {
        await(java.util.List.of(t), state, frame);
    }

    /**
     * Polls {@code condition} (every millisecond, without spinning: the threads waited for need the CPU) until it
     * holds; after {@link #LIMIT}, throws an {@link AssertionError} with {@code what}.
     */
    public static void await(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + LIMIT + ": " + what.get());
            }
            LockSupport.parkNanos(1_000_000);                 // the poll interval, not a synchronisation
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted while waiting: " + what.get());
            }
        }
    }

    /** Each thread with its state and top frames, for a failure message. */
    public static String describe(Collection<? extends Thread> threads) {
        StringBuilder sb = new StringBuilder();
        for (Thread t : threads) {
            sb.append('\n').append(t).append(' ').append(t.getState());
            StackTraceElement[] stack = t.getStackTrace();
            for (int i = 0; i < Math.min(stack.length, 12); i++) {
                sb.append("\n    at ").append(stack[i]);
            }
        }
        return sb.toString();
    }
}

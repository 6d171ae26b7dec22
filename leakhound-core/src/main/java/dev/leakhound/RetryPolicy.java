package dev.leakhound;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * How long the leak check gives threads to end before it reports them. A thread that is just finishing
 * (its task returned, the executor is closing) is not a leak; the check captures again after each pause
 * and reports only the threads still there at the end.
 */
@FunctionalInterface
public interface RetryPolicy {

    /**
     * Called after a capture that found threads. Pauses, then says whether to capture again.
     *
     * @param attempt the number of captures made so far (1 after the first)
     * @param elapsed time since the first capture ended
     * @return true to capture again, false to report what was found
     * @throws InterruptedException if interrupted while pausing; the check then stops and the
     *                              interrupt status is restored
     */
    boolean awaitRetry(int attempt, Duration elapsed) throws InterruptedException;

    /** Report at once: a single capture. */
    static RetryPolicy none() {
        return (attempt, elapsed) -> false;
    }

    /** goleak's default: pauses doubling from 1 ms up to 100 ms each, for about half a second in all. */
    static RetryPolicy defaultPolicy() {
        return backoff(Duration.ofMillis(1), Duration.ofMillis(100), Duration.ofMillis(500));
    }

    /**
     * Pauses of {@code first}, doubling up to {@code max} each, until {@code total} has passed since the
     * first capture ended (so a slow capture still leaves threads their time to end).
     */
    static RetryPolicy backoff(Duration first, Duration max, Duration total) {
        long firstNanos = first.toNanos();
        long maxNanos = max.toNanos();
        long totalNanos = total.toNanos();
        if (firstNanos <= 0 || maxNanos < firstNanos || totalNanos < 0) {
            throw new IllegalArgumentException("need 0 < first <= max and total >= 0");
        }
        return (attempt, elapsed) -> {
            long left = totalNanos - elapsed.toNanos();
            if (left <= 0) {
                return false;
            }
            int shift = Math.min(attempt - 1, 30);
            long pause = Math.min(maxNanos, Math.min(left, firstNanos << shift));
            long deadline = System.nanoTime() + pause;
            for (long wait = pause; wait > 0; wait = deadline - System.nanoTime()) {
                LockSupport.parkNanos(wait);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return true;
        };
    }
}

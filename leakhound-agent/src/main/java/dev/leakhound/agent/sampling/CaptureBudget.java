package dev.leakhound.agent.sampling;

/**
 * The share of one core's time that all of the agent's captures of the threads take together, the sampler's and
 * the endpoints' alike: at most {@link #MAX_SHARE}. A capture that ran for {@code d} is followed by at least
 * {@code 19 d} without any capture ({@link #idleAfterNanos}), so that from one start to the next a capture takes at
 * most 5% of the time (a capture of 100k threads, about a second: then one every 20 s at most).
 *
 * <p>Only the start is gated: captures run one at a time ({@link SharedCapture}), each is charged when it ends.
 * A capture's length is its wall-clock time, as the sampler always measured it; a capture that reads stacks on
 * several threads ({@code ContainerThreads}) may use more CPU than that. Times are {@link System#nanoTime()}
 * values, or those of the clock a test gives. Thread-safe.
 */
final class CaptureBudget {
    /** The largest share of one core's time that the captures take together (5%). */
    static final double MAX_SHARE = 0.05;

    private boolean charged;            // guarded by this
    private long notBeforeNanos;        // guarded by this; meaningful once charged
    private long captures;              // guarded by this
    private long spentNanos;            // guarded by this

    /** The time without captures that must follow a capture of {@code lengthNanos}: 19 times its length. */
    static long idleAfterNanos(long lengthNanos) {
        return (long) Math.ceil(Math.max(0, lengthNanos) * ((1 - MAX_SHARE) / MAX_SHARE));
    }

    /** Charges a capture that ran from {@code startedNanos} to {@code endedNanos}. */
    synchronized void charge(long startedNanos, long endedNanos) {
        long length = Math.max(0, endedNanos - startedNanos);
        long notBefore = endedNanos + idleAfterNanos(length);
        notBeforeNanos = charged && notBeforeNanos - notBefore > 0 ? notBeforeNanos : notBefore;
        charged = true;
        captures++;
        spentNanos += length;
    }

    /** How long from {@code nowNanos} until a capture may start: 0 if it may start now. */
    synchronized long waitNanos(long nowNanos) {
        return charged ? Math.max(0, notBeforeNanos - nowNanos) : 0;
    }

    /** The captures charged so far. */
    synchronized long captures() {
        return captures;
    }

    /** Their time in all, in nanoseconds. */
    synchronized long spentNanos() {
        return spentNanos;
    }
}

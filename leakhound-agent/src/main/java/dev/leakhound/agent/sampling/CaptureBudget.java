package dev.leakhound.agent.sampling;

import java.time.Duration;

/**
 * The share of one core's time that all of the agent's captures of the threads take together, the sampler's and
 * the endpoints' alike: at most {@link #MAX_SHARE}, over time. Each capture of length {@code d} is charged
 * {@code 20 d} of pace from its start ({@link #idleAfterNanos} after its end), and charges add up: in the long run
 * a capture takes at most 5% of the time (a capture of 100k threads, about a second: then one every 20 s at most).
 * An allowance ({@link #ALLOWANCE}, 2 s of captures) may be spent ahead of that pace, so that one slow capture (the
 * first of a cold JVM, which loads and compiles the code of the capture: 1.6 s where the next ones take
 * milliseconds) does not space the next ones half a minute apart; the allowance comes back at the 5% pace. Over any
 * time {@code t}, the captures take at most {@code 5% t + 2 s} and one capture more.
 *
 * <p>Only the start is gated: captures run one at a time ({@link SharedCapture}), each is charged when it ends.
 * A capture's length is its wall-clock time, as the sampler always measured it; a capture that reads stacks on
 * several threads ({@code ContainerThreads}) may use more CPU than that. Times are {@link System#nanoTime()}
 * values, or those of the clock a test gives. Thread-safe.
 */
final class CaptureBudget {
    /** The largest share of one core's time that the captures take together (5%). */
    static final double MAX_SHARE = 0.05;
    /** How much capture time may be spent ahead of the 5% pace: 2 s. */
    static final Duration ALLOWANCE = Duration.ofSeconds(2);

    private final long creditNanos;     // the allowance as pace: 2 s of captures are 40 s at 5%
    private boolean charged;            // guarded by this
    private long notBeforeNanos;        // guarded by this; meaningful once charged
    private long captures;              // guarded by this
    private long spentNanos;            // guarded by this

    /** The time without captures that must follow a capture of {@code lengthNanos}: 19 times its length. */
    static long idleAfterNanos(long lengthNanos) {
        return (long) Math.ceil(Math.max(0, lengthNanos) * ((1 - MAX_SHARE) / MAX_SHARE));
    }

    /** A budget with the {@link #ALLOWANCE}. */
    CaptureBudget() {
        this(ALLOWANCE);
    }

    /** A budget with this allowance (zero: every capture sets the pace at once, as the tests of the pace want). */
    CaptureBudget(Duration allowance) {
        this.creditNanos = (long) Math.ceil(allowance.toNanos() / MAX_SHARE);
    }

    /**
     * Charges a capture that ran from {@code startedNanos} to {@code endedNanos}: {@code 20} times its length of pace,
     * from its start or from the end of the pace already charged, whichever is later, the allowance held back.
     */
    synchronized void charge(long startedNanos, long endedNanos) {
        long length = Math.max(0, endedNanos - startedNanos);
        long from = startedNanos - creditNanos;
        long base = charged && notBeforeNanos - from > 0 ? notBeforeNanos : from;
        notBeforeNanos = base + length + idleAfterNanos(length);
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

package dev.leakhound.micrometer;

import dev.leakhound.DumpAnalysis;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.model.ThreadDump;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Supplier;

/**
 * This JVM's threads, platform and virtual, as one live capture ({@link LiveThreads#capture()}, a JSON thread
 * dump: about 20 µs a thread) analysed into a {@link Census}, kept for {@code maxAge} so that a scrape storm, or the
 * dozen meters of one scrape, costs one capture.
 *
 * <p>Never blocks a caller behind another: when the census is older than {@code maxAge}, the first caller
 * captures anew and the others, meanwhile, get the previous census (or none before the first). A failed capture
 * (no writable temporary directory, say) keeps the previous census, is counted, and is not retried before
 * {@code maxAge} has passed. Safe for any threads.
 */
public final class ThreadCensus {
    /** The default age a census is reused for: 5 seconds. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(5);

    private final Duration maxAge;
    private final Supplier<ThreadDump> capture;
    private final AtomicBoolean capturing = new AtomicBoolean();
    private final AtomicLong captures = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final DoubleAdder seconds = new DoubleAdder();
    private volatile Census latest;
    /** System.nanoTime() of the latest attempt, successful or not. */
    private volatile long attemptedAt;
    private volatile boolean attempted;
    private volatile String lastFailure;

    /** Captures this JVM's threads, reusing a census for {@link #DEFAULT_MAX_AGE}. */
    public ThreadCensus() {
        this(DEFAULT_MAX_AGE);
    }

    /** Captures this JVM's threads, reusing a census for {@code maxAge} (zero: a capture per call). */
    public ThreadCensus(Duration maxAge) {
        this(maxAge, LiveThreads::capture);
    }

    /** With another source of captures: for tests. */
    ThreadCensus(Duration maxAge, Supplier<ThreadDump> capture) {
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
        }
        this.maxAge = maxAge;
        this.capture = capture;
    }

    /**
     * The census no older than {@code maxAge}, captured now if needed; the previous one while another thread
     * captures or after a failed capture; {@code null} when there is none yet.
     */
    public Census get() {
        Census c = latest;
        if (attempted && System.nanoTime() - attemptedAt < maxAge.toNanos()) {
            return c;
        }
        if (!capturing.compareAndSet(false, true)) {
            return c;
        }
        try {
            if (attempted && System.nanoTime() - attemptedAt < maxAge.toNanos()) {
                return latest;                         // another thread captured between the check and here
            }
            return refresh();
        } finally {
            capturing.set(false);
        }
    }

    /** The latest census without capturing, {@code null} before the first. */
    public Census latest() {
        return latest;
    }

    private Census refresh() {
        long start = System.nanoTime();
        try {
            Census c = analyse(capture.get(), start);
            latest = c;
            lastFailure = null;
            return c;
        } catch (RuntimeException e) {
            // The host's scrape must not fail with us: keep the previous census, say why in lastFailure().
            failures.incrementAndGet();
            lastFailure = String.valueOf(e.getMessage());
            return latest;
        } finally {
            long end = System.nanoTime();
            captures.incrementAndGet();
            seconds.add((end - start) / 1e9);
            attemptedAt = end;
            attempted = true;
        }
    }

    /** Streams the threads into the counts, the grouping, the pattern classifier and the deadlock search. */
    private static Census analyse(ThreadDump dump, long startNanos) {
        DumpAnalysis analysis = new DumpAnalysis(true);
        dump.threads().forEach(analysis);
        DumpAnalysis.Result r = analysis.result(dump.deadlocks());
        Instant at = dump.capturedAt() != null ? dump.capturedAt() : Instant.now();
        return new Census(at, Duration.ofNanos(System.nanoTime() - startNanos),
                dump.processId() != null ? dump.processId() : ProcessHandle.current().pid(),
                dump.runtimeVersion(), r.counts(), r.ignored(), r.groups(), r.patterns(), r.suspects(), r.deadlocks(),
                r.deadlockSearchIncomplete());
    }

    /** How long a census is reused. */
    public Duration maxAge() {
        return maxAge;
    }

    /** Captures attempted so far, failed ones included. */
    public long captures() {
        return captures.get();
    }

    /** Captures that failed. */
    public long failures() {
        return failures.get();
    }

    /** Time spent capturing and analysing, in seconds. */
    public double captureSeconds() {
        return seconds.sum();
    }

    /** Why the latest capture failed, {@code null} when it did not. */
    public String lastFailure() {
        return lastFailure;
    }
}

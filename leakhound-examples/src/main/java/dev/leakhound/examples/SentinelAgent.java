package dev.leakhound.examples;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The seed article's "sentinel-agent" program, not a Java agent (Leakhound's is leakhound-agent's {@code Agent}):
 * a monitoring service that, every round, runs a set of checks, each in a virtual thread of its own.
 *
 * <p>Before a refactoring, the agent's shutdown handler waited for every checker through a "done"
 * channel of capacity 1 ({@code ag.w}), and each checker ended with {@code ag.w <- 1}. The
 * refactoring made the agent start new checkers every round but left the channels, one per check,
 * which nobody reads any more. {@link Variant#LEAKY} keeps that leftover as one {@link ArrayBlockingQueue}
 * of capacity 1 per check: the first round's checkers fill them, and every later checker blocks forever
 * on {@code done.put(1)}. From the second round on, each round leaks as many threads as it has checks;
 * after {@code n} rounds of {@code k} checks, {@code (n-1)*k} checkers are stuck. {@link Variant#FIXED} removes the queue, as the
 * article's fix did: a checker ends when its check is done.
 *
 * <p>{@link #start()} runs a round at once and then every {@code period} (the article: 10 s) on a
 * scheduler thread; {@link #runRound()} runs one round on the calling thread; {@link #close()} stops.
 *
 * <p>Run it with {@code java dev.leakhound.examples.SentinelAgent [LEAKY|FIXED] [period-ms]} and watch
 * the number of live checker threads, the article's goroutine count, grow round after round.
 */
public final class SentinelAgent implements AutoCloseable {

    /** The article's round period. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(10);

    /** Whether the refactoring leftover is still there. */
    public enum Variant {
        /** Every checker ends with {@code done.put(1)} on a capacity-1 queue nobody drains. */
        LEAKY,
        /** No done queue: a checker ends when its check is done. */
        FIXED
    }

    private final Variant variant;
    private final Duration period;
    private final List<Runnable> checks;
    private final ThreadFactory checkerThreads;

    /** The refactoring leftover (Go: {@code ag.w}, a channel of capacity 1 per check). Used by LEAKY only. */
    private final List<BlockingQueue<Integer>> done;

    private final AtomicInteger rounds = new AtomicInteger();
    private final AtomicInteger liveCheckers = new AtomicInteger();
    private final Object lifecycle = new Object();
    private ScheduledExecutorService scheduler; // guarded by lifecycle
    private boolean closed; // guarded by lifecycle

    /**
     * An agent whose checkers are virtual threads named {@code sentinel-check-<n>}.
     *
     * @param checks the checks of a round, each run in a thread of its own
     */
    public SentinelAgent(Variant variant, Duration period, List<? extends Runnable> checks) {
        this(variant, period, checks, Thread.ofVirtual().name("sentinel-check-", 0).factory());
    }

    /**
     * @param period time between the starts of two rounds under {@link #start()}
     * @param checks the checks of a round, each run in a thread of its own
     * @param checkerThreads makes one thread per check per round (normally virtual threads)
     */
    public SentinelAgent(Variant variant, Duration period, List<? extends Runnable> checks,
            ThreadFactory checkerThreads) {
        this.variant = Objects.requireNonNull(variant, "variant");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        this.period = period;
        this.checks = List.copyOf(checks);
        this.done = this.checks.stream().<BlockingQueue<Integer>>map(c -> new ArrayBlockingQueue<>(1)).toList();
        this.checkerThreads = Objects.requireNonNull(checkerThreads, "checkerThreads");
    }

    /**
     * Runs a round now and then one every period, on a scheduler thread (a non-daemon platform
     * thread, so the JVM keeps running until {@link #close()}). Each scheduled round prints a line.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        synchronized (lifecycle) {
            if (closed || scheduler != null) {
                throw new IllegalStateException(closed ? "closed" : "already started");
            }
            scheduler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("sentinel-agent").factory());
            scheduler.scheduleAtFixedRate(this::scheduledRound, 0, period.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void scheduledRound() {
        try {
            int round = round();
            System.out.printf("round %d: %d checks, %d checker threads alive%n",
                    round, checks.size(), liveCheckers());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs one round on the calling thread: starts a thread per check and returns once every check
     * has done its work. At that point a FIXED checker is ending; a LEAKY one of round 2 or later is
     * about to block, or already blocked, on {@code done.put(1)} for good.
     *
     * @return the number of this round, from 1
     * @throws InterruptedException if interrupted while waiting for the checks
     * @throws IllegalStateException if the agent is closed
     */
    public int runRound() throws InterruptedException {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
        }
        return round();
    }

    private int round() throws InterruptedException {
        int round = rounds.incrementAndGet();
        CountDownLatch checked = new CountDownLatch(checks.size());
        for (int i = 0; i < checks.size(); i++) {
            Runnable check = checks.get(i);
            BlockingQueue<Integer> doneOfCheck = done.get(i);
            Thread checker = checkerThreads.newThread(() -> {
                try {
                    runCheck(check, doneOfCheck, checked);
                } finally {
                    liveCheckers.decrementAndGet();
                }
            });
            liveCheckers.incrementAndGet();
            checker.start();
        }
        checked.await();
        return round;
    }

    /** The body of a checker thread. */
    private void runCheck(Runnable check, BlockingQueue<Integer> done, CountDownLatch checked) {
        try {
            check.run();
        } catch (RuntimeException e) {
            System.err.println("check failed: " + e);
        } finally {
            checked.countDown();
        }
        if (variant == Variant.LEAKY) {
            try {
                done.put(1); // LEAKY: Go's ag.w <- 1. Nobody drains it: from round 2 on, every checker blocks here forever.
            } catch (InterruptedException e) {
                // Only an interrupt gets a checker out of here; it then ends.
            }
        }
    }

    /** The number of rounds started so far, by {@link #start()} or {@link #runRound()}. */
    public int rounds() {
        return rounds.get();
    }

    /**
     * The number of checker threads started and not yet ended (the article's {@code /goroutines}
     * count). It stays near zero between rounds with FIXED and grows every round with LEAKY.
     */
    public int liveCheckers() {
        return liveCheckers.get();
    }

    /**
     * Stops scheduling rounds and waits for a scheduled round in progress to have its checks done.
     * Idempotent.
     *
     * <p>With {@link Variant#LEAKY} this does <em>not</em> free the checkers already blocked on
     * {@code done.put(1)}: that is the leak, and they stay for the life of the JVM. Only interrupting
     * them ends them (their {@code put} is interruptible); whoever made them, for instance a test
     * through the {@link ThreadFactory} it passed in, can do so.
     */
    @Override
    public void close() {
        ScheduledExecutorService toStop;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = scheduler;
        }
        if (toStop != null) {
            toStop.close(); // cancels the periodic task and waits for a running round to finish
        }
    }

    /**
     * Runs the agent with three simulated checks until the JVM is stopped (Ctrl-C), printing the round
     * number and the live checker count after each round.
     *
     * <p>Arguments: {@code [LEAKY|FIXED] [period-ms]}; defaults LEAKY and 10000 (the article's 10 s).
     */
    public static void main(String[] args) {
        Variant variant = args.length > 0 ? Variant.valueOf(args[0].toUpperCase(Locale.ROOT)) : Variant.LEAKY;
        Duration period = args.length > 1 ? Duration.ofMillis(Long.parseLong(args[1])) : DEFAULT_PERIOD;
        List<Runnable> checks = List.of(
                simulatedCheck("disk", Duration.ofMillis(20)),
                simulatedCheck("cpu", Duration.ofMillis(10)),
                simulatedCheck("ping", Duration.ofMillis(50)));
        System.out.printf("sentinel-agent (%s): %d checks every %s%n", variant, checks.size(), period);
        SentinelAgent agent = new SentinelAgent(variant, period, checks);
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close));
        agent.start();
    }

    /** A check that takes {@code duration}, as if probing something. */
    private static Runnable simulatedCheck(String name, Duration duration) {
        return () -> {
            try {
                Thread.sleep(duration);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("check " + name + " interrupted", e);
            }
        };
    }
}

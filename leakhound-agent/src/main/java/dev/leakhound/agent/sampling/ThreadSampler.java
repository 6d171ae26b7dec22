package dev.leakhound.agent.sampling;

import dev.leakhound.agent.AgentLog;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.model.ThreadDump;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Captures the threads at a fixed period on one daemon thread, {@code leakhound-sampler}, groups them, and
 * hands the groups to its listeners (the leak detector). Each sample is a capture no earlier sample had: a new
 * one, the one in progress when the sample is due, or an endpoint's since the last sample
 * ({@link SharedCapture#sample}, which tells
 * {@link BlockedSince}); the debug server's thread endpoints answer from it too. Nothing of a sample is kept here
 * but its counts.
 *
 * <p>The host's CPU is bounded: the next sample starts a period after the end of the last one, or later, when the
 * captures' budget allows it ({@link CaptureBudget}, shared with the debug server's thread endpoints): all captures
 * together take at most {@link #MAX_SHARE} of one core's time (a capture of 100k threads takes about a second:
 * then one every 20 s or more, whatever the period), with an allowance of 2 s ahead of that pace, so that the slow
 * first capture of a cold JVM does not space the first samples half a minute apart. {@link #delayMillis()} says the delay in force.
 *
 * <p>If a sample fails, the failure is logged once and the sampler stops; {@link #failure()} says why.
 */
public final class ThreadSampler implements AutoCloseable {

    /** Told of every sample, on the sampler's thread. */
    public interface Listener {
        void sampled(ThreadDump dump, List<StackGroup> groups);
    }

    /** The counts of the last sample. */
    public record Counts(Instant time, int total, long platform, long virtual, int groups, int samples) {
    }

    private final SharedCapture captures;
    private final long periodMillis;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private ScheduledThreadPoolExecutor executor;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();   // the executor's, to join on close
    private volatile Counts latest;
    private volatile String failure;
    private final Object sampleLock = new Object();
    private int samples;
    private long lastSample;                              // guarded by sampleLock: its Capture.number
    private volatile long delayMillis;

    /** The largest share of one core's time that the captures take, the sampler's and the endpoints' (5%). */
    public static final double MAX_SHARE = CaptureBudget.MAX_SHARE;

    public ThreadSampler(SharedCapture captures, long periodMillis) {
        this.captures = captures;
        this.periodMillis = periodMillis;
        this.delayMillis = periodMillis;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /** Starts sampling now and every period after the end of the previous sample. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            // No inheritable thread-local value of the host's thread that starts it: the sampler would keep it
            // reachable for as long as the agent runs.
            Thread t = Thread.ofPlatform().name("leakhound-sampler").daemon(true).inheritInheritableThreadLocals(false)
                    .unstarted(r);
            threads.add(t);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.execute(this::tick);
    }

    /** Whether it samples by itself ({@link #start()}), rather than only when asked ({@link #sampleNow()}). */
    public synchronized boolean scheduled() {
        return executor != null;
    }

    /** One sample if the budget allows, then the next one scheduled after {@link #step()}'s delay. */
    private void tick() {
        if (failure != null) {
            return;
        }
        try {
            long delay = step();
            ScheduledThreadPoolExecutor e;
            synchronized (this) {
                e = executor;
            }
            if (e != null && !e.isShutdown()) {
                try {
                    e.schedule(this::tick, delay, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    // closed meanwhile: no next sample
                }
            }
        } catch (Throwable t) {
            failure = t.getClass().getName();                  // first: describing may fail too (out of memory)
            failure = AgentLog.describe(t);
            AgentLog.failed("thread sampler", t);
            ScheduledThreadPoolExecutor e = executor;
            if (e != null) {
                e.shutdown();
            }
        }
    }

    /**
     * A scheduled sample: the capture in progress, or a new one if the captures' budget allows it, or an endpoint's
     * capture taken since the last sample ({@link SharedCapture#sample}), handed to the listeners; returns the delay before the next one, in
     * milliseconds: the period, or longer while the budget allows no capture (the endpoints' captures count too).
     */
    long step() {
        synchronized (sampleLock) {
            SharedCapture.Capture c = captures.sample(lastSample);
            if (c != null) {
                deliver(c);
            }
            long wait = TimeUnit.NANOSECONDS.toMillis(captures.budgetWaitNanos() + 999_999);
            long delay = c == null && wait > 0 ? wait : Math.max(periodMillis, wait);
            delayMillis = delay;
            return delay;
        }
    }

    /** Takes a sample now, on the calling thread, whatever the budget, and tells the listeners. */
    public Counts sampleNow() {
        synchronized (sampleLock) {                       // one sample at a time, delivered in order
            return deliver(captures.freshCapture());
        }
    }

    private Counts deliver(SharedCapture.Capture capture) {
        lastSample = capture.number();
        ThreadDump dump = capture.dump();
        List<StackGroup> groups = capture.groups();      // shared with the thread endpoints
        for (Listener l : listeners) {
            l.sampled(dump, groups);
        }
        samples++;
        Counts c = new Counts(dump.capturedAt() != null ? dump.capturedAt() : Instant.now(), dump.threads().size(),
                dump.platformCount(), dump.virtualCount(), groups.size(), samples);
        latest = c;
        return c;
    }

    /** The counts of the last sample, or {@code null} before the first. */
    public Counts latest() {
        return latest;
    }

    /** Why the sampler stopped, or {@code null} while it runs. */
    public String failure() {
        return failure;
    }

    public long periodMillis() {
        return periodMillis;
    }

    /** The delay before the next sample now: the period, or more when samples take long ({@link #MAX_SHARE}). */
    public long delayMillis() {
        return delayMillis;
    }

    /**
     * The delay after a sample that took {@code sampleNanos}, when it was the last capture: the period, or enough
     * that the sample is at most {@link #MAX_SHARE} of the time from one start to the next
     * ({@link CaptureBudget#idleAfterNanos}).
     */
    static long nextDelayMillis(long periodMillis, long sampleNanos) {
        long bounded = TimeUnit.NANOSECONDS.toMillis(CaptureBudget.idleAfterNanos(sampleNanos) + 999_999);
        return Math.max(periodMillis, bounded);
    }

    /**
     * Stops sampling and waits, at most {@link #CLOSE_WAIT_MILLIS} (a sample in progress is not
     * interruptible), for the sampler thread to end, so that a closed agent leaves no thread behind.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (executor != null) {
                executor.shutdownNow();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        for (Thread t : threads) {
            if (t == Thread.currentThread()) {
                continue;
            }
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!t.isAlive()) {
                threads.remove(t);
            }
        }
    }

    static final long CLOSE_WAIT_MILLIS = 5_000;
}

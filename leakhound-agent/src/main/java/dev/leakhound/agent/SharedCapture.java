package dev.leakhound.agent;

import dev.leakhound.model.ThreadDump;

import java.lang.ref.SoftReference;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The agent's captures of the live threads, one at a time, shared: a capture reads every thread's stack, and
 * with the JDK's JSON dump it costs seconds for 100k threads, so requests that come together must not each
 * take their own.
 *
 * <ul>
 *   <li>At most one capture runs at a time, whoever asks (the debug server's workers, the sampler).</li>
 *   <li>{@link #recent()} (the {@code /debug/threads*} endpoints): the last capture if it started less than
 *       {@link #FRESHNESS} ago, else the capture in progress, else a new one. A request waits for the capture
 *       in progress only until that capture has run for {@link #MAX_WAIT}; then 503 with {@code Retry-After}.</li>
 *   <li>{@link #fresh()} (the sampler): a capture that started after the call, never an older one, so that
 *       every sample of the leak detector is a sample of its own; it is then shared like any other.</li>
 *   <li>Each capture is handed to {@code onCapture} (the {@link BlockedSince} of the agent) once, on the
 *       thread that took it, before anyone else gets it: in the order the captures were taken.</li>
 * </ul>
 *
 * <p>Memory: the last capture only, through a {@link SoftReference} (the collector may drop it before memory
 * runs out; the next request then takes a new one).
 */
public final class SharedCapture {
    /** How long a capture is answered again instead of taking a new one, from the moment it started. */
    public static final Duration FRESHNESS = Duration.ofSeconds(1);
    /** How long a request waits for the capture in progress, from the moment that capture started. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(20);

    /** A capture in progress: started at {@code startedNanos}, completed when taken (or failed). */
    private record Running(long startedNanos, CompletableFuture<ThreadDump> result) {
    }

    /** The last capture taken. */
    private record Taken(long startedNanos, SoftReference<ThreadDump> dump) {
    }

    private final ThreadSource source;
    private final Consumer<ThreadDump> onCapture;
    private final long freshnessNanos;
    private final LongSupplier clock;
    private final Object lock = new Object();
    private Running running;            // guarded by lock
    private Taken last;                 // guarded by lock

    public SharedCapture(ThreadSource source, Consumer<ThreadDump> onCapture) {
        this(source, onCapture, FRESHNESS, System::nanoTime);
    }

    SharedCapture(ThreadSource source, Consumer<ThreadDump> onCapture, Duration freshness, LongSupplier nanoClock) {
        this.source = Objects.requireNonNull(source, "source");
        this.onCapture = Objects.requireNonNull(onCapture, "onCapture");
        this.freshnessNanos = freshness.toNanos();
        this.clock = nanoClock;
    }

    /**
     * A capture that started less than {@link #FRESHNESS} ago, or the one in progress, or a new one.
     *
     * @throws DebugServer.Unavailable (503) if the capture in progress has run for {@link #MAX_WAIT}
     */
    public ThreadDump recent() {
        Running r;
        boolean mine = false;
        synchronized (lock) {
            long now = clock.getAsLong();
            ThreadDump d = last == null || now - last.startedNanos() >= freshnessNanos ? null : last.dump().get();
            if (d != null) {
                return d;
            }
            if (running == null) {
                running = new Running(now, new CompletableFuture<>());
                mine = true;
            }
            r = running;
        }
        return mine ? take(r) : await(r);
    }

    /**
     * A capture that started after this call: taken here, or by whoever started one since. Waits, not
     * interruptibly (like a capture of one's own), for the capture in progress to end; if that one fails, takes
     * another. Throws only the failure of a capture taken by this call.
     */
    public ThreadDump fresh() {
        long asked = clock.getAsLong();
        while (true) {
            Running r;
            boolean mine = false;
            synchronized (lock) {
                if (running == null) {
                    running = new Running(clock.getAsLong(), new CompletableFuture<>());
                    mine = true;
                }
                r = running;
            }
            if (mine) {
                return take(r);
            }
            if (r.startedNanos() - asked >= 0) {
                try {
                    return r.result().join();
                } catch (CompletionException e) {
                    // Someone else's capture failed (an HTTP worker interrupted as the server stops, say): that
                    // says nothing of ours, so take one of our own rather than pass their failure on.
                    continue;
                }
            }
            // Started before the call, it may miss what the caller wants to see: wait for its end, whatever its
            // outcome, then take the next one.
            r.result().handle((d, t) -> null).join();
        }
    }

    /**
     * The number of live threads: the source's own count where that is cheap (no stacks), else the size of
     * {@link #recent()}.
     */
    public int count() {
        return source.countsCheaply() ? source.count() : recent().threads().size();
    }

    /** The source's description, for reports. */
    public String description() {
        return source.description();
    }

    /** Takes the capture {@code r}, which this thread has just started, and hands it to those waiting. */
    private ThreadDump take(Running r) {
        ThreadDump d;
        try {
            d = Objects.requireNonNull(source.capture(), "the thread source gave no capture");
            onCapture.accept(d);
        } catch (Throwable t) {
            synchronized (lock) {
                running = null;
            }
            r.result().completeExceptionally(t);
            throw t;
        }
        synchronized (lock) {
            last = new Taken(r.startedNanos(), new SoftReference<>(d));
            running = null;
        }
        r.result().complete(d);
        return d;
    }

    /** The capture in progress, waited for until it has run for {@link #MAX_WAIT}. */
    private ThreadDump await(Running r) {
        long left = MAX_WAIT.toNanos() - (clock.getAsLong() - r.startedNanos());
        try {
            if (left > 0) {
                return r.result().get(left, TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            // answered below
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();          // the server is stopping
            throw new DebugServer.Unavailable("interrupted while waiting for a thread capture");
        }
        throw new DebugServer.Unavailable(503, "a thread capture has been running for more than "
                + MAX_WAIT.toSeconds() + " s; try again later", Map.of("Retry-After", "5"));
    }

    /** The failure of a capture, as the thread that took it met it. */
    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}

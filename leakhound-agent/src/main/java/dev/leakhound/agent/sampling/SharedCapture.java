package dev.leakhound.agent.sampling;

import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.agent.http.Unavailable;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.analysis.ThreadGrouping;
import dev.leakhound.model.ThreadDump;

import java.lang.ref.SoftReference;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The agent's captures of the live threads, one at a time, shared, within one CPU budget: a capture reads every
 * thread's stack (about a second for 100k threads), so requests that come together must not each take their
 * own, and a dashboard that asks every second must not take a core.
 *
 * <ul>
 *   <li>At most one capture runs at a time, whoever asks (the debug server's requests, the sampler).</li>
 *   <li>All captures share one {@link CaptureBudget}: after a capture of length {@code d}, none starts for
 *       {@code 19 d} (at most 5% of one core), whoever asks, except {@link #fresh()}, once the budget's allowance
 *       (2 s of captures ahead of that pace, for a slow first capture) is spent.</li>
 *   <li>{@link #recent()} (the {@code /debug/threads*} endpoints): the last capture if it ended less than
 *       {@link #FRESHNESS} ago, else the capture in progress, else a new one if the budget allows it, else the
 *       last one again. Every answer says how old its capture is ({@link Answer}). A request waits for the
 *       capture in progress until that capture has run for {@link #MAX_WAIT}, then gets the last one (or 503).</li>
 *   <li>{@link #sample} (the scheduled sampler): the capture in progress, or a new one if the budget allows,
 *       else an endpoint's capture since its last sample, else none (it comes back when the budget allows).</li>
 *   <li>{@link #fresh()} (a sample asked for in-process, {@code LeakhoundAgent.sample()}): a capture that started
 *       after the call, never an older one, whatever the budget (it is charged like any other).</li>
 *   <li>Each capture is handed to {@code onCapture} (the {@link BlockedSince} of the agent) once, on the
 *       thread that took it, before anyone else gets it: in the order the captures were taken.</li>
 * </ul>
 *
 * <p>Memory: the last capture only, through a {@link SoftReference} (the collector may drop it before memory
 * runs out), with what was made of it once for every request ({@link Capture#groups()},
 * {@link Capture#view}): a flood of requests renders each view once per capture, not once per request.
 */
public final class SharedCapture {
    /** How long a capture is answered again without asking the budget, from the moment it ended. */
    public static final Duration FRESHNESS = Duration.ofSeconds(1);
    /** How long a request waits for the capture in progress, from the moment that capture started. */
    static final Duration MAX_WAIT = Duration.ofSeconds(20);

    /**
     * One capture, with its times ({@link System#nanoTime()}, or the test's clock) and what was made of it: each
     * view is made once, by the first thread that asks for it, and shared with the others.
     */
    public static final class Capture {
        private final ThreadDump dump;
        private final int ownThreads;
        private final long number;
        private final long startedNanos;
        private final long endedNanos;
        private final ConcurrentHashMap<String, CompletableFuture<Object>> views = new ConcurrentHashMap<>();

        Capture(OwnThreads.Split split, long number, long startedNanos, long endedNanos) {
            this.dump = split.dump();
            this.ownThreads = split.own();
            this.number = number;
            this.startedNanos = startedNanos;
            this.endedNanos = endedNanos;
        }

        /** 1 for the first capture, then one more for each: tells captures apart without holding on to them. */
        long number() {
            return number;
        }

        /** The host's threads: without Leakhound's own ({@link OwnThreads}). */
        public ThreadDump dump() {
            return dump;
        }

        /** How many of Leakhound's own threads the capture saw and left out of {@link #dump()}. */
        public int ownThreads() {
            return ownThreads;
        }

        long endedNanos() {
            return endedNanos;
        }

        /** How long the capture took. */
        public Duration length() {
            return Duration.ofNanos(Math.max(0, endedNanos - startedNanos));
        }

        /** The capture's threads grouped by stack ({@link ThreadGrouping#group}), grouped once. */
        public List<StackGroup> groups() {
            return view("groups", () -> ThreadGrouping.group(dump.threads()));
        }

        /**
         * The view {@code key} of this capture, made by {@code make} on the first call; later calls (and calls
         * while it is being made) get the same object. A view that fails is made again by the next call. The keys
         * are a fixed few (one per kind of answer): they bound the memory a capture holds.
         */
        @SuppressWarnings("unchecked")
        public <T> T view(String key, Supplier<T> make) {
            CompletableFuture<Object> f = views.get(key);
            if (f == null) {
                CompletableFuture<Object> mine = new CompletableFuture<>();
                f = views.putIfAbsent(key, mine);
                if (f == null) {
                    try {
                        T v = make.get();
                        mine.complete(v);
                        return v;
                    } catch (Throwable t) {
                        views.remove(key, mine);
                        mine.completeExceptionally(t);
                        throw t;
                    }
                }
            }
            try {
                return (T) f.join();
            } catch (CompletionException e) {
                throw unchecked(e.getCause());
            }
        }
    }

    /**
     * What a request is answered from: a capture, how long ago it ended, and how long until a new one may be
     * taken (the freshness, or the budget, whichever is later).
     */
    public record Answer(Capture capture, long ageNanos, long nextInNanos) {
        public ThreadDump dump() {
            return capture.dump();
        }

        /** The age in whole seconds, for the {@code Age} header. */
        public Map<String, String> headers() {
            return Map.of("Age", Long.toString(TimeUnit.NANOSECONDS.toSeconds(ageNanos)));
        }

        public long ageMillis() {
            return TimeUnit.NANOSECONDS.toMillis(ageNanos);
        }

        /**
         * One line for the text answers: {@code capture: ended 3.2 s ago, took 1.0 s; the next one in 15.8 s at
         * the earliest (captures are shared for 1 s and take at most 5% of one core together)}.
         */
        public String line() {
            return "capture: ended " + seconds(ageNanos) + " ago, took " + seconds(capture.length().toNanos())
                    + "; the next one in " + seconds(nextInNanos) + " at the earliest (captures are shared for "
                    + FRESHNESS.toSeconds() + " s and take at most " + Math.round(CaptureBudget.MAX_SHARE * 100)
                    + "% of one core together)";
        }

        private static String seconds(long nanos) {
            return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
        }
    }

    /** A count of the live threads, {@link #count()}, and how old it is. */
    public record Count(int threads, long ageNanos) {
        public Map<String, String> headers() {
            return Map.of("Age", Long.toString(TimeUnit.NANOSECONDS.toSeconds(ageNanos)));
        }
    }

    /** A capture in progress: started at {@code startedNanos}, completed when taken (or failed). */
    private record Running(long startedNanos, CompletableFuture<Capture> result) {
    }

    /** A cheap count ({@link ThreadSource#countsCheaply()}) and when it ended. */
    private record Counted(int threads, dev.leakhound.agent.capture.ContainerThreads.Counts byState, long endedNanos) {
    }

    private final ThreadSource source;
    private final Consumer<ThreadDump> onCapture;
    private final long freshnessNanos;
    private final LongSupplier clock;
    private final CaptureBudget budget;
    private final Object lock = new Object();
    private Running running;                    // guarded by lock
    private SoftReference<Capture> last;        // guarded by lock
    private long taken;                         // guarded by lock: captures begun, for Capture.number
    private Counted lastCount;                  // guarded by lock
    private boolean counting;                   // guarded by lock
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    public SharedCapture(ThreadSource source, Consumer<ThreadDump> onCapture) {
        this(source, onCapture, FRESHNESS, System::nanoTime, CaptureBudget.ALLOWANCE);
    }

    /** With the test's freshness, clock and budget allowance ({@link CaptureBudget#ALLOWANCE} in the agent). */
    SharedCapture(ThreadSource source, Consumer<ThreadDump> onCapture, Duration freshness, LongSupplier nanoClock,
                  Duration allowance) {
        this.budget = new CaptureBudget(allowance);
        this.source = Objects.requireNonNull(source, "source");
        this.onCapture = Objects.requireNonNull(onCapture, "onCapture");
        this.freshnessNanos = freshness.toNanos();
        this.clock = nanoClock;
    }

    /**
     * The last capture if it ended less than {@link #FRESHNESS} ago, or the one in progress, or a new one if the
     * budget allows it, or else the last one again, with its age.
     *
     * @throws Unavailable (503) when there is no capture to answer from: the last one was dropped by
     *                                 the collector and the budget allows no new one for more than
     *                                 {@link #FRESHNESS} (a shorter wait is waited out), or the first capture has
     *                                 run for {@link #MAX_WAIT}
     */
    public Answer recent() {
        boolean waited = false;
        while (true) {
            Running r;
            Capture previous;
            boolean mine = false;
            long wait = 0;
            synchronized (lock) {
                long now = clock.getAsLong();
                previous = lastCapture();
                if (previous != null && now - previous.endedNanos() < freshnessNanos) {
                    return answer(previous, now);
                }
                if (running == null) {
                    wait = waited ? 0 : budget.waitNanos(now);
                    if (wait > 0 && previous != null) {
                        return answer(previous, now);
                    }
                    if (wait > freshnessNanos) {
                        throw new Unavailable(503, "no thread capture to answer from, and a new one would"
                                + " exceed the agent's CPU budget (" + Math.round(CaptureBudget.MAX_SHARE * 100)
                                + "% of one core); try again later", Map.of("Retry-After",
                                Long.toString(TimeUnit.NANOSECONDS.toSeconds(wait) + 1)));
                    }
                    if (wait == 0) {
                        running = new Running(now, new CompletableFuture<>());
                        mine = true;
                    }
                }
                r = running;
            }
            if (wait > 0) {
                // No capture to answer from (none yet, or the collector dropped it) and the budget allows one soon
                // (after a count, say): wait that long, once, then take it.
                pause(wait);
                waited = true;
                continue;
            }
            if (mine) {
                Capture c = take(r);
                return answer(c, clock.getAsLong());
            }
            return await(r, previous);
        }
    }

    private static void pause(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();          // the server is stopping
            throw new Unavailable("interrupted while waiting for the capture budget");
        }
    }

    /**
     * For the scheduled sampler: the capture in progress (the moment of a scheduled sample is arbitrary, so one
     * that started a little before is as good), or a new one if the budget allows it, or else the last capture if
     * it is not {@code previousSample} (an endpoint's capture since the last sample); {@code null} if there is none
     * of those (or the capture in progress failed), and the sampler comes back after {@link #budgetWaitNanos()}.
     *
     * @param previousSample the {@link Capture#number()} of the sampler's last sample, 0 before the first
     */
    Capture sample(long previousSample) {
        Running r;
        boolean mine = false;
        synchronized (lock) {
            if (running == null) {
                long now = clock.getAsLong();
                if (budget.waitNanos(now) > 0) {
                    Capture l = lastCapture();
                    return l != null && l.number() != previousSample ? l : null;
                }
                running = new Running(now, new CompletableFuture<>());
                mine = true;
            }
            r = running;
        }
        if (mine) {
            return take(r);
        }
        try {
            return r.result().join();
        } catch (CompletionException e) {
            return null;                    // someone else's failure says nothing of ours: try again later
        }
    }

    /**
     * A capture that started after this call: taken here, or by whoever started one since, whatever the budget
     * (for samples asked for in-process, e.g. once per round of a program under watch). Waits, not
     * interruptibly (like a capture of one's own), for the capture in progress to end; if that one fails, takes
     * another. Throws only the failure of a capture taken by this call.
     */
    public ThreadDump fresh() {
        return freshCapture().dump();
    }

    /** As {@link #fresh()}, with the capture's views. */
    Capture freshCapture() {
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
     * The number of live threads, and how old that figure is. Where the source counts cheaply (no stacks): its
     * count, within the same freshness and budget as captures (the last count or capture, whichever is newer,
     * when a new count would come too soon); else the size of {@link #recent()}.
     */
    public Count count() {
        if (!source.countsCheaply()) {
            Answer a = recent();
            return new Count(a.dump().threads().size() + a.capture().ownThreads(), a.ageNanos());
        }
        Counted c = counted();
        return new Count(c.threads(), Math.max(0, clock.getAsLong() - c.endedNanos()));
    }

    /**
     * The live threads by kind and state, read without stacks, and how old that count is, within the same freshness
     * and budget as {@link #count()}; {@code null} where the source does not count cheaply, or where the newest
     * figure is a capture's (the sampler's counts are as new then).
     */
    public StateCount countByState() {
        if (!source.countsCheaply()) {
            return null;
        }
        Counted c = counted();
        return c.byState() == null ? null
                : new StateCount(c.byState(), Math.max(0, clock.getAsLong() - c.endedNanos()));
    }

    /** Live threads by kind and state ({@link #countByState()}) and how old the count is. */
    public record StateCount(dev.leakhound.agent.capture.ContainerThreads.Counts counts, long ageNanos) {
    }

    /** A cheap count: the last count or capture, whichever is newer, when a new count would come too soon. */
    private Counted counted() {
        long started;
        synchronized (lock) {
            long now = clock.getAsLong();
            Counted known = newestCount();
            if (known != null && (now - known.endedNanos() < freshnessNanos || budget.waitNanos(now) > 0
                    || running != null || counting)) {
                return known;
            }
            counting = true;
            started = now;
        }
        Counted fresh = null;
        try {
            // the source's counts by state where it gives them (the thread containers), else its plain count
            dev.leakhound.agent.capture.ContainerThreads.Counts n = source.countByState();
            int threads = n != null ? (int) Math.min(Integer.MAX_VALUE, n.total()) : source.count();
            fresh = new Counted(threads, n, 0);
        } finally {
            long ended = clock.getAsLong();
            synchronized (lock) {
                counting = false;
                budget.charge(started, ended);
                if (fresh != null) {
                    fresh = new Counted(fresh.threads(), fresh.byState(), ended);
                    lastCount = fresh;
                }
            }
        }
        return fresh;
    }

    /** How many requests wait for the capture in progress now (for tests: whatever threads the server runs on). */
    int waiting() {
        return waiting.get();
    }

    /** How long until the budget allows a new capture: 0 if now. */
    long budgetWaitNanos() {
        return budget.waitNanos(clock.getAsLong());
    }

    /** How many captures (and cheap counts) were taken, for the metrics. */
    public long captures() {
        return budget.captures();
    }

    /** Their time in all, in seconds, for the metrics. */
    public double captureSeconds() {
        return budget.spentNanos() / 1e9;
    }

    /** The source's description, for reports. */
    public String description() {
        return source.description();
    }

    /** The last capture, unless the collector dropped it. */
    private Capture lastCapture() {
        SoftReference<Capture> l = last;
        return l == null ? null : l.get();
    }

    /** The newest of the last count and the last capture's size. */
    private Counted newestCount() {
        Capture c = lastCapture();
        Counted fromCapture = c == null ? null : new Counted(c.dump().threads().size(), null, c.endedNanos());
        if (lastCount == null) {
            return fromCapture;
        }
        return fromCapture == null || lastCount.endedNanos() - fromCapture.endedNanos() >= 0 ? lastCount : fromCapture;
    }

    private Answer answer(Capture c, long now) {
        long age = Math.max(0, now - c.endedNanos());
        long next = Math.max(Math.max(0, freshnessNanos - age), budget.waitNanos(now));
        return new Answer(c, age, next);
    }

    /** Takes the capture {@code r}, which this thread has just started, charges it and hands it to those waiting. */
    private Capture take(Running r) {
        Capture c;
        try {
            OwnThreads.Split split = OwnThreads.split(
                    Objects.requireNonNull(source.capture(), "the thread source gave no capture"));
            ThreadDump d = split.dump();
            onCapture.accept(d);
            long number;
            synchronized (lock) {
                number = ++taken;
            }
            c = new Capture(split, number, r.startedNanos(), clock.getAsLong());
        } catch (Throwable t) {
            long ended = clock.getAsLong();
            synchronized (lock) {
                budget.charge(r.startedNanos(), ended);          // a failed capture cost its time too
                running = null;
            }
            r.result().completeExceptionally(t);
            throw t;
        }
        synchronized (lock) {
            budget.charge(r.startedNanos(), c.endedNanos());
            last = new SoftReference<>(c);
            running = null;
        }
        r.result().complete(c);
        return c;
    }

    /**
     * The capture in progress, waited for until it has run for {@link #MAX_WAIT}; then the previous one, if there
     * is one.
     */
    private Answer await(Running r, Capture previous) {
        long left = MAX_WAIT.toNanos() - (clock.getAsLong() - r.startedNanos());
        waiting.incrementAndGet();
        try {
            if (left > 0) {
                Capture c = r.result().get(left, TimeUnit.NANOSECONDS);
                return answer(c, clock.getAsLong());
            }
        } catch (TimeoutException e) {
            // answered below
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();          // the server is stopping
            throw new Unavailable("interrupted while waiting for a thread capture");
        } finally {
            waiting.decrementAndGet();
        }
        if (previous != null) {
            return answer(previous, clock.getAsLong());
        }
        throw new Unavailable(503, "a thread capture has been running for more than "
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

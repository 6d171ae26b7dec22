package dev.leakhound.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.function.ToDoubleFunction;

/**
 * Leakhound's thread figures as Micrometer meters, for any registry. The names, as Prometheus shows them:
 *
 * <pre>
 * leakhound_threads{kind="virtual|platform",state="NEW|RUNNABLE|BLOCKED|WAITING|TIMED_WAITING|TERMINATED|UNKNOWN"}
 * leakhound_suspect_groups             groups of threads blocked with no timeout that look like leaks
 * leakhound_suspect_threads            their threads
 * leakhound_suspect_pattern_threads    of those, the threads of groups whose leak pattern was recognised
 * leakhound_deadlocked_threads         threads in deadlocks (monitors and java.util.concurrent locks, virtual too)
 * leakhound_thread_captures_total      live captures taken (each a JSON thread dump)
 * leakhound_thread_capture_failures_total
 * leakhound_thread_capture_seconds_total  time spent capturing and analysing
 * </pre>
 *
 * Every gauge reads the {@link ThreadCensus}, which captures at most once per its max age however many meters
 * and scrapes read it; a gauge is NaN before the first capture succeeded. State {@code UNKNOWN} is for threads
 * whose source gives none (virtual threads on JDK 21-24). Suspects are judged from one capture (Leakhound's
 * {@code threads} command's rule: idle pools and the JDK's daemons set apart); the growth over time is
 * {@link LeakDetector}'s.
 */
public final class LeakhoundMetrics implements MeterBinder {
    private static final String UNKNOWN = "UNKNOWN";

    private final ThreadCensus census;

    /** Meters on a census of their own, reused for {@link ThreadCensus#DEFAULT_MAX_AGE}. */
    public LeakhoundMetrics() {
        this(new ThreadCensus());
    }

    /** Meters on this census (shared, say, with an endpoint that shows the same capture). */
    public LeakhoundMetrics(ThreadCensus census) {
        this.census = census;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (boolean virtual : new boolean[] {true, false}) {
            for (Thread.State state : Thread.State.values()) {
                threads(registry, virtual, state, state.name());
            }
            threads(registry, virtual, null, UNKNOWN);
        }
        gauge(registry, "leakhound.suspect.groups",
                "Groups of threads blocked with no timeout that look like leaks (idle pools and JDK daemons set apart)",
                c -> c.suspects().suspects().size());
        gauge(registry, "leakhound.suspect.threads", "Threads of the leak suspects' groups",
                c -> c.suspects().suspectThreads());
        gauge(registry, "leakhound.suspect.pattern.threads",
                "Threads of the leak suspects whose leak pattern was recognised",
                c -> c.suspects().suspects().stream().filter(s -> s.matched()).mapToLong(s -> s.group().count()).sum());
        gauge(registry, "leakhound.deadlocked.threads",
                "Threads in deadlocks: cycles of threads each holding a lock the next one wants, platform and virtual",
                Census::deadlockedThreads);
        FunctionCounter.builder("leakhound.thread.captures", census, ThreadCensus::captures)
                .description("Live captures of the threads taken by Leakhound (JSON thread dumps)").register(registry);
        FunctionCounter.builder("leakhound.thread.capture.failures", census, ThreadCensus::failures)
                .description("Live captures of the threads that failed").register(registry);
        FunctionCounter.builder("leakhound.thread.capture", census, ThreadCensus::captureSeconds).baseUnit("seconds")
                .description("Time spent capturing and analysing the live threads").register(registry);
    }

    private void threads(MeterRegistry registry, boolean virtual, Thread.State state, String stateName) {
        gauge(registry, "leakhound.threads", "Live threads, virtual and platform, by state (Leakhound sees virtual threads)",
                c -> c.counts().count(virtual, state), "kind", virtual ? "virtual" : "platform", "state", stateName);
    }

    private void gauge(MeterRegistry registry, String name, String help, ToDoubleFunction<Census> value,
                       String... tags) {
        Gauge.builder(name, census, c -> {
            Census now = c.get();
            return now == null ? Double.NaN : value.applyAsDouble(now);
        }).description(help).tags(tags).register(registry);
    }

    /** The census the meters read. */
    public ThreadCensus census() {
        return census;
    }
}

package dev.leakhound.agent.metrics;

import dev.leakhound.analysis.GrowingGroup;
import dev.leakhound.gc.GcCycle;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Leakhound's figures for Prometheus, in its text exposition format, through the Prometheus Java client:
 *
 * <pre>
 * leakhound_threads{kind="virtual|platform",state="NEW|RUNNABLE|BLOCKED|WAITING|TIMED_WAITING|TERMINATED|UNKNOWN"}  gauge
 * leakhound_threads_capture_timestamp_seconds       gauge: when the capture the thread series come from was taken
 * leakhound_thread_captures_total                    counter: captures (and cheap counts) of the threads taken
 * leakhound_thread_capture_seconds_total             counter: their time (at most 5% of the time, see CaptureBudget)
 * leakhound_leak_suspects                            gauge: sites the growth detector reports
 * leakhound_leak_suspect_threads                     gauge: threads at those sites
 * leakhound_deadlocked_threads                       gauge: threads in deadlocks (monitors and java.util.concurrent
 *                                                    locks, platform and virtual), searched at scrape time
 * leakhound_gc_collections_total{collector="..."}    counter: collections seen
 * leakhound_gc_pause_seconds_total{collector="..."}  counter: their pauses
 * leakhound_gc_concurrent_seconds_total{collector="..."}  counter: their concurrent time (ZGC, Shenandoah)
 * leakhound_heap_after_gc_bytes                      gauge: heap used after the last collection that measured it
 * </pre>
 *
 * Every thread series is always present (0 when no thread is in that kind and state), so that a series
 * does not vanish between scrapes; the state {@code UNKNOWN} is for threads whose source gives none (JDK
 * 21-24 virtual threads). GC series appear with the first collection of each collector;
 * {@code leakhound_heap_after_gc_bytes} with the first collection that measured the heap.
 *
 * <p>The metrics live in a registry of their own, never in the client's default registry (the host may use
 * the client itself), and their settings are the client's defaults, not read from the host's
 * {@code prometheus.properties} or system properties. Values are read at scrape time from the latest
 * update. Updates and scrapes may come from any threads.
 */
public final class ThreadMetrics {
    private static final String[] STATES;
    private static final int UNKNOWN_STATE;

    static {
        Thread.State[] states = Thread.State.values();
        STATES = new String[states.length + 1];
        for (Thread.State s : states) {
            STATES[s.ordinal()] = s.name();
        }
        UNKNOWN_STATE = states.length;
        STATES[UNKNOWN_STATE] = "UNKNOWN";
    }

    private static final int VIRTUAL = 0;
    private static final int PLATFORM = 1;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private volatile long[][] threadCounts = new long[2][STATES.length];
    private volatile double threadsTime = Double.NaN;
    private volatile java.util.function.LongSupplier captures = () -> 0;
    private volatile java.util.function.DoubleSupplier captureSeconds = () -> 0;
    private volatile int suspects;
    private volatile long suspectThreads;
    private volatile java.util.function.IntSupplier deadlocked;
    private final Map<String, GcTotals> gc = new ConcurrentHashMap<>();
    private volatile long heapAfterGc = GcCycle.UNKNOWN;

    /** Per collector: collections, pause and concurrent seconds. */
    private static final class GcTotals {
        long collections;
        double pauseSeconds;
        double concurrentSeconds;
    }

    public ThreadMetrics() {
        PrometheusProperties defaults = PrometheusProperties.builder().build();
        GaugeWithCallback.builder(defaults).name("leakhound_threads")
                .help("Live threads, virtual and platform, by state (Leakhound sees virtual threads)")
                .labelNames("kind", "state")
                .callback(cb -> {
                    long[][] counts = threadCounts;
                    for (int s = 0; s < STATES.length; s++) {
                        cb.call(counts[VIRTUAL][s], "virtual", STATES[s]);
                        cb.call(counts[PLATFORM][s], "platform", STATES[s]);
                    }
                }).register(registry);
        GaugeWithCallback.builder(defaults).name("leakhound_threads_capture_timestamp_seconds")
                .help("When the capture the leakhound_threads series come from was taken, in seconds since the epoch"
                        + " (the agent's captures are shared and rationed: they may be some seconds old)")
                .callback(cb -> {
                    double t = threadsTime;
                    if (!Double.isNaN(t)) {
                        cb.call(t);
                    }
                }).register(registry);
        CounterWithCallback.builder(defaults).name("leakhound_thread_captures")
                .help("Captures (and cheap counts) of the live threads taken by Leakhound")
                .callback(cb -> cb.call(captures.getAsLong())).register(registry);
        CounterWithCallback.builder(defaults).name("leakhound_thread_capture_seconds")
                .help("Time spent capturing the live threads, in seconds (at most 5% of the time)")
                .callback(cb -> cb.call(captureSeconds.getAsDouble())).register(registry);
        GaugeWithCallback.builder(defaults).name("leakhound_leak_suspects")
                .help("Blocking sites whose number of threads blocked with no timeout keeps growing")
                .callback(cb -> cb.call(suspects)).register(registry);
        GaugeWithCallback.builder(defaults).name("leakhound_leak_suspect_threads")
                .help("Threads at the leak suspects' blocking sites")
                .callback(cb -> cb.call(suspectThreads)).register(registry);
        GaugeWithCallback.builder(defaults).name("leakhound_deadlocked_threads")
                .help("Threads in deadlocks: cycles of threads each holding a lock (monitor or java.util.concurrent"
                        + " lock) the next one wants, platform and virtual")
                .callback(cb -> {
                    java.util.function.IntSupplier d = deadlocked;
                    if (d != null) {
                        cb.call(d.getAsInt());
                    }
                }).register(registry);
        CounterWithCallback.builder(defaults).name("leakhound_gc_collections")
                .help("Garbage collections seen by Leakhound")
                .labelNames("collector")
                .callback(cb -> gc.forEach((name, t) -> {
                    synchronized (t) {
                        cb.call(t.collections, name);
                    }
                })).register(registry);
        CounterWithCallback.builder(defaults).name("leakhound_gc_pause_seconds")
                .help("Time the application was stopped by garbage collections, in seconds")
                .labelNames("collector")
                .callback(cb -> gc.forEach((name, t) -> {
                    synchronized (t) {
                        cb.call(t.pauseSeconds, name);
                    }
                })).register(registry);
        CounterWithCallback.builder(defaults).name("leakhound_gc_concurrent_seconds")
                .help("Time garbage collections ran alongside the application, in seconds")
                .labelNames("collector")
                .callback(cb -> gc.forEach((name, t) -> {
                    synchronized (t) {
                        cb.call(t.concurrentSeconds, name);
                    }
                })).register(registry);
        GaugeWithCallback.builder(defaults).name("leakhound_heap_after_gc_bytes")
                .help("Heap used after the last garbage collection that measured it, in bytes")
                .callback(cb -> {
                    long v = heapAfterGc;
                    if (v != GcCycle.UNKNOWN) {
                        cb.call(v);
                    }
                }).register(registry);
    }

    /** Sets the thread counts from a capture. */
    public void updateThreads(ThreadDump dump) {
        updateThreads(dump.threads());
        if (dump.capturedAt() != null) {
            threadsTime = dump.capturedAt().toEpochMilli() / 1000.0;
        }
    }

    /** Where {@code leakhound_thread_captures_total} and {@code leakhound_thread_capture_seconds_total} are read. */
    public void countCaptures(java.util.function.LongSupplier captures, java.util.function.DoubleSupplier seconds) {
        this.captures = captures;
        this.captureSeconds = seconds;
    }

    /** Sets the thread counts from the given threads (all the live threads of the JVM). */
    public void updateThreads(Collection<ThreadSnapshot> threads) {
        long[][] counts = new long[2][STATES.length];
        for (ThreadSnapshot t : threads) {
            counts[t.virtual() ? VIRTUAL : PLATFORM][t.state() == null ? UNKNOWN_STATE : t.state().ordinal()]++;
        }
        threadCounts = counts;
    }

    /**
     * Sets the thread counts from counts by state (for a fast count that does not capture stacks).
     *
     * @param virtual  virtual threads by state; the {@code null} key counts threads of unknown state
     * @param platform platform threads by state, likewise
     */
    public void updateThreadCounts(Map<Thread.State, Long> virtual, Map<Thread.State, Long> platform) {
        long[][] counts = new long[2][STATES.length];
        fill(counts[VIRTUAL], virtual);
        fill(counts[PLATFORM], platform);
        threadCounts = counts;
    }

    private static void fill(long[] row, Map<Thread.State, Long> byState) {
        for (Map.Entry<Thread.State, Long> e : byState.entrySet()) {
            long n = e.getValue() == null ? 0 : e.getValue();
            row[e.getKey() == null ? UNKNOWN_STATE : e.getKey().ordinal()] += n;
        }
    }

    /** Where {@code leakhound_deadlocked_threads} comes from, read at scrape time; without it the series is absent. */
    public void countDeadlocks(java.util.function.IntSupplier deadlockedThreads) {
        this.deadlocked = deadlockedThreads;
    }

    /** Sets the leak suspects: the growth detector's latest result. */
    public void updateSuspects(List<GrowingGroup> suspects) {
        long threads = 0;
        for (GrowingGroup g : suspects) {
            threads += g.count();
        }
        this.suspectThreads = threads;
        this.suspects = suspects.size();
    }

    /** Counts one garbage collection. */
    public void recordGc(GcCycle cycle) {
        GcTotals t = gc.computeIfAbsent(cycle.collector(), k -> new GcTotals());
        synchronized (t) {
            t.collections++;
            if (cycle.pause() != null) {
                t.pauseSeconds += cycle.pause().toNanos() / 1e9;
            }
            if (cycle.concurrent() != null) {
                t.concurrentSeconds += cycle.concurrent().toNanos() / 1e9;
            }
        }
        if (cycle.measuresHeap()) {
            heapAfterGc = cycle.heapAfter();
        }
    }

    /** The metrics in Prometheus' text format (version 0.0.4), for a scrape. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            scrape(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);                 // a ByteArrayOutputStream does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Writes the metrics in Prometheus' text format to {@code out}, which is left open. */
    public void scrape(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** The scrape's content type: {@code text/plain; version=0.0.4; charset=utf-8}. */
    public String contentType() {
        return writer.getContentType();
    }

    /** The registry holding these metrics (its own, not the client's default one). */
    public PrometheusRegistry registry() {
        return registry;
    }
}

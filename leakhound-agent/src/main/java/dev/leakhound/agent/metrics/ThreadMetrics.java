package dev.leakhound.agent.metrics;

import dev.leakhound.analysis.GrowingGroup;
import dev.leakhound.gc.GcCycle;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
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
import java.util.function.Supplier;

/**
 * Leakhound's figures for Prometheus, through the Prometheus Java client, in its text format (0.0.4) or, when the
 * scraper asks for it ({@code Accept: application/openmetrics-text}), in OpenMetrics:
 *
 * <pre>
 * leakhound_threads{kind="virtual|platform",state="NEW|RUNNABLE|BLOCKED|WAITING|TIMED_WAITING|TERMINATED|UNKNOWN"}  gauge
 *                                                    counted at scrape time where the agent counts without stacks
 *                                                    (its thread containers), else as of the last sample
 * leakhound_threads_capture_timestamp_seconds       gauge: when the count or capture behind leakhound_threads was taken
 * leakhound_thread_captures_total                    counter: captures (and cheap counts) of the threads taken
 * leakhound_thread_capture_seconds_total             counter: their time (at most 5% of the time, see CaptureBudget)
 * leakhound_leak_suspects                            gauge: sites the growth detector reports
 * leakhound_leak_suspect_threads                     gauge: threads at those sites
 * leakhound_leak_suspect_site_threads{site,wait}     gauge: threads at each of the top {@value #MAX_SITES} suspect sites
 * leakhound_deadlocked_threads                       gauge: threads in deadlocks (monitors and java.util.concurrent
 *                                                    locks, platform and virtual), searched at scrape time
 * leakhound_sampler_samples_total                    counter: samples the leak detector was given
 * leakhound_sampler_failing                          gauge: 1 when the sampler stopped after an error (or never started)
 * leakhound_sampler_last_sample_timestamp_seconds    gauge: when the last sample was taken
 * leakhound_sampler_delay_seconds                    gauge: the delay before the next sample now (more than the period
 *                                                    when the capture budget spaces samples out)
 * leakhound_gc_collections_total{collector="..."}    counter: collections seen
 * leakhound_gc_pause_seconds_total{collector="..."}  counter: their pauses
 * leakhound_gc_concurrent_seconds_total{collector="..."}  counter: their concurrent time (ZGC, Shenandoah)
 * leakhound_heap_after_gc_bytes                      gauge: heap used after the last collection that measured it
 * leakhound_heap_max_bytes                           gauge: the most the heap may grow to (absent when unbounded)
 * </pre>
 *
 * Every thread series is always present (0 when no thread is in that kind and state), so that a series
 * does not vanish between scrapes; the state {@code UNKNOWN} is for threads whose source gives none (JDK
 * 21-24 virtual threads). GC series appear with the first collection of each collector;
 * {@code leakhound_heap_after_gc_bytes} with the first collection that measured the heap.
 *
 * <p>Suspect sites: the label {@code site} is the line that blocked, {@code Class.method(File.java:LINE)} (the
 * first application frame; the innermost frame when there is none), {@code wait} what it waits in
 * ({@code ArrayBlockingQueue.put}). Only the {@value #MAX_SITES} sites with the most threads are exported, so that a
 * leak at many sites cannot flood the scraper: their threads still count in {@code leakhound_leak_suspect_threads}.
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
    /** At most this many suspect sites are exported, those with the most threads. */
    public static final int MAX_SITES = 10;
    /** A site label longer than this is cut (a generated class or lambda name can be long). */
    static final int MAX_SITE_LENGTH = 200;

    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

    private volatile long[][] threadCounts = new long[2][STATES.length];
    private volatile double threadsTime = Double.NaN;
    private volatile java.util.function.LongSupplier captures = () -> 0;
    private volatile java.util.function.DoubleSupplier captureSeconds = () -> 0;
    private volatile int suspects;
    private volatile long suspectThreads;
    private volatile java.util.function.IntSupplier deadlocked;
    private final Map<String, GcTotals> gc = new ConcurrentHashMap<>();
    private volatile long heapAfterGc = GcCycle.UNKNOWN;
    private volatile long heapMax = GcCycle.UNKNOWN;
    private volatile List<Site> sites = List.of();
    private volatile Supplier<LiveCounts> liveCounts = () -> null;
    private volatile Supplier<SamplerState> sampler = () -> null;

    /** One exported suspect site: its label values and its threads. */
    private record Site(String site, String waitsIn, long threads) {
    }

    /**
     * Live threads by kind and state counted without stacks, and when ({@code epochSeconds}).
     *
     * @param virtual  virtual threads by state; the {@code null} key counts threads of unknown state
     * @param platform platform threads by state, likewise
     */
    public record LiveCounts(Map<Thread.State, Long> virtual, Map<Thread.State, Long> platform, double epochSeconds) {
    }

    /**
     * The sampler's state.
     *
     * @param samples                   samples taken so far
     * @param failing                   whether it stopped after an error, or never started
     * @param lastSampleEpochSeconds    when the last sample was taken, {@code NaN} before the first
     * @param delaySeconds              the delay before the next sample now
     */
    public record SamplerState(long samples, boolean failing, double lastSampleEpochSeconds, double delaySeconds) {
    }

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
                    Live live = live();
                    long[][] counts = live != null ? live.counts() : threadCounts;
                    for (int s = 0; s < STATES.length; s++) {
                        cb.call(counts[VIRTUAL][s], "virtual", STATES[s]);
                        cb.call(counts[PLATFORM][s], "platform", STATES[s]);
                    }
                }).register(registry);
        GaugeWithCallback.builder(defaults).name("leakhound_threads_capture_timestamp_seconds")
                .help("When the count or capture the leakhound_threads series come from was taken, in seconds since the"
                        + " epoch (counts and captures are shared and rationed: they may be some seconds old)")
                .callback(cb -> {
                    Live live = live();
                    double t = live != null ? live.epochSeconds() : threadsTime;
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
        GaugeWithCallback.builder(defaults).name("leakhound_leak_suspect_site_threads")
                .help("Threads blocked with no timeout at a leak suspect's site (the line that blocked), for the top "
                        + MAX_SITES + " sites by threads")
                .labelNames("site", "wait")
                .callback(cb -> {
                    for (Site site : sites) {
                        cb.call(site.threads(), site.site(), site.waitsIn());
                    }
                }).register(registry);
        CounterWithCallback.builder(defaults).name("leakhound_sampler_samples")
                .help("Samples of the threads given to the leak detector")
                .callback(cb -> {
                    SamplerState st = sampler.get();
                    cb.call(st == null ? 0 : st.samples());
                }).register(registry);
        GaugeWithCallback.builder(defaults).name("leakhound_sampler_failing")
                .help("1 when the sampler stopped after an error or could not start (no leak is detected then), else 0")
                .callback(cb -> {
                    SamplerState st = sampler.get();
                    cb.call(st == null || st.failing() ? 1 : 0);
                }).register(registry);
        GaugeWithCallback.builder(defaults).name("leakhound_sampler_last_sample_timestamp_seconds")
                .help("When the last sample of the threads was taken, in seconds since the epoch")
                .callback(cb -> {
                    SamplerState st = sampler.get();
                    if (st != null && !Double.isNaN(st.lastSampleEpochSeconds())) {
                        cb.call(st.lastSampleEpochSeconds());
                    }
                }).register(registry);
        GaugeWithCallback.builder(defaults).name("leakhound_sampler_delay_seconds")
                .help("The delay before the next sample now, in seconds: the period, or more when captures are slow"
                        + " (they take at most 5% of one core)")
                .callback(cb -> {
                    SamplerState st = sampler.get();
                    if (st != null) {
                        cb.call(st.delaySeconds());
                    }
                }).register(registry);
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
        GaugeWithCallback.builder(defaults).name("leakhound_heap_max_bytes")
                .help("The most the heap may grow to, in bytes (Runtime.maxMemory)")
                .callback(cb -> {
                    long v = heapMax;
                    if (v != GcCycle.UNKNOWN) {
                        cb.call(v);
                    }
                }).register(registry);
    }

    /** The live counts of this scrape, as rows by kind, or {@code null} to use the last sample's. */
    private Live live() {
        LiveCounts c = liveCounts.get();
        if (c == null) {
            return null;
        }
        long[][] counts = new long[2][STATES.length];
        fill(counts[VIRTUAL], c.virtual());
        fill(counts[PLATFORM], c.platform());
        return new Live(counts, c.epochSeconds());
    }

    private record Live(long[][] counts, double epochSeconds) {
    }

    /**
     * Where live thread counts come from, asked at scrape time; when it gives {@code null} (no cheap count, or
     * none fresh), {@code leakhound_threads} is the last sample's.
     */
    public void countLive(Supplier<LiveCounts> counts) {
        this.liveCounts = counts;
    }

    /** Where the sampler's state is read at scrape time; {@code null} from it means the sampler is off. */
    public void watchSampler(Supplier<SamplerState> state) {
        this.sampler = state;
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
        this.sites = topSites(suspects);
    }

    /** The suspects' threads by site label (two groups blocked at one line are one site), the top {@link #MAX_SITES}. */
    static List<Site> topSites(List<GrowingGroup> suspects) {
        Map<List<String>, Long> bySite = new java.util.HashMap<>();
        for (GrowingGroup g : suspects) {
            bySite.merge(List.of(siteLabel(g), waitLabel(g)), (long) g.count(), Long::sum);
        }
        return bySite.entrySet().stream()
                .sorted(Map.Entry.<List<String>, Long>comparingByValue().reversed()
                        .thenComparing(e -> e.getKey().get(0)).thenComparing(e -> e.getKey().get(1)))
                .limit(MAX_SITES)
                .map(e -> new Site(e.getKey().get(0), e.getKey().get(1), e.getValue()))
                .toList();
    }

    /** The line that blocked, {@code Class.method(File.java:LINE)}: stable across samples and restarts of a build. */
    public static String siteLabel(GrowingGroup g) {
        dev.leakhound.model.StackFrame f = g.waitSite() == null ? null : g.waitSite().blockingFrame();
        if (f == null && !g.stack().isEmpty()) {
            f = g.stack().getFirst();
        }
        String s = f == null ? "unknown" : f.toString();
        return s.length() <= MAX_SITE_LENGTH ? s : s.substring(0, MAX_SITE_LENGTH);
    }

    private static String waitLabel(GrowingGroup g) {
        String call = g.waitSite() == null ? null : g.waitSite().call();
        return call == null ? "" : call;
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
        if (cycle.heapMax() != GcCycle.UNKNOWN) {
            heapMax = cycle.heapMax();
        }
    }

    /** The metrics in Prometheus' text format (version 0.0.4), for a scrape. */
    public String scrape() {
        return scrape((String) null);
    }

    /** The metrics in the format {@code accept} (a request's {@code Accept} header, or {@code null}) asks for. */
    public String scrape(String accept) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            scrape(out, accept);
        } catch (IOException e) {
            throw new UncheckedIOException(e);                 // a ByteArrayOutputStream does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Writes the metrics in Prometheus' text format to {@code out}, which is left open. */
    public void scrape(OutputStream out) throws IOException {
        scrape(out, null);
    }

    /** Writes the metrics in the format {@code accept} asks for to {@code out}, which is left open. */
    public void scrape(OutputStream out, String accept) throws IOException {
        writer(accept).write(out, registry.scrape());
    }

    /** The scrape's content type for {@code accept}: {@code text/plain; version=0.0.4; charset=utf-8} or OpenMetrics'. */
    public String contentType(String accept) {
        return writer(accept).getContentType();
    }

    /** The scrape's content type when nothing is asked: {@code text/plain; version=0.0.4; charset=utf-8}. */
    public String contentType() {
        return writer.getContentType();
    }

    /** OpenMetrics when the scraper accepts it (Prometheus asks for it first), else the 0.0.4 text format. */
    private ExpositionFormatWriter writer(String accept) {
        return accept != null && openMetrics.accepts(accept) ? openMetrics : writer;
    }

    /** The registry holding these metrics (its own, not the client's default one). */
    public PrometheusRegistry registry() {
        return registry;
    }
}

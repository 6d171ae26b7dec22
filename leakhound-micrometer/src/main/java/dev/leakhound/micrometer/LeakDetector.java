package dev.leakhound.micrometer;

import dev.leakhound.analysis.GrowingGroup;
import dev.leakhound.analysis.GrowthDetector;
import dev.leakhound.analysis.SuspectSite;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agent's growth detector inside the application: every {@code interval}, on one daemon thread of its own,
 * a census of the threads ({@link ThreadCensus}, shared with the meters) is fed to a {@link GrowthDetector}, which
 * names the blocking sites whose threads, blocked with no timeout, keep growing. {@link #close()} stops the thread.
 * Its meters:
 *
 * <pre>
 * leakhound_leak_suspects          sites whose threads blocked with no timeout keep growing
 * leakhound_leak_suspect_threads   threads at those sites
 * leakhound_leak_suspect_site_threads{site,wait}  threads at each of the top 10 of those sites (the line that
 *                                  blocked, what it waits in): the agent's series, for the same alert rules
 * leakhound_detector_samples_total samples the detector has taken
 * </pre>
 *
 * A failed capture skips a sample; nothing it does throws into the application. Memory is the detector's bound
 * (10,000 sites, a million thread ids) and one census.
 */
public final class LeakDetector implements MeterBinder, AutoCloseable {
    private final ThreadCensus census;
    /** The executor's one thread, once started. */
    private volatile Thread worker;
    private final GrowthDetector detector;
    private final Duration interval;
    private final ScheduledExecutorService thread;
    /** The per-site meter of each registry bound, rewritten after every sample. */
    private final List<MultiGauge> siteMeters = new java.util.ArrayList<>();
    /** What the per-site meters read. */
    private List<SuspectSite> sites = List.of();

    /**
     * Starts sampling now, then every {@code interval}.
     *
     * @param census    where the threads come from; its max age should not exceed {@code interval}
     * @param interval  time between samples
     * @param window    samples a growth is judged over, at least 2 (the agent's default: 3)
     * @param minGrowth threads a site must have gained over the window, at least 1 (the agent's default: 2)
     */
    public LeakDetector(ThreadCensus census, Duration interval, int window, int minGrowth) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        this.census = census;
        this.detector = new GrowthDetector(window, minGrowth);
        this.interval = interval;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "leakhound-detector");
            t.setDaemon(true);
            worker = t;
            return t;
        });
        thread.scheduleWithFixedDelay(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try {
            Census c = census.get();
            if (c != null && (detector.lastSampleAt() == null || c.capturedAt().isAfter(detector.lastSampleAt()))) {
                detector.add(c.capturedAt(), c.groups());
                publishSites();
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: skip this sample instead.
        }
    }

    /** Rewrites the per-site rows of every registry from the latest sample: sites no longer named vanish. */
    private synchronized void publishSites() {
        // A gauge holds its object weakly: the sites are kept here, else a row's value is lost to the next GC.
        sites = SuspectSite.top(detector.suspects(), SuspectSite.MAX_SITES);
        List<MultiGauge.Row<?>> rows = new java.util.ArrayList<>();
        for (SuspectSite s : sites) {
            rows.add(MultiGauge.Row.of(Tags.of("site", s.site(), "wait", s.waitsIn()), s, SuspectSite::threads));
        }
        for (MultiGauge m : siteMeters) {
            m.register(rows, true);
        }
    }

    /** The sites named in the latest sample, most growth first. */
    public List<GrowingGroup> suspects() {
        return detector.suspects();
    }

    /** The detector itself, for its settings and counts. */
    public GrowthDetector detector() {
        return detector;
    }

    /** Time between samples. */
    public Duration interval() {
        return interval;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("leakhound.leak.suspects", detector, d -> d.suspects().size())
                .description("Blocking sites whose number of threads blocked with no timeout keeps growing")
                .register(registry);
        Gauge.builder("leakhound.leak.suspect.threads", detector,
                        d -> d.suspects().stream().mapToLong(GrowingGroup::count).sum())
                .description("Threads at the leak suspects' blocking sites").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("leakhound.detector.samples", detector,
                        GrowthDetector::samples)
                .description("Samples taken by the growth detector").register(registry);
        MultiGauge sites = MultiGauge.builder("leakhound.leak.suspect.site.threads")
                .description("Threads blocked with no timeout at a leak suspect's site (the line that blocked), for the"
                        + " top " + SuspectSite.MAX_SITES + " sites by threads")
                .register(registry);
        synchronized (this) {
            siteMeters.add(sites);
        }
        publishSites();
    }

    /** Stops the sampling thread: interrupts a sample under way and waits a little for the thread to end. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            thread.awaitTermination(10, TimeUnit.SECONDS);
            // The executor is terminated just before its worker's run() returns: wait for the thread itself.
            Thread t = worker;
            long left = deadline - System.nanoTime();
            if (t != null && left > 0) {
                t.join(Duration.ofNanos(left));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

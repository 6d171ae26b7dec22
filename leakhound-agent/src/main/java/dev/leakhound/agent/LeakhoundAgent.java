package dev.leakhound.agent;

import dev.leakhound.agent.capture.ContainerThreads;
import dev.leakhound.agent.capture.LiveDeadlocks;
import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.agent.endpoints.GcEndpoint;
import dev.leakhound.agent.endpoints.HeapEndpoint;
import dev.leakhound.agent.endpoints.HistoryEndpoint;
import dev.leakhound.agent.endpoints.IndexPage;
import dev.leakhound.agent.endpoints.LeaksEndpoint;
import dev.leakhound.agent.endpoints.LiveHistograms;
import dev.leakhound.agent.endpoints.MetricsEndpoint;
import dev.leakhound.agent.endpoints.ProofEndpoint;
import dev.leakhound.agent.endpoints.ThreadEndpoints;
import dev.leakhound.agent.gcwatch.GcNotifications;
import dev.leakhound.agent.http.DebugServer;
import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.metrics.ThreadMetrics;
import dev.leakhound.agent.pprof.PprofEncoder;
import dev.leakhound.agent.sampling.BlockedSince;
import dev.leakhound.agent.sampling.SharedCapture;
import dev.leakhound.agent.sampling.ThreadSampler;
import dev.leakhound.analysis.GrowingGroup;
import dev.leakhound.analysis.GrowthDetector;

import java.net.URI;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The running agent: the sampler and leak detector, the GC listener, the debug server. One per JVM.
 *
 * <p>Each part starts on its own; a part that fails is reported once ({@link AgentLog}) and stays off while
 * the others run. {@link #start} never throws because of a part. {@link #close} (the {@code stop} option, or
 * the shutdown hook) stops them all and can be followed by a new {@link #start}.
 *
 * <p>Also usable in-process, e.g. by {@code leakhound demo}: {@code LeakhoundAgent.start(options)}.
 */
public final class LeakhoundAgent implements AutoCloseable {

    private static LeakhoundAgent running;

    private final AgentOptions options;
    private final BlockedSince blocked = new BlockedSince();
    private final SharedCapture captures;
    private final LiveDeadlocks deadlocks;
    private final Map<String, String> off = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private ThreadSampler sampler;
    private GrowthDetector detector;
    private volatile GcNotifications gc;
    private final HistoryEndpoint history;
    private volatile ThreadMetrics metrics;
    private DebugServer server;
    /** The heap profile recording's profiles (off unless {@code heapProfile=true}); never {@code null} once started. */
    private volatile dev.leakhound.agent.endpoints.HeapProfiles heapProfiles =
            dev.leakhound.agent.endpoints.HeapProfiles.off(dev.leakhound.agent.endpoints.HeapProfiles.OFF);
    private Thread shutdownHook;
    private volatile boolean closed;

    private final boolean scheduledSampling;
    /** The clock of the endpoints' rate limits ({@code heapIntervalMillis}), in nanoseconds. */
    private final LongSupplier rateClock;

    private LeakhoundAgent(AgentOptions options, ThreadSource source, boolean scheduledSampling, LongSupplier rateClock) {
        this.options = options;
        this.captures = new SharedCapture(source, blocked::observe);
        this.deadlocks = new LiveDeadlocks(ContainerThreads.open());
        this.scheduledSampling = scheduledSampling;
        this.rateClock = rateClock;
        this.history = new HistoryEndpoint(HistoryEndpoint.DEFAULT_CAPACITY, options.sampleMillis(), () -> gc);
    }

    /** The running agent, or {@code null}. */
    public static synchronized LeakhoundAgent running() {
        return running;
    }

    /** Starts the agent with the JDK's thread dump as its source, sampling every {@code sampleMillis}. */
    public static LeakhoundAgent start(AgentOptions options) {
        return start(options, ThreadSource.jdkDump(), true);
    }

    /** Starts the agent with this thread source, sampling every {@code sampleMillis}. */
    public static LeakhoundAgent start(AgentOptions options, ThreadSource source) {
        return start(options, source, true);
    }

    /**
     * Starts every part; the failing ones are logged once and stay off.
     *
     * @param scheduledSampling whether the sampler samples by itself every {@code sampleMillis}; without, nothing
     *                          is sampled but by {@link #sample()} (e.g. once per round of a program under watch, so
     *                          that the leak detector's window counts rounds)
     * @throws IllegalStateException if an agent already runs in this JVM
     */
    public static LeakhoundAgent start(AgentOptions options, ThreadSource source, boolean scheduledSampling) {
        return start(options, source, scheduledSampling, System::nanoTime);
    }

    /** As above, with the clock of the rate limits given: a test's, so that it decides when an interval has passed. */
    static synchronized LeakhoundAgent start(AgentOptions options, ThreadSource source, boolean scheduledSampling,
                                             LongSupplier rateClock) {
        if (running != null) {
            throw new IllegalStateException("the Leakhound agent already runs in this JVM");
        }
        LeakhoundAgent a = new LeakhoundAgent(options, source, scheduledSampling, rateClock);
        a.startParts();
        running = a;
        return a;
    }

    private void startParts() {
        part("metrics", () -> {
            ThreadMetrics m = new ThreadMetrics();
            m.countCaptures(captures::captures, captures::captureSeconds);
            m.countDeadlocks(() -> deadlocks.recent().threads());
            m.countLive(this::liveCounts);
            m.watchSampler(this::samplerState);
            metrics = m;
        });
        part("thread sampler", () -> {
            GrowthDetector d = new GrowthDetector(options.window(), options.minGrowth());
            ThreadSampler s = new ThreadSampler(captures, options.sampleMillis());
            s.addListener((dump, groups) -> {
                List<GrowingGroup> suspects = d.add(
                        dump.capturedAt() != null ? dump.capturedAt() : java.time.Instant.now(), groups);
                withMetrics(m -> {
                    m.updateThreads(dump);
                    m.updateSuspects(suspects);
                });
                history.add(dump, suspects);
            });
            detector = d;
            sampler = s;
            if (scheduledSampling) {
                s.start();
            }
        });
        part("gc listener", () -> gc = GcNotifications.start(this::collected, options.gcHistory(),
                t -> AgentLog.failed("gc listener", t)));
        if (options.heapProfile()) {
            part("heap profile", () -> {
                var p = dev.leakhound.agent.endpoints.HeapProfiles.start(options.heapIntervalMillis(), rateClock);
                heapProfiles = p;
                if (p.off() != null) {                            // the rest of the agent runs; the endpoint says why
                    off.put("heap profile", p.off());
                    AgentLog.info("heap profile is off: " + p.off());
                }
            });
        }
        if (options.server()) {
            part("debug server", () -> {
                server = startServer();
                AgentLog.info("debug server on " + debugUrl(server.url()));
            });
        }
        part("shutdown hook", () -> {
            Thread hook = new Thread(this::closeParts, "leakhound-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            shutdownHook = hook;
        });
    }

    /**
     * The server on the port asked for; with none asked for, on {@code 6060} or, when that is taken, on any free port
     * (said in the server's line). A port asked for and taken is refused with how to choose another: a client must
     * never reach another program's server on it thinking it is ours.
     */
    private DebugServer startServer() throws java.io.IOException {
        try {
            return DebugServer.start(options, endpoints());
        } catch (java.net.BindException e) {
            if (options.portGiven()) {
                throw new java.net.BindException("port " + options.port() + " on " + options.host()
                        + " is in use by another program (" + e.getMessage() + "): choose another port, port=0 for any"
                        + " free port or another number (leakhound attach: --port)");
            }
            AgentOptions any = new AgentOptions(options.host(), 0, options.token(), options.server(),
                    options.sampleMillis(), options.window(), options.minGrowth(), options.gctrace(), options.gcHistory(),
                    options.maxThreads(), options.heapIntervalMillis(), false, options.creationSites(),
                    options.maxTrackedThreads(), options.heapProof(), options.proofHeapMb(), options.heapProfile(), false);
            AgentLog.info("port " + options.port() + " is in use by another program: the debug server takes any free"
                    + " port (port=N to choose one)");
            return DebugServer.start(any, endpoints());
        }
    }

    /** Where a user points a browser or curl: the index of the endpoints. */
    public static URI debugUrl(URI root) {
        return root.resolve("debug/");
    }

    private Map<String, Endpoint> endpoints() {
        Map<String, Endpoint> e = new LinkedHashMap<>();
        e.put("/debug/threads/count", ThreadEndpoints.count(captures));
        e.put("/debug/threads", ThreadEndpoints.counts(captures));
        e.put("/debug/threads/dump", ThreadEndpoints.dump(captures, blocked, options,
                () -> sampler != null && sampler.scheduled() ? sampler.periodMillis() : 0, PprofEncoder::encode,
                deadlocks::recent));
        e.put("/debug/leaks", new LeaksEndpoint(detector, sampler, blocked, deadlocks::recent));
        e.put("/debug/gc", new GcEndpoint(gc, off.get("gc listener")));
        e.put("/debug/heap", new HeapEndpoint(new LiveHistograms(options.heapIntervalMillis(), rateClock)));
        e.put("/debug/heap/profile", new dev.leakhound.agent.endpoints.HeapProfileEndpoint(heapProfiles,
                PprofEncoder::encode));
        e.put("/debug/leaks/proof", new ProofEndpoint(options.heapProof() ? new dev.leakhound.agent.proof.HeapProofs(
                options.heapIntervalMillis(), options.proofHeapMb()) : null));
        e.put("/debug/history", history);
        e.put("/metrics", new MetricsEndpoint(() -> metrics, this::metricsOff));
        e.putAll(IndexPage.assets());
        e.put("/debug/", IndexPage.endpoint(e, options.token() != null));
        return e;
    }

    /** Updates the metrics; if that fails, they are switched off (logged once), the caller goes on. */
    private void withMetrics(java.util.function.Consumer<ThreadMetrics> update) {
        ThreadMetrics m = metrics;
        if (m == null) {
            return;
        }
        try {
            update.accept(m);
        } catch (Throwable t) {
            metrics = null;
            off.put("metrics", AgentLog.describe(t));
            AgentLog.failed("metrics", t);
        }
    }

    /**
     * The live threads by kind and state for a scrape, where the source counts them cheaply (see SharedCapture);
     * {@code null} (the last sample's counts) when it does not, or when counting fails: a scrape never fails for it.
     */
    private ThreadMetrics.LiveCounts liveCounts() {
        SharedCapture.StateCount c;
        try {
            c = captures.countByState();
        } catch (RuntimeException e) {
            return null;
        }
        if (c == null) {
            return null;
        }
        double when = System.currentTimeMillis() / 1000.0 - c.ageNanos() / 1e9;
        return new ThreadMetrics.LiveCounts(c.counts().virtualByState(), c.counts().platformByState(), when);
    }

    /** The sampler's state for a scrape; {@code null} when it could not start. */
    private ThreadMetrics.SamplerState samplerState() {
        ThreadSampler s = sampler;
        if (s == null) {
            return null;
        }
        ThreadSampler.Counts latest = s.latest();
        return new ThreadMetrics.SamplerState(latest == null ? 0 : latest.samples(), s.failure() != null,
                latest == null ? Double.NaN : latest.time().toEpochMilli() / 1000.0, s.delayMillis() / 1000.0);
    }

    private String metricsOff() {
        return off.getOrDefault("metrics", "not started");
    }

    /** A collection: counted in the metrics; with gctrace, its line on standard error with the running verdict. */
    private void collected(dev.leakhound.gc.GcCycle cycle) {
        withMetrics(m -> m.recordGc(cycle));
        if (options.gctrace() && !closed) {
            GcNotifications g = gc;
            dev.leakhound.gc.HeapTrend trend = g == null ? null : dev.leakhound.gc.HeapTrend.of(g.recent());
            System.err.println(dev.leakhound.gc.report.GcTrace.line(cycle, trend == null ? null : trend.verdict()));
        }
    }

    private interface Part {
        void start() throws Exception;
    }

    private void part(String name, Part p) {
        try {
            p.start();
        } catch (Throwable t) {
            off.put(name, AgentLog.describe(t));
            AgentLog.failed(name, t);
        }
    }

    /** The debug server's address, or {@code null} when it does not run. */
    public URI url() {
        DebugServer s = server;
        return s == null ? null : s.url();
    }

    /** Whether the debug server was asked for and could not start. */
    public boolean serverFailed() {
        return off.containsKey("debug server");
    }

    /** {@code running http://127.0.0.1:6060/}, or {@code running (no server)}, or {@code failed: ...}. */
    public synchronized String status() {
        if (closed) {
            return "stopped";
        }
        if (server != null) {
            return "running " + server.url();
        }
        String why = off.get("debug server");
        return why != null ? "failed: debug server: " + why : "running (no server)";
    }

    /** The parts that are off, with why. */
    public Map<String, String> partsOff() {
        synchronized (off) {
            return Map.copyOf(off);
        }
    }

    public AgentOptions options() {
        return options;
    }

    public ThreadSampler sampler() {
        return sampler;
    }

    /** The leak detector, or {@code null} when the sampler could not start. */
    public GrowthDetector detector() {
        return detector;
    }

    /**
     * Samples the threads now, on the calling thread, and returns the leak detector's suspects after it.
     *
     * @throws IllegalStateException if the sampler is off ({@link #partsOff()} says why)
     */
    public List<GrowingGroup> sample() {
        ThreadSampler s = sampler;
        if (s == null || detector == null) {
            throw new IllegalStateException("the thread sampler is off: " + partsOff().get("thread sampler"));
        }
        s.sampleNow();
        return detector.suspects();
    }

    /** The leak suspects of the latest sample; empty when there are none or the detector is off. */
    public List<GrowingGroup> suspects() {
        GrowthDetector d = detector;
        return d == null ? List.of() : d.suspects();
    }

    public BlockedSince blockedSince() {
        return blocked;
    }

    /** Stops every part. The agent can then be started again. */
    @Override
    public void close() {
        synchronized (LeakhoundAgent.class) {
            closeParts();
            Thread hook = shutdownHook;
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
            if (running == this) {
                running = null;
            }
        }
    }

    private synchronized void closeParts() {
        if (closed) {
            return;
        }
        closed = true;
        quietly(() -> {
            if (server != null) {
                server.close();
            }
        });
        quietly(() -> {
            if (sampler != null) {
                sampler.close();
            }
        });
        quietly(() -> {
            if (gc != null) {
                gc.close();
            }
        });
        quietly(() -> heapProfiles.close());
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (Throwable ignored) {
            // closing: nothing more to do
        }
    }
}

package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.AgentLog;
import dev.leakhound.agent.gcwatch.GcNotifications;
import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;
import dev.leakhound.agent.http.Unavailable;
import dev.leakhound.agent.metrics.ThreadMetrics;
import dev.leakhound.analysis.GrowingGroup;
import dev.leakhound.gc.GcCycle;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /debug/history}: what the page's charts draw, as JSON. The sampler's last {@link #capacity} samples (a ring
 * filled by the sampler's listener: no thread of its own, nothing kept of a sample but its counts) and the GC
 * listener's kept collections (its own bounded ring, {@code gcHistory}).
 *
 * <pre>{@code
 * {"capacity": 360, "samplePeriodMillis": 5000,
 *  "samples": [{"time": 1765100000.123, "platform": {"RUNNABLE": 9, "WAITING": 4}, "virtual": {"WAITING": 120},
 *               "sites": {"com.example.Foo.bar(Foo.java:12)": 118}}, ...],
 *  "gc": {"collections": 42, "heapMax": 268435456,
 *         "cycles": [{"number": 41, "time": 1765100001.5, "startSeconds": 12.5, "collector": "G1 Young Generation",
 *                     "kind": "YOUNG", "heapAfter": 12345678, "pauseMillis": 3.0}, ...]}}
 * }</pre>
 * {@code time}: epoch seconds (milliseconds precision); a sample's states: {@code Thread.State} names, or
 * {@code UNKNOWN}, those without threads left out; {@code sites}: the growth detector's suspects of that sample by the
 * line that blocked (the metrics' {@code site} label), the top {@value #MAX_SITES}; {@code heapAfter} and
 * {@code pauseMillis} null where the collection gives none (a concurrent cycle has no pause); {@code gc} null when the
 * GC listener is off. Memory: at most {@link #capacity} samples of at most 14 counts and {@value #MAX_SITES} sites,
 * whose labels (at most 200 characters) are shared with the sample before when equal.
 */
public final class HistoryEndpoint implements Endpoint {
    /** Samples kept by default: 30 minutes at the default period of 5 s. */
    public static final int DEFAULT_CAPACITY = 360;
    /** Suspect sites kept per sample, those with the most threads. */
    static final int MAX_SITES = ThreadMetrics.MAX_SITES;

    private static final String[] STATES = states();

    /** One sample: its time and counts; {@code platform}/{@code virtual} indexed as {@link #STATES}. */
    record Sample(double time, long[] platform, long[] virtual, Map<String, Long> sites) {
    }

    private final int capacity;
    private final long samplePeriodMillis;
    private final Supplier<GcNotifications> gc;
    private final long jvmStartMillis;
    private final ArrayDeque<Sample> ring;          // guarded by itself
    private volatile String off;

    /**
     * @param capacity           samples kept, at least 1
     * @param samplePeriodMillis the sampler's period, said in the answer
     * @param gc                 the GC listener, or {@code null} (supplied: it may start after this)
     */
    public HistoryEndpoint(int capacity, long samplePeriodMillis, Supplier<GcNotifications> gc) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.samplePeriodMillis = samplePeriodMillis;
        this.gc = gc;
        this.ring = new ArrayDeque<>(Math.min(capacity, 1024));
        this.jvmStartMillis = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    private static String[] states() {
        Thread.State[] s = Thread.State.values();
        String[] out = new String[s.length + 1];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i].name();
        }
        out[s.length] = "UNKNOWN";
        return out;
    }

    /** How many samples it keeps. */
    public int capacity() {
        return capacity;
    }

    /**
     * Keeps a sample's counts (on the sampler's thread: short, never throws; a failure is logged once and switches
     * the history off, the sampler goes on).
     */
    public void add(ThreadDump dump, List<GrowingGroup> suspects) {
        if (off != null) {
            return;
        }
        try {
            Instant at = dump.capturedAt() != null ? dump.capturedAt() : Instant.now();
            long[] platform = new long[STATES.length];
            long[] virtual = new long[STATES.length];
            for (ThreadSnapshot t : dump.threads()) {
                int i = t.state() == null ? STATES.length - 1 : t.state().ordinal();
                (t.virtual() ? virtual : platform)[i]++;
            }
            Map<String, Long> bySite = new HashMap<>();
            for (GrowingGroup g : suspects) {
                bySite.merge(ThreadMetrics.siteLabel(g), (long) g.count(), Long::sum);
            }
            synchronized (ring) {
                Map<String, Long> previous = ring.isEmpty() ? Map.of() : ring.peekLast().sites();
                Map<String, Long> sites = new LinkedHashMap<>();
                bySite.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                        .limit(MAX_SITES)
                        .forEach(e -> sites.put(shared(previous, e.getKey()), e.getValue()));
                if (ring.size() == capacity) {
                    ring.removeFirst();
                }
                ring.addLast(new Sample(at.toEpochMilli() / 1000.0, platform, virtual, sites));
            }
        } catch (Throwable t) {
            off = AgentLog.describe(t);
            AgentLog.failed("history", t);
        }
    }

    /** The previous sample's instance of an equal label, so that a site seen in every sample is kept once. */
    private static String shared(Map<String, Long> previous, String label) {
        for (String k : previous.keySet()) {
            if (k.equals(label)) {
                return k;
            }
        }
        return label;
    }

    /** The samples kept, oldest first (tests). */
    List<Sample> samples() {
        synchronized (ring) {
            return new ArrayList<>(ring);
        }
    }

    @Override
    public Response handle(Query q) {
        if (off != null) {
            throw new Unavailable("the history is off after an error: " + off);
        }
        List<Sample> samples = samples();
        GcNotifications g = gc == null ? null : gc.get();
        return Response.json(ThreadViews.json(j -> {
            j.writeStartObject();
            j.writeNumberField("capacity", capacity);
            j.writeNumberField("samplePeriodMillis", samplePeriodMillis);
            j.writeArrayFieldStart("samples");
            for (Sample s : samples) {
                j.writeStartObject();
                j.writeNumberField("time", s.time());
                writeStates(j, "platform", s.platform());
                writeStates(j, "virtual", s.virtual());
                j.writeObjectFieldStart("sites");
                for (Map.Entry<String, Long> e : s.sites().entrySet()) {
                    j.writeNumberField(e.getKey(), e.getValue());
                }
                j.writeEndObject();
                j.writeEndObject();
            }
            j.writeEndArray();
            if (g == null) {
                j.writeNullField("gc");
            } else {
                List<GcCycle> cycles = g.recent();
                j.writeObjectFieldStart("gc");
                j.writeNumberField("collections", g.count());
                long max = cycles.isEmpty() ? GcCycle.UNKNOWN : cycles.getLast().heapMax();
                size(j, "heapMax", max);
                j.writeArrayFieldStart("cycles");
                for (GcCycle c : cycles) {
                    j.writeStartObject();
                    j.writeNumberField("number", c.number());
                    j.writeNumberField("time", (jvmStartMillis + c.start().toMillis()) / 1000.0);
                    j.writeNumberField("startSeconds", c.start().toNanos() / 1e9);
                    j.writeStringField("collector", c.collector());
                    j.writeStringField("kind", c.kind().name());
                    size(j, "heapAfter", c.measuresHeap() ? c.heapAfter() : GcCycle.UNKNOWN);
                    if (c.pause() == null) {
                        j.writeNullField("pauseMillis");
                    } else {
                        j.writeNumberField("pauseMillis", c.pause().toNanos() / 1e6);
                    }
                    j.writeEndObject();
                }
                j.writeEndArray();
                j.writeEndObject();
            }
            j.writeEndObject();
        }));
    }

    private static void writeStates(com.fasterxml.jackson.core.JsonGenerator j, String field, long[] counts)
            throws java.io.IOException {
        j.writeObjectFieldStart(field);
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                j.writeNumberField(STATES[i], counts[i]);
            }
        }
        j.writeEndObject();
    }

    private static void size(com.fasterxml.jackson.core.JsonGenerator j, String field, long bytes)
            throws java.io.IOException {
        if (bytes == GcCycle.UNKNOWN) {
            j.writeNullField(field);
        } else {
            j.writeNumberField(field, bytes);
        }
    }

    @Override
    public String contentType(Query q) {
        return Response.JSON;
    }

    @Override
    public String description() {
        return "what the page's charts draw (JSON): the sampler's last " + capacity + " samples (threads by kind and"
                + " state, threads at each leak-suspect site) and the kept garbage collections (heap after, pause)";
    }
}

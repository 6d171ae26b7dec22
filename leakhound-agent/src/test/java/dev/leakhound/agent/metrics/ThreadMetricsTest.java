package dev.leakhound.agent.metrics;

import dev.leakhound.analysis.GrowingGroup;
import dev.leakhound.analysis.GrowthDetector;
import dev.leakhound.analysis.StackGroup;
import dev.leakhound.capture.LiveThreads;
import dev.leakhound.gc.GcCycle;
import dev.leakhound.model.StackFrame;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.model.ThreadSnapshot;
import dev.leakhound.testing.ThreadsAt;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ThreadMetricsTest {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");

    /** Sample lines of a scrape as {@code name{labels}} (labels as printed) to value; checks every line's form. */
    private static Map<String, Double> parse(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("sample line: " + line).isTrue();
            String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            assertThat(out.put(key, Double.parseDouble(m.group(4)))).as("duplicate " + key).isNull();
        }
        return out;
    }

    private static Map<String, String> types(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                out.put(parts[2], parts[3]);
            }
        }
        return out;
    }

    private static ThreadSnapshot thread(long id, boolean virtual, Thread.State state) {
        return new ThreadSnapshot(id, "t", virtual, null, state, List.of(), null, List.of(), null, null, null);
    }

    @Test
    void emptyMetricsHaveEveryThreadSeriesAtZero() {
        ThreadMetrics metrics = new ThreadMetrics();
        String text = metrics.scrape();
        Map<String, Double> samples = parse(text);
        for (String kind : List.of("virtual", "platform")) {
            for (String state : List.of("NEW", "RUNNABLE", "BLOCKED", "WAITING", "TIMED_WAITING", "TERMINATED", "UNKNOWN")) {
                assertThat(samples).containsEntry("leakhound_threads{kind=\"" + kind + "\",state=\"" + state + "\"}", 0.0);
            }
        }
        assertThat(samples).containsEntry("leakhound_leak_suspects", 0.0).containsEntry("leakhound_leak_suspect_threads", 0.0);
        assertThat(samples.keySet()).noneMatch(k -> k.startsWith("leakhound_gc_") || k.startsWith("leakhound_heap_"));
        assertThat(types(text)).containsEntry("leakhound_threads", "gauge")
                .containsEntry("leakhound_leak_suspects", "gauge")
                .doesNotContainKey("leakhound_gc_collections_total");    // a family without series is left out
        assertThat(metrics.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void threadsSuspectsAndGcFigures() {
        ThreadMetrics metrics = new ThreadMetrics();
        metrics.updateThreads(List.of(thread(1, true, Thread.State.WAITING), thread(2, true, Thread.State.WAITING),
                thread(3, true, null), thread(4, false, Thread.State.RUNNABLE), thread(5, false, Thread.State.TIMED_WAITING)));

        GrowthDetector detector = new GrowthDetector(2, 1);
        List<StackFrame> stack = List.of(StackFrame.parse("java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)"),
                StackFrame.parse("com.example.App.send(App.java:8)"));
        List<ThreadSnapshot> blocked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            blocked.add(new ThreadSnapshot(100 + i, "", true, null, Thread.State.WAITING, stack, null, List.of(), null, null, null));
        }
        detector.add(Instant.EPOCH, List.of(new StackGroup(Thread.State.WAITING, null, null, stack, blocked.subList(0, 1))));
        List<GrowingGroup> suspects = detector.add(Instant.EPOCH.plusSeconds(10),
                List.of(new StackGroup(Thread.State.WAITING, null, null, stack, blocked)));
        assertThat(suspects).hasSize(1);
        metrics.updateSuspects(suspects);

        metrics.recordGc(new GcCycle(1, Duration.ofSeconds(1), "G1 Young Generation", "G1 Evacuation Pause",
                "end of minor GC", GcCycle.Kind.MINOR, Duration.ofMillis(12), null, 100, 40, 200, 400, List.of()));
        metrics.recordGc(new GcCycle(2, Duration.ofSeconds(2), "G1 Young Generation", "G1 Evacuation Pause",
                "end of minor GC", GcCycle.Kind.MINOR, Duration.ofMillis(8), null, 120, 50, 200, 400, List.of()));
        metrics.recordGc(new GcCycle(3, Duration.ofSeconds(3), "ZGC Major Cycles", "System.gc()",
                "end of GC cycle", GcCycle.Kind.CONCURRENT, null, Duration.ofMillis(250), 90, 30, 200, 400, List.of()));
        // a pause without heap sizes does not change the heap figure
        metrics.recordGc(new GcCycle(4, Duration.ofSeconds(3), "ZGC Major Pauses", "System.gc()",
                "end of GC pause", GcCycle.Kind.PHASE_PAUSE, Duration.ofMillis(1), null, -1, -1, -1, 400, List.of()));

        String text = metrics.scrape();
        Map<String, Double> s = parse(text);
        assertThat(s).containsEntry("leakhound_threads{kind=\"virtual\",state=\"WAITING\"}", 2.0)
                .containsEntry("leakhound_threads{kind=\"virtual\",state=\"UNKNOWN\"}", 1.0)
                .containsEntry("leakhound_threads{kind=\"platform\",state=\"RUNNABLE\"}", 1.0)
                .containsEntry("leakhound_threads{kind=\"platform\",state=\"TIMED_WAITING\"}", 1.0)
                .containsEntry("leakhound_threads{kind=\"platform\",state=\"WAITING\"}", 0.0)
                .containsEntry("leakhound_leak_suspects", 1.0)
                .containsEntry("leakhound_leak_suspect_threads", 4.0)
                .containsEntry("leakhound_gc_collections_total{collector=\"G1 Young Generation\"}", 2.0)
                .containsEntry("leakhound_gc_collections_total{collector=\"ZGC Major Cycles\"}", 1.0)
                .containsEntry("leakhound_gc_collections_total{collector=\"ZGC Major Pauses\"}", 1.0)
                .containsEntry("leakhound_gc_concurrent_seconds_total{collector=\"ZGC Major Cycles\"}", 0.25)
                .containsEntry("leakhound_gc_concurrent_seconds_total{collector=\"G1 Young Generation\"}", 0.0)
                .containsEntry("leakhound_heap_after_gc_bytes", 30.0);
        assertThat(s.get("leakhound_gc_pause_seconds_total{collector=\"G1 Young Generation\"}")).isCloseTo(0.020, within(1e-12));
        assertThat(s.get("leakhound_gc_pause_seconds_total{collector=\"ZGC Major Pauses\"}")).isCloseTo(0.001, within(1e-12));
        assertThat(types(text)).containsEntry("leakhound_gc_collections_total", "counter")
                .containsEntry("leakhound_gc_pause_seconds_total", "counter")
                .containsEntry("leakhound_gc_concurrent_seconds_total", "counter")
                .containsEntry("leakhound_heap_after_gc_bytes", "gauge");
        assertThat(text).contains("# HELP leakhound_threads ");

        // the next update replaces the counts: series that emptied go back to 0
        Map<Thread.State, Long> virtual = new HashMap<>();
        virtual.put(Thread.State.BLOCKED, 7L);
        virtual.put(null, 2L);
        metrics.updateThreadCounts(virtual, Map.of(Thread.State.NEW, 3L));
        metrics.updateSuspects(List.of());
        Map<String, Double> s2 = parse(metrics.scrape());
        assertThat(s2).containsEntry("leakhound_threads{kind=\"virtual\",state=\"WAITING\"}", 0.0)
                .containsEntry("leakhound_threads{kind=\"virtual\",state=\"BLOCKED\"}", 7.0)
                .containsEntry("leakhound_threads{kind=\"virtual\",state=\"UNKNOWN\"}", 2.0)
                .containsEntry("leakhound_threads{kind=\"platform\",state=\"NEW\"}", 3.0)
                .containsEntry("leakhound_leak_suspects", 0.0)
                .containsEntry("leakhound_leak_suspect_threads", 0.0);
    }

    @Test
    void ownRegistryNotTheDefaultOne() throws Exception {
        ThreadMetrics a = new ThreadMetrics();
        ThreadMetrics b = new ThreadMetrics();                          // no clash: each has its own registry
        assertThat(a.registry()).isNotSameAs(PrometheusRegistry.defaultRegistry).isNotSameAs(b.registry());
        assertThat(PrometheusRegistry.defaultRegistry.scrape().stream()
                .map(m -> m.getMetadata().getName())).noneMatch(n -> n.startsWith("leakhound"));
        boolean[] closed = {false};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int c) {
                bytes.write(c);
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        a.scrape(out);
        assertThat(closed[0]).isFalse();
        assertThat(bytes.toString()).isEqualTo(a.scrape());
    }

    @Test
    void liveCaptureCountsVirtualThreads() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                started.add(Thread.ofVirtual().name("metrics-test").start(() -> {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        // the test ends it
                    }
                }));
            }
            ThreadsAt.await(started, Thread.State.WAITING, "java.util.concurrent.CountDownLatch.await");
            ThreadDump dump = LiveThreads.capture();
            ThreadMetrics metrics = new ThreadMetrics();
            metrics.updateThreads(dump);
            Map<String, Double> s = parse(metrics.scrape());
            assertThat(s.get("leakhound_threads{kind=\"virtual\",state=\"WAITING\"}")).isGreaterThanOrEqualTo(6.0);
            double total = s.entrySet().stream().filter(e -> e.getKey().startsWith("leakhound_threads{"))
                    .mapToDouble(Map.Entry::getValue).sum();
            assertThat(total).isEqualTo(dump.threads().size());
        } finally {
            for (Thread t : started) {
                t.interrupt();
            }
            for (Thread t : started) {
                t.join();
            }
        }
    }

    /** What Prometheus 2.42 sends when it scrapes. */
    private static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    /** A suspect of {@code threads} threads blocked in SynchronousQueue.put at {@code line}. */
    private static GrowingGroup suspect(String line, Thread.State state, int threads) {
        List<StackFrame> stack = List.of(
                StackFrame.parse("java.base/java.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:266)"),
                StackFrame.parse(line));
        List<ThreadSnapshot> blocked = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            blocked.add(new ThreadSnapshot(1000 + i, "", true, null, state, stack, null, List.of(), null, null, null));
        }
        return new GrowingGroup(new StackGroup(state, null, null, stack, blocked), List.of(1, threads), Instant.EPOCH,
                Instant.EPOCH.plusSeconds(10), threads - 1, threads - 1, 6.0 * (threads - 1), 1.0, Instant.EPOCH,
                Duration.ofSeconds(10));
    }

    @Test
    void suspectSitesAreLabelledByTheLineThatBlockedTopTenOnly() {
        ThreadMetrics metrics = new ThreadMetrics();
        List<GrowingGroup> suspects = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            suspects.add(suspect("com.example.Site" + i + ".send(Site" + i + ".java:" + (10 + i) + ")",
                    Thread.State.WAITING, i + 1));
        }
        // the same line in another state: one site, its threads added
        suspects.add(suspect("com.example.Site12.send(Site12.java:22)", Thread.State.TIMED_WAITING, 4));
        metrics.updateSuspects(suspects);
        String text = metrics.scrape();
        Map<String, Double> s = parse(text);
        List<String> sites = s.keySet().stream().filter(k -> k.startsWith("leakhound_leak_suspect_site_threads{")).toList();
        assertThat(sites).hasSize(ThreadMetrics.MAX_SITES);
        assertThat(s).containsEntry("leakhound_leak_suspect_site_threads{site=\"com.example.Site12.send(Site12.java:22)\","
                        + "wait=\"SynchronousQueue.put\"}", 17.0)
                .containsEntry("leakhound_leak_suspect_site_threads{site=\"com.example.Site3.send(Site3.java:13)\","
                        + "wait=\"SynchronousQueue.put\"}", 4.0)
                .containsEntry("leakhound_leak_suspects", 13.0)
                .containsEntry("leakhound_leak_suspect_threads", 2.0 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13 + 4);
        assertThat(sites).as("the two smallest sites are left out")
                .noneMatch(k -> k.contains("Site1.send") || k.contains("Site2.send"));
        assertThat(types(text)).containsEntry("leakhound_leak_suspect_site_threads", "gauge");

        // a site no longer suspect vanishes
        metrics.updateSuspects(List.of());
        assertThat(metrics.scrape()).doesNotContain("leakhound_leak_suspect_site_threads{");
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() {
        ThreadMetrics metrics = new ThreadMetrics();
        assertThat(metrics.contentType(PROMETHEUS_ACCEPT)).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        String om = metrics.scrape(PROMETHEUS_ACCEPT);
        assertThat(om).contains("# TYPE leakhound_thread_captures counter\n").contains("\nleakhound_thread_captures_total ")
                .endsWith("# EOF\n");
        for (String accept : new String[]{null, "*/*", "text/plain", "text/plain;version=0.0.4"}) {
            assertThat(metrics.contentType(accept)).as(accept).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(metrics.scrape(accept)).as(accept).doesNotContain("# EOF");
        }
    }

    @Test
    void theSamplersState() {
        ThreadMetrics metrics = new ThreadMetrics();
        Map<String, Double> none = parse(metrics.scrape());
        assertThat(none).as("no sampler: failing").containsEntry("leakhound_sampler_failing", 1.0)
                .containsEntry("leakhound_sampler_samples_total", 0.0)
                .doesNotContainKey("leakhound_sampler_last_sample_timestamp_seconds");
        ThreadMetrics.SamplerState[] state = {new ThreadMetrics.SamplerState(0, false, Double.NaN, 5)};
        metrics.watchSampler(() -> state[0]);
        assertThat(parse(metrics.scrape())).containsEntry("leakhound_sampler_failing", 0.0)
                .containsEntry("leakhound_sampler_delay_seconds", 5.0)
                .doesNotContainKey("leakhound_sampler_last_sample_timestamp_seconds");
        state[0] = new ThreadMetrics.SamplerState(7, true, 1.7e9, 20);
        String text = metrics.scrape();
        assertThat(parse(text)).containsEntry("leakhound_sampler_failing", 1.0)
                .containsEntry("leakhound_sampler_samples_total", 7.0)
                .containsEntry("leakhound_sampler_last_sample_timestamp_seconds", 1.7e9)
                .containsEntry("leakhound_sampler_delay_seconds", 20.0);
        assertThat(types(text)).containsEntry("leakhound_sampler_samples_total", "counter")
                .containsEntry("leakhound_sampler_failing", "gauge");
    }

    @Test
    void liveCountsWinOverTheLastSampleWhenThereAreAny() {
        ThreadMetrics metrics = new ThreadMetrics();
        metrics.updateThreads(List.of(thread(1, true, Thread.State.WAITING)));
        ThreadMetrics.LiveCounts[] live = {new ThreadMetrics.LiveCounts(Map.of(Thread.State.WAITING, 9L),
                Map.of(Thread.State.RUNNABLE, 2L), 1.7e9)};
        metrics.countLive(() -> live[0]);
        Map<String, Double> s = parse(metrics.scrape());
        assertThat(s).containsEntry("leakhound_threads{kind=\"virtual\",state=\"WAITING\"}", 9.0)
                .containsEntry("leakhound_threads{kind=\"platform\",state=\"RUNNABLE\"}", 2.0)
                .containsEntry("leakhound_threads_capture_timestamp_seconds", 1.7e9);
        live[0] = null;                                  // none fresh: the last sample's
        assertThat(parse(metrics.scrape())).containsEntry("leakhound_threads{kind=\"virtual\",state=\"WAITING\"}", 1.0)
                .containsEntry("leakhound_threads{kind=\"platform\",state=\"RUNNABLE\"}", 0.0);
    }

    @Test
    void heapMaxFromTheCollections() {
        ThreadMetrics metrics = new ThreadMetrics();
        assertThat(metrics.scrape()).doesNotContain("leakhound_heap_max_bytes ");
        metrics.recordGc(new GcCycle(1, Duration.ofSeconds(1), "G1 Young Generation", "G1 Evacuation Pause",
                "end of minor GC", GcCycle.Kind.MINOR, Duration.ofNanos(1_250_000), null, 100, 40, 200, 400, List.of()));
        Map<String, Double> s = parse(metrics.scrape());
        assertThat(s).containsEntry("leakhound_heap_max_bytes", 400.0).containsEntry("leakhound_heap_after_gc_bytes", 40.0);
        assertThat(s.get("leakhound_gc_pause_seconds_total{collector=\"G1 Young Generation\"}"))
                .as("a pause's precision is kept").isCloseTo(0.00125, within(1e-12));
    }
}

package dev.leakhound.cli;

import dev.leakhound.testing.Http;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.leakhound.cli.AgentJarIT.SERVER_LINE;
import static dev.leakhound.cli.AgentJarIT.javaagent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /metrics} of the shaded jar loaded as an agent into a JVM of its own ({@link TinyService}, with the
 * sentinel agent's leak: one more thread blocked in {@code ArrayBlockingQueue.put} every 300 ms), scraped over
 * real HTTP and checked by the real {@code promtool check metrics} (Prometheus' naming rules); the metrics the
 * shipped alert rules read are all there. Runs under failsafe, after {@code package} made the jar.
 */
@Timeout(300)
class PrometheusMetricsIT {
    /** What Prometheus 2.42 sends when it scrapes. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    private static final Pattern SITE = Pattern.compile("(?m)^leakhound_leak_suspect_site_threads\\{"
            + "site=\"dev\\.leakhound\\.cli\\.TinyService\\.check\\(TinyService\\.java:\\d+\\)\",wait=\"ArrayBlockingQueue\\.put\"} "
            + "([0-9.]+)$");

    @TempDir
    static Path dir;

    private static Path jar;

    @BeforeAll
    static void theJar() {
        jar = ChildJvm.shadedJar();
    }

    @Test
    void aRealScrapePassesPromtoolAndNamesTheLeakingSite() throws Exception {
        Promtool promtool = Promtool.require();
        try (ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar, "port=0,sampleMillis=250,window=6,"
                + "heapIntervalMillis=3600000")), "5", "300")) {
            URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));
            // A full GC (/debug/heap forces one): the GC and heap series appear with the first collection.
            assertThat(Http.get(url, "/debug/heap?top=1").status()).isEqualTo(200);

            AtomicReference<String> scrape = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                Http.Result r = Http.get(url, "/metrics");
                assertThat(r.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
                assertThat(r.text()).containsPattern(SITE)
                        .containsPattern("(?m)^leakhound_heap_after_gc_bytes \\d")
                        .containsPattern("(?m)^leakhound_heap_max_bytes \\d")
                        .containsPattern("(?m)^leakhound_gc_pause_seconds_total\\{collector=\"[^\"]+\"} ");
                scrape.set(r.text());
            });
            String text = scrape.get();
            Matcher site = SITE.matcher(text);
            assertThat(site.find()).isTrue();
            assertThat(Double.parseDouble(site.group(1))).as("threads at the leaking site").isGreaterThanOrEqualTo(2);
            assertThat(text).as("the 5 threads blocked in SynchronousQueue.put do not grow: no suspect")
                    .doesNotContain("wait=\"SynchronousQueue.put\"")
                    .containsPattern("(?m)^leakhound_sampler_failing 0(\\.0)?$")
                    .containsPattern("(?m)^leakhound_sampler_samples_total [1-9]")
                    .containsPattern("(?m)^leakhound_sampler_last_sample_timestamp_seconds 1\\.\\d+E9$")
                    .containsPattern("(?m)^leakhound_deadlocked_threads 0(\\.0)?$");

            Path file = dir.resolve("scrape-0.0.4.txt");
            Files.writeString(file, text);
            Promtool.Result check = promtool.run(dir, file, "check", "metrics");
            assertThat(check.output()).as("promtool check metrics on\n" + text).isEmpty();
            assertThat(check.exitStatus()).isZero();

            // Every metric the shipped alert rules read is in the scrape.
            Set<String> exported = new TreeSet<>();
            Matcher type = Pattern.compile("(?m)^# TYPE (\\S+) ").matcher(text);
            while (type.find()) {
                exported.add(type.group(1));
            }
            Set<String> read = new TreeSet<>();
            try (var files = Files.list(Promtool.rulesDir())) {
                for (Path rules : files.filter(p -> !p.toString().endsWith("-test.yml")).toList()) {
                    Matcher m = Pattern.compile("\\bleakhound_\\w+").matcher(Files.readString(rules));
                    while (m.find()) {
                        read.add(m.group());
                    }
                }
            }
            assertThat(read).isNotEmpty();
            assertThat(exported).containsAll(read);
            child.exit();
        }
    }

    @Test
    void prometheusGetsOpenMetricsWhenItAsksForIt() throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar, "port=0,sampleMillis=250")), "1")) {
            URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));
            AtomicReference<Http.Result> scrape = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                Http.Result r = Http.get(url, "/metrics", "Accept", PROMETHEUS_ACCEPT);
                assertThat(r.text()).containsPattern("(?m)^leakhound_threads\\{kind=\"virtual\",state=\"WAITING\"} [1-9]");
                scrape.set(r);
            });
            Http.Result r = scrape.get();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.contentType()).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
            assertThat(r.header("Vary")).isEqualTo("Accept");
            assertThat(r.text()).containsPattern("(?m)^# TYPE leakhound_thread_captures counter$")
                    .containsPattern("(?m)^leakhound_thread_captures_total [0-9]")
                    .containsPattern("(?m)^leakhound_threads\\{kind=\"virtual\",state=\"WAITING\"} [1-9]")
                    .endsWith("# EOF\n");
            // promtool check metrics reads the 0.0.4 format only (it takes OpenMetrics' counter families, named
            // without _total, for families without help): the same registry, checked in that format above.

            // Asked for nothing in particular (curl): the 0.0.4 text format.
            assertThat(Http.get(url, "/metrics").contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(Http.get(url, "/metrics", "Accept", "text/plain;version=0.0.4").contentType())
                    .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            child.exit();
        }
    }

    /**
     * With a sample every 10 minutes, {@code leakhound_threads} still follows the threads from one scrape to the
     * next: the agent counts them at scrape time (its thread containers, no stacks), as {@code /debug/threads/count}.
     */
    @Test
    void threadCountsAreLiveBetweenSamples() throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar, "port=0,sampleMillis=600000")), "0", "300")) {
            URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));
            Pattern waiting = Pattern.compile("(?m)^leakhound_threads\\{kind=\"virtual\",state=\"WAITING\"} ([0-9.]+)$");
            Pattern samples = Pattern.compile("(?m)^leakhound_sampler_samples_total ([0-9.]+)$");
            String first = Http.get(url, "/metrics").text();
            double before = value(waiting, first);
            double samplesBefore = value(samples, first);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                String now = Http.get(url, "/metrics").text();
                assertThat(value(samples, now)).as("no new sample").isEqualTo(samplesBefore);
                assertThat(value(waiting, now)).as("virtual threads waiting, counted live")
                        .isGreaterThanOrEqualTo(before + 3);
            });
            child.exit();
        }
    }

    private static double value(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertThat(m.find()).as(p + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}

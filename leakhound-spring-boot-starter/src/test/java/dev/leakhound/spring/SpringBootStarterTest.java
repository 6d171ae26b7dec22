package dev.leakhound.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.leakhound.testing.ThreadsAt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Spring Boot 3 application with virtual threads, started here on a free port, with the starter, Actuator and
 * the Prometheus registry: a planted leak (virtual threads stuck in {@code SynchronousQueue.put}) is seen over HTTP
 * by {@code /actuator/leakhound} and {@code /actuator/prometheus}.
 */
class SpringBootStarterTest {
    private static final int LEAKED = 6;
    private static final String BLOCKING_LINE = "dev.leakhound.spring.LeakyMailer.send(LeakyMailer.java:";

    private final SynchronousQueue<String> outbox = new SynchronousQueue<>();
    private final List<Thread> senders = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    private ConfigurableApplicationContext app;

    @AfterEach
    void releaseAndStop() throws InterruptedException {
        for (int i = 0; i < senders.size(); i++) {
            outbox.take();                                       // each sender hands over its one message and ends
        }
        for (Thread t : senders) {
            t.join();
        }
        if (app != null) {
            app.close();
        }
    }

    private ConfigurableApplicationContext start(String... extra) {
        List<String> props = new ArrayList<>(List.of(
                "server.port=0",
                "server.address=127.0.0.1",
                "spring.threads.virtual.enabled=true",
                "management.endpoints.web.exposure.include=leakhound,prometheus,health",
                "leakhound.capture-max-age=0s"));
        props.addAll(List.of(extra));
        app = new SpringApplicationBuilder(LeakhoundApplication.class).properties(props.toArray(String[]::new)).run();
        return app;
    }

    private int port() {
        return ((WebServerApplicationContext) app).getWebServer().getPort();
    }

    private void plantLeak() {
        plantLeak(LEAKED);
    }

    /** Starts {@code n} more leaked senders and waits until all are parked. */
    private void plantLeak(int n) {
        for (int i = 0; i < n; i++) {
            String message = "message " + senders.size();
            senders.add(Thread.ofVirtual().name("mailer-" + i).start(() -> LeakyMailer.send(outbox, message)));
        }
        ThreadsAt.await(senders, Thread.State.WAITING, "java.util.concurrent.SynchronousQueue.put");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofMinutes(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theEndpointShowsThePlantedLeakWithItsPatternAndFix() throws Exception {
        start();
        plantLeak();

        HttpResponse<String> response = get("/actuator/leakhound");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().contains("json");
        JsonNode report = new ObjectMapper().readTree(response.body());
        assertThat(report.isObject()).as(response.body()).isTrue();
        assertThat(report.get("virtualThreads").asLong()).isGreaterThanOrEqualTo(LEAKED);
        assertThat(report.get("states").get("virtual").get("WAITING").asLong()).isGreaterThanOrEqualTo(LEAKED);
        assertThat(report.get("deadlocks").isArray()).isTrue();
        JsonNode leak = null;
        for (JsonNode s : report.get("suspects")) {
            if (s.path("blockedAt").asText().startsWith(BLOCKING_LINE)) {
                leak = s;
            }
        }
        assertThat(leak).as("the planted leak among the suspects of " + response.body()).isNotNull();
        assertThat(leak.get("count").asInt()).isEqualTo(LEAKED);
        assertThat(leak.get("virtualCount").asInt()).isEqualTo(LEAKED);
        assertThat(leak.get("waitingIn").asText()).isEqualTo("SynchronousQueue.put");
        assertThat(leak.get("pattern").get("id").asText()).isEqualTo("abandoned-senders");
        assertThat(leak.get("pattern").get("certainty").asText()).isEqualTo("likely");
        assertThat(leak.get("pattern").get("fix").asText()).isNotBlank();
        assertThat(report.has("detector")).as("the detector is off by default").isFalse();
        assertThat(app.getBeansOfType(dev.leakhound.micrometer.LeakDetector.class)).isEmpty();
    }

    @Test
    void prometheusExportsTheBindersFigures() throws Exception {
        start();
        plantLeak();

        HttpResponse<String> response = get("/actuator/prometheus");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String body = response.body();
        assertThat(value(body, "leakhound_threads\\{kind=\"virtual\",state=\"WAITING\"}"))
                .isGreaterThanOrEqualTo(LEAKED);
        assertThat(value(body, "leakhound_threads\\{kind=\"platform\",state=\"RUNNABLE\"}")).isGreaterThan(0);
        assertThat(value(body, "leakhound_suspect_threads")).isGreaterThanOrEqualTo(LEAKED);
        assertThat(value(body, "leakhound_suspect_pattern_threads")).isGreaterThanOrEqualTo(LEAKED);
        assertThat(value(body, "leakhound_suspect_groups")).isGreaterThanOrEqualTo(1);
        assertThat(value(body, "leakhound_deadlocked_threads")).isZero();
        assertThat(value(body, "leakhound_thread_captures_total")).isGreaterThanOrEqualTo(1);
        assertThat(value(body, "leakhound_thread_capture_seconds_total")).isGreaterThan(0);
        assertThat(body).contains("# TYPE leakhound_threads gauge", "# TYPE leakhound_thread_captures_total counter");
    }

    @Test
    void theDetectorRunsOnOneDaemonThreadThatStopsWithTheContext() throws Exception {
        start("leakhound.detector.enabled=true", "leakhound.detector.interval=100ms");
        dev.leakhound.micrometer.LeakDetector detector = app.getBean(dev.leakhound.micrometer.LeakDetector.class);
        await().atMost(Duration.ofMinutes(2)).until(() -> detector.detector().samples() >= 2);
        assertThat(detectorThreads()).hasSize(1).allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
        HttpResponse<String> prometheus = get("/actuator/prometheus");
        assertThat(value(prometheus.body(), "leakhound_detector_samples_total")).isGreaterThanOrEqualTo(2);
        assertThat(value(prometheus.body(), "leakhound_leak_suspects")).isZero();
        JsonNode report = new ObjectMapper().readTree(get("/actuator/leakhound").body());
        assertThat(report.get("detector").get("samples").asLong()).isGreaterThanOrEqualTo(2);

        app.close();
        app = null;

        assertThat(detectorThreads()).as("the detector's thread after the context closed").isEmpty();
    }

    @Test
    void aSiteThatKeepsGrowingIsExportedWithItsSiteLabelForTheAgentsAlertRules() throws Exception {
        start("leakhound.detector.enabled=true", "leakhound.detector.interval=100ms");
        dev.leakhound.micrometer.LeakDetector detector = app.getBean(dev.leakhound.micrometer.LeakDetector.class);
        for (int wave = 0; wave < 6 && detector.suspects().isEmpty(); wave++) {
            plantLeak(2);
            long after = detector.detector().samples();
            // two samples later, one was captured wholly after the wave parked
            await().atMost(Duration.ofMinutes(2)).until(() -> detector.detector().samples() >= after + 2);
        }
        assertThat(detector.suspects()).as("named after 6 waves").isNotEmpty();

        // The series of observability/prometheus/leakhound-rules.yml's LeakhoundBlockedThreadsGrowing.
        java.util.regex.Pattern series = java.util.regex.Pattern.compile(
                "leakhound_leak_suspect_site_threads\\{site=\"" + java.util.regex.Pattern.quote(BLOCKING_LINE)
                        + "\\d+\\)\",wait=\"SynchronousQueue.put\"} (\\S+)");
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            String body = get("/actuator/prometheus").body();
            java.util.regex.Matcher m = series.matcher(body);
            assertThat(m.find()).as("a " + series + " line in " + body.lines()
                    .filter(l -> l.contains("leakhound_leak")).toList() + " suspects " + detector.suspects().stream()
                    .map(dev.leakhound.analysis.SuspectSite::siteOf).toList()).isTrue();
            assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(2);
        });
    }

    private static List<Thread> detectorThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("leakhound-detector"))
                .filter(Thread::isAlive).toList();
    }

    /** The value of the one sample {@code series} (a regex of the name and labels) in a scrape. */
    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(series + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }
}

package dev.leakhound.cli;

import com.fasterxml.jackson.databind.JsonNode;

import dev.leakhound.testing.Http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.TestAbortedException;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.leakhound.cli.AgentJarIT.javaagent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end: a real Prometheus (Debian's package) scrapes two real JVMs with the shaded agent, one leaking like the
 * sentinel agent ({@link TinyService}: one more thread blocked forever in {@code ArrayBlockingQueue.put} every
 * 100 ms), one doing the same work without the leak, and evaluates the shipped alert rules. The leak alert fires for
 * the leaking JVM only, within the time docs/services.md promises; every query of the Grafana dashboard returns
 * data from the same run.
 *
 * <p>The shipped rules wait minutes ({@code for: 5m}, {@code offset 15m}): the test loads a copy in which every
 * duration, and nothing else, is divided by {@link #SCALE} (5m: 15 s), and expects the promise of docs/services.md
 * with that {@code for} and its own sample, scrape and evaluation periods.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusAlertsIT {
    /** The shipped rules' durations are divided by this in the copy the test loads. */
    static final int SCALE = 20;
    /** The agents' sample period (the promise counts 3 of them to name a leak). */
    private static final Duration SAMPLE = Duration.ofMillis(250);
    private static final String AGENT = "sampleMillis=" + SAMPLE.toMillis();
    private static final String LEAK = "LeakhoundBlockedThreadsGrowing";
    private static final Pattern DURATION = Pattern.compile("(?<![\\w.$])(\\d+)([smhdw])\\b");
    /**
     * What a loaded 2-core machine adds to the promise: a cold JVM's first captures take over a second (the budget
     * then spaces the samples), and Prometheus' evaluations can run late.
     */
    private static final Duration LOAD_ALLOWANCE = Duration.ofSeconds(15);

    private static PrometheusServer prometheus;
    private static ChildJvm leaking;
    private static ChildJvm healthy;
    private static String leakingInstance;
    private static String healthyInstance;
    private static Instant leakStarted;
    private static Path dir;
    /** Why nothing was started (no prometheus here), for each test to be skipped with, so that each counts. */
    private static TestAbortedException skipped;

    @BeforeAll
    static void startEverything() throws Exception {
        Path binary;
        try {
            binary = PrometheusServer.require();
        } catch (TestAbortedException e) {
            skipped = e;
            return;
        }
        Path jar = ChildJvm.shadedJar();
        dir = Files.createTempDirectory("leakhound-alerts-it-");
        Path rules = dir.resolve("leakhound-rules-scaled.yml");
        Files.writeString(rules, scaled(Files.readString(shippedRules())));

        int leakingPort = PrometheusServer.freePort();
        int healthyPort = PrometheusServer.freePort();
        leakingInstance = "127.0.0.1:" + leakingPort;
        healthyInstance = "127.0.0.1:" + healthyPort;
        // Prometheus first, so that it scrapes the leaking JVM as soon as its server is up.
        prometheus = PrometheusServer.start(binary, rules, List.of(leakingInstance, healthyInstance));
        healthy = ChildJvm.start(dir, List.of(javaagent(jar, "port=" + healthyPort + "," + AGENT)), "0", "100", "drained");
        leaking = ChildJvm.start(dir, List.of(javaagent(jar, "port=" + leakingPort + "," + AGENT)), "0", "100");
        leakStarted = Instant.now();                          // its first checker starts just before "ready"
        // A full GC in each (/debug/heap forces one): the GC and heap-after-GC series start with a collection.
        for (String instance : List.of(leakingInstance, healthyInstance)) {
            assertThat(Http.get(URI.create("http://" + instance + "/"), "/debug/heap?top=1").status()).isEqualTo(200);
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        // Closed in reverse order: Prometheus, then the JVMs; the directory of their output last.
        try (AutoCloseable d = () -> PrometheusServer.deleteTree(dir); AutoCloseable a = leaking; AutoCloseable b = healthy;
             AutoCloseable c = prometheus) {
            // nothing else to do
        }
    }

    @BeforeEach
    void skipWithoutPrometheus() {
        if (skipped != null) {
            throw skipped;
        }
    }

    static Path shippedRules() {
        return Promtool.rulesDir().resolve("leakhound-rules.yml");
    }

    /** The rules with every duration divided by {@link #SCALE}, in whole seconds. */
    static String scaled(String rules) {
        Matcher m = DURATION.matcher(rules);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            long seconds = Long.parseLong(m.group(1)) * switch (m.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3600;
                case "d" -> 86400;
                default -> 7 * 86400;
            };
            assertThat(seconds % SCALE).as(m.group() + " divides by " + SCALE).isZero();
            m.appendReplacement(out, seconds / SCALE + "s");
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * docs/services.md's promise, scaled: the agent names a steady leak's site within 3 sample periods, Prometheus
     * scrapes it within a scrape interval and the rule turns pending within an evaluation interval, then fires
     * {@code for} later.
     */
    static Duration promise(Duration forDuration) {
        return SAMPLE.multipliedBy(3).plus(PrometheusServer.INTERVAL).plus(PrometheusServer.INTERVAL).plus(forDuration);
    }

    @Test
    @Order(0)
    void theLoadedRulesAreTheShippedOnesWithOnlyTheirDurationsScaled() throws Exception {
        String shipped = Files.readString(shippedRules());
        String loaded = Files.readString(prometheus.rules());
        assertThat(loaded).isEqualTo(scaled(shipped)).isNotEqualTo(shipped);
        assertThat(DURATION.matcher(loaded).replaceAll("D")).as("everything but the durations untouched")
                .isEqualTo(DURATION.matcher(shipped).replaceAll("D"));
        assertThat(shipped).contains("for: 5m");
        assertThat(loaded).contains("for: 15s").doesNotContain("for: 5m");

        // Prometheus loaded them all, the leak rule with its scaled for.
        List<String> names = new ArrayList<>();
        for (JsonNode group : prometheus.ruleGroups()) {
            for (JsonNode rule : group.path("rules")) {
                names.add(rule.path("name").asText());
                if (rule.path("name").asText().equals(LEAK)) {
                    assertThat(rule.path("duration").asDouble()).isEqualTo(15.0);
                    assertThat(rule.path("query").asText()).contains("offset 45s");
                }
            }
        }
        assertThat(names).contains(LEAK, "LeakhoundDeadlock", "LeakhoundHeapAfterGcRisingTowardMax",
                "LeakhoundSamplerFailing", "LeakhoundSamplerStale");
    }

    @Test
    @Order(1)
    void theLeakAlertFiresForTheLeakingJvmOnlyWithinThePromise() throws Exception {
        Duration forDuration = Duration.ofMinutes(5).dividedBy(SCALE);
        Duration promise = promise(forDuration);
        AtomicReference<JsonNode> fired = new AtomicReference<>();
        List<String> healthyAlerts = new ArrayList<>();
        await().atMost(promise.plus(LOAD_ALLOWANCE).plusSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    for (JsonNode alert : prometheus.alerts()) {
                        if (alert.path("labels").path("instance").asText().equals(healthyInstance)) {
                            healthyAlerts.add(alert.toString());
                        }
                        if (alert.path("labels").path("alertname").asText().equals(LEAK)
                                && alert.path("labels").path("instance").asText().equals(leakingInstance)
                                && alert.path("state").asText().equals("firing")) {
                            fired.compareAndSet(null, alert);
                        }
                    }
                    assertThat(fired.get()).as("the leak alert firing; Prometheus says: " + prometheus.alerts()
                            + "\ntargets " + prometheus.activeTargets()).isNotNull();
                });
        Duration took = Duration.between(leakStarted, Instant.now());
        JsonNode alert = fired.get();
        Instant activeAt = Instant.parse(alert.path("activeAt").asText());
        System.out.println("PrometheusAlertsIT: " + LEAK + " fired " + took.toMillis() + " ms after the leak started"
                + " (pending " + Duration.between(leakStarted, activeAt).toMillis() + " ms after it); promise "
                + promise.toMillis() + " ms (+" + LOAD_ALLOWANCE.toSeconds() + " s for load)");

        assertThat(alert.path("labels").path("site").asText())
                .matches("dev\\.leakhound\\.cli\\.TinyService\\.check\\(TinyService\\.java:\\d+\\)");
        assertThat(alert.path("labels").path("wait").asText()).isEqualTo("ArrayBlockingQueue.put");
        assertThat(alert.path("labels").path("severity").asText()).isEqualTo("warning");
        assertThat(Double.parseDouble(alert.path("value").asText())).as("threads more than 45 s before").isPositive();
        assertThat(took).as("no sooner than its for: after it").isGreaterThanOrEqualTo(forDuration);
        assertThat(took).as("within the promise " + promise + " and " + LOAD_ALLOWANCE + " for a loaded machine")
                .isLessThanOrEqualTo(promise.plus(LOAD_ALLOWANCE));
        assertThat(healthyAlerts).as("alerts of the healthy JVM").isEmpty();

        // A steady leak keeps it firing (no flapping), and the healthy JVM, scraped all along, stays quiet: watched
        // for 8 s (160 s at the shipped rules' pace).
        List<String> notFiring = new ArrayList<>();
        await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    boolean leakFiring = false;
                    JsonNode alerts = prometheus.alerts();
                    for (JsonNode a : alerts) {
                        String instance = a.path("labels").path("instance").asText();
                        if (instance.equals(healthyInstance)) {
                            healthyAlerts.add(a.toString());
                        }
                        leakFiring |= instance.equals(leakingInstance) && a.path("state").asText().equals("firing")
                                && a.path("labels").path("alertname").asText().equals(LEAK);
                    }
                    if (!leakFiring) {
                        notFiring.add(Instant.now() + ": " + alerts);
                    }
                    return true;
                });
        assertThat(notFiring).as("the leak alert, once firing, stopped").isEmpty();
        assertThat(healthyAlerts).as("alerts of the healthy JVM").isEmpty();
        // Prometheus' own record of every evaluation (ALERTS: pending and firing) agrees, between polls too.
        assertThat(prometheus.query("count_over_time(ALERTS{instance=\"" + healthyInstance + "\"}[10m])"))
                .as("the healthy JVM's alerts, pending or firing, ever").isEmpty();
        assertThat(prometheus.query("count_over_time(ALERTS{alertname=\"" + LEAK + "\",alertstate=\"firing\",instance=\""
                + leakingInstance + "\"}[10m])")).isNotEmpty();
        assertThat(prometheus.query("up{instance=\"" + healthyInstance + "\"} == 1")).as("the healthy JVM scraped").isNotEmpty();
        assertThat(prometheus.query("leakhound_leak_suspect_site_threads{instance=\"" + healthyInstance + "\"}")).isEmpty();
        assertThat(prometheus.query("sum(leakhound_threads{kind=\"virtual\",instance=\"" + healthyInstance + "\"})"))
                .as("the healthy JVM runs virtual threads too").isNotEmpty();
    }

    /** Each panel's query of the dashboard, with its variables set as Grafana would, returns data of our JVMs. */
    @Test
    @Order(2)
    void everyDashboardQueryReturnsData() throws Exception {
        // What Grafana puts for "All" of a multi-value variable: a regex of the values, in a PromQL string.
        String instances = leakingInstance.replace(".", "\\\\.") + "|" + healthyInstance.replace(".", "\\\\.");
        List<String[]> queries = GrafanaDashboardTest.queries();
        assertThat(queries).isNotEmpty();
        for (String[] q : queries) {
            String expr = q[1].replace("$instance", instances)
                    .replace("$__rate_interval", "15s").replace("$__interval", "5s");
            assertThat(expr).as(q[0] + ": every variable set").doesNotContain("$");
            Set<String> expected = q[1].contains("leak_suspect_site")
                    ? Set.of(leakingInstance) : Set.of(leakingInstance, healthyInstance);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode result = prometheus.query(expr);
                Set<String> seen = new TreeSet<>();
                for (JsonNode series : result) {
                    seen.add(series.path("metric").path("instance").asText());
                    assertThat(series.path("value").get(1).asText()).as(q[0] + ": " + expr).isNotEqualTo("NaN");
                }
                assertThat(seen).as(q[0] + ": the instances of " + expr + " -> " + result).isEqualTo(expected);
            });
        }
    }
}

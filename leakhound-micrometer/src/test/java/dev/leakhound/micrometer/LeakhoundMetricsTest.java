package dev.leakhound.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LeakhoundMetricsTest {

    @Test
    void theMetersShowThePlantedLeakFromOneCapturePerScrape() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ThreadCensus census = new ThreadCensus(Duration.ofHours(1));
        new LeakhoundMetrics(census).bindTo(registry);
        try (Senders leak = new Senders().leak(4)) {
            double total = 0;
            for (Meter m : registry.getMeters()) {                // a scrape: every meter read
                for (var measurement : m.measure()) {
                    total += measurement.getValue();
                }
            }

            assertThat(total).isGreaterThan(0);
            assertThat(census.captures()).as("captures for one scrape of every meter").isEqualTo(1);
            assertThat(registry.get("leakhound.threads").tags("kind", "virtual", "state", "WAITING").gauge().value())
                    .isGreaterThanOrEqualTo(4);
            assertThat(registry.get("leakhound.threads").tags("kind", "platform", "state", "RUNNABLE").gauge().value())
                    .isGreaterThan(0);
            assertThat(registry.get("leakhound.suspect.threads").gauge().value()).isGreaterThanOrEqualTo(4);
            assertThat(registry.get("leakhound.suspect.pattern.threads").gauge().value()).isGreaterThanOrEqualTo(4);
            assertThat(registry.get("leakhound.deadlocked.threads").gauge().value()).isZero();
            assertThat(registry.get("leakhound.threads").gauges()).hasSize(2 * (Thread.State.values().length + 1));
            assertThat(registry.get("leakhound.thread.captures").functionCounter().count()).isEqualTo(1);
        }
    }

    @Test
    void beforeAnyCaptureSucceededTheGaugesAreNaNAndNothingThrows() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ThreadCensus census = new ThreadCensus(Duration.ZERO, failing());
        new LeakhoundMetrics(census).bindTo(registry);

        assertThat(registry.get("leakhound.suspect.threads").gauge().value()).isNaN();
        assertThat(registry.get("leakhound.thread.capture.failures").functionCounter().count()).isEqualTo(1);
    }

    private static Supplier<dev.leakhound.model.ThreadDump> failing() {
        return () -> {
            throw new java.io.UncheckedIOException("cannot write the dump", new java.io.IOException("read-only"));
        };
    }

    @Test
    void theDetectorNamesASiteThatKeepsGrowingAndItsThreadEndsOnClose() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ThreadCensus census = new ThreadCensus(Duration.ZERO);
        try (Senders leak = new Senders()) {
            try (LeakDetector detector = new LeakDetector(census, Duration.ofMillis(50), 3, 2)) {
                detector.bindTo(registry);
                for (int wave = 0; wave < 4 && detector.suspects().isEmpty(); wave++) {
                    leak.leak(2);
                    long after = detector.detector().samples();
                    // two samples later, one was captured wholly after the wave parked
                    await().atMost(Duration.ofMinutes(2)).until(() -> detector.detector().samples() >= after + 2);
                }

                assertThat(detector.suspects()).anySatisfy(s -> assertThat(s.waitSite().blockingFrame().toString())
                        .startsWith("dev.leakhound.micrometer.Senders.send(Senders.java:"));
                assertThat(registry.get("leakhound.leak.suspects").gauge().value()).isGreaterThanOrEqualTo(1);
                assertThat(registry.get("leakhound.leak.suspect.threads").gauge().value())
                        .isGreaterThanOrEqualTo(4);
                // the agent's per-site series, for the same alert rules: the site is the line that blocked
                await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(
                        registry.find("leakhound.leak.suspect.site.threads").gauges()).anySatisfy(g -> {
                            assertThat(g.getId().getTag("site"))
                                    .startsWith("dev.leakhound.micrometer.Senders.send(Senders.java:");
                            assertThat(g.getId().getTag("wait")).isEqualTo("SynchronousQueue.put");
                            assertThat(g.value()).isGreaterThanOrEqualTo(4);
                        }));
                assertThat(detectorThreads()).hasSize(1);
            }
            assertThat(detectorThreads()).as("after close").isEmpty();
        }
    }

    private static java.util.List<Thread> detectorThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("leakhound-detector"))
                .filter(Thread::isAlive).toList();
    }
}

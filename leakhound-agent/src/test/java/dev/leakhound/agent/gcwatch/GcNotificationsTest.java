package dev.leakhound.agent.gcwatch;

import dev.leakhound.gc.GcCycle;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GcNotificationsTest {
    private static final long MB = 1024 * 1024;
    private static final Set<String> G1_POOLS = Set.of("G1 Eden Space", "G1 Survivor Space", "G1 Old Gen");

    private static MemoryUsage usage(long usedMb, long committedMb, long maxMb) {
        return new MemoryUsage(0, usedMb * MB, committedMb * MB, maxMb < 0 ? -1 : maxMb * MB);
    }

    @Test
    void cycleSumsTheHeapPoolsOnly() {
        Map<String, MemoryUsage> before = Map.of(
                "G1 Eden Space", usage(40, 48, -1), "G1 Survivor Space", usage(2, 6, -1),
                "G1 Old Gen", usage(3, 76, 128), "Metaspace", usage(20, 21, -1));
        Map<String, MemoryUsage> after = Map.of(
                "G1 Eden Space", usage(0, 48, -1), "G1 Survivor Space", usage(6, 6, -1),
                "G1 Old Gen", usage(20, 76, 128), "Metaspace", usage(20, 21, -1));
        GcCycle c = GcNotifications.cycle(7, "G1 Young Generation", "end of minor GC", "G1 Evacuation Pause",
                2072, 33, before, after, G1_POOLS, 128 * MB);
        assertThat(c.number()).isEqualTo(7);
        assertThat(c.start()).isEqualTo(Duration.ofMillis(2072));
        assertThat(c.kind()).isEqualTo(GcCycle.Kind.MINOR);
        assertThat(c.pause()).isEqualTo(Duration.ofMillis(33));
        assertThat(c.concurrent()).isNull();
        assertThat(c.heapBefore()).isEqualTo(45 * MB);
        assertThat(c.heapAfter()).isEqualTo(26 * MB);
        assertThat(c.heapCommitted()).isEqualTo(130 * MB);
        assertThat(c.heapMax()).isEqualTo(128 * MB);
        assertThat(c.pools()).extracting(GcCycle.Pool::name)
                .containsExactly("G1 Eden Space", "G1 Old Gen", "G1 Survivor Space");
        assertThat(c.pools().get(1)).isEqualTo(new GcCycle.Pool("G1 Old Gen", 3 * MB, 20 * MB, 76 * MB, 128 * MB));
        assertThat(c.pools().get(0).max()).isEqualTo(GcCycle.UNKNOWN);
    }

    @Test
    void zgcPausesHaveNoHeapSizesAndCyclesAreConcurrent() {
        Set<String> zPools = Set.of("ZGC Young Generation", "ZGC Old Generation");
        Map<String, MemoryUsage> zeros = Map.of("ZGC Young Generation", usage(0, 0, 0), "ZGC Old Generation", usage(0, 0, 0));
        GcCycle pause = GcNotifications.cycle(1, "ZGC Major Pauses", "end of GC pause", "System.gc()", 2960, 0,
                zeros, zeros, zPools, 128 * MB);
        assertThat(pause.kind()).isEqualTo(GcCycle.Kind.PHASE_PAUSE);
        assertThat(pause.pause()).isEqualTo(Duration.ZERO);
        assertThat(pause.heapBefore()).isEqualTo(GcCycle.UNKNOWN);
        assertThat(pause.heapAfter()).isEqualTo(GcCycle.UNKNOWN);
        assertThat(pause.heapCommitted()).isEqualTo(GcCycle.UNKNOWN);
        assertThat(pause.pools()).isEmpty();

        GcCycle cycle = GcNotifications.cycle(2, "ZGC Major Cycles", "end of GC cycle", "System.gc()", 2959, 211,
                Map.of("ZGC Young Generation", usage(34, 118, 128), "ZGC Old Generation", usage(12, 12, 128)),
                Map.of("ZGC Young Generation", usage(4, 124, 128), "ZGC Old Generation", usage(6, 6, 128)),
                zPools, 128 * MB);
        assertThat(cycle.kind()).isEqualTo(GcCycle.Kind.CONCURRENT);
        assertThat(cycle.pause()).isNull();
        assertThat(cycle.concurrent()).isEqualTo(Duration.ofMillis(211));
        assertThat(cycle.heapBefore()).isEqualTo(46 * MB);
        assertThat(cycle.heapAfter()).isEqualTo(10 * MB);
        assertThat(cycle.heapCommitted()).isEqualTo(130 * MB);
    }

    @Test
    void poolMissingBeforeCountsAsUnchanged() {
        GcCycle c = GcNotifications.cycle(1, "Copy", "end of minor GC", "Allocation Failure", 10, 1,
                Map.of(), Map.of("Eden Space", usage(0, 17, 17), "Tenured Gen", usage(5, 44, 44)),
                Set.of("Eden Space", "Survivor Space", "Tenured Gen"), GcCycle.UNKNOWN);
        assertThat(c.heapBefore()).isEqualTo(5 * MB);
        assertThat(c.heapAfter()).isEqualTo(5 * MB);
        assertThat(c.heapMax()).isEqualTo(GcCycle.UNKNOWN);
    }

    /**
     * Calls {@code System.gc()} {@code times} times, each time waiting until the listener has released the
     * semaphore for the whole-heap collection it caused.
     */
    private static void systemGc(int times, Semaphore collected) throws InterruptedException {
        for (int i = 0; i < times; i++) {
            System.gc();
            assertThat(collected.tryAcquire(120, TimeUnit.SECONDS)).as("System.gc() collection reported").isTrue();
        }
    }

    private static boolean isSystemGc(GcCycle c) {
        return "System.gc()".equals(c.cause()) && c.kind() != GcCycle.Kind.PHASE_PAUSE;
    }

    @Test
    void liveCollectionsAreNumberedDeliveredAndKept() throws Exception {
        List<GcCycle> delivered = new CopyOnWriteArrayList<>();
        Semaphore collected = new Semaphore(0);
        try (GcNotifications gc = GcNotifications.start(c -> {
            delivered.add(c);
            if (isSystemGc(c)) {
                collected.release();
            }
        }, 2, null)) {
            assertThat(gc.collectors()).isNotEmpty();
            systemGc(3, collected);
            GcCycle c = delivered.stream().filter(GcNotificationsTest::isSystemGc).findFirst().orElseThrow();
            assertThat(gc.collectors()).contains(c.collector());
            assertThat(c.heapAfterKnown()).isTrue();
            assertThat(c.heapMax()).isEqualTo(Runtime.getRuntime().maxMemory());
            assertThat(c.heapCommitted()).isGreaterThanOrEqualTo(c.heapAfter());
            assertThat(c.pools()).isNotEmpty();
            assertThat(c.pause() != null || c.concurrent() != null).isTrue();
            assertThat(c.start()).isLessThanOrEqualTo(Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()));
            // numbered 1, 2, 3, ... in arrival order
            List<GcCycle> all = List.copyOf(delivered);
            assertThat(all).hasSizeGreaterThanOrEqualTo(3);
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).number()).isEqualTo(i + 1);
            }
            // the ring keeps the last 2, consecutive, at least as recent as what was delivered
            List<GcCycle> recent = gc.recent();
            assertThat(recent).hasSize(2);
            assertThat(recent.get(1).number()).isEqualTo(recent.get(0).number() + 1);
            assertThat(recent.get(1).number()).isGreaterThanOrEqualTo(all.get(all.size() - 1).number());
            assertThat(gc.count()).isGreaterThanOrEqualTo(all.size());
            assertThat(gc.trend()).isNotNull();
            assertThat(gc.failures()).isZero();
            assertThat(gc.firstFailure()).isNull();
        }
    }

    @Test
    void failuresNeverReachTheNotificationThreadAndAreReportedOnce() throws Exception {
        AtomicInteger handed = new AtomicInteger();
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        Semaphore collected = new Semaphore(0);
        try (GcNotifications failing = GcNotifications.start(c -> {
            throw new IllegalStateException("consumer broke on " + c.number());
        }, 8, e -> {
            handed.incrementAndGet();
            seen.add(e);
            throw new RuntimeException("and so did the failure handler");
        }); GcNotifications witness = GcNotifications.start(c -> {
            if (isSystemGc(c)) {
                collected.release();
            }
        })) {
            systemGc(2, collected);
            // the witness listens after the failing one, on the same thread: the failing one saw both too
            assertThat(failing.failures()).isGreaterThanOrEqualTo(2);
            // every collection failed; read when no notification is half handled (a young collection may be:
            // its number is counted before its consumer fails)
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(failing.count()).isEqualTo(failing.failures()));
            assertThat(failing.recent()).isNotEmpty();                  // kept although the consumer failed
            assertThat(handed.get()).isEqualTo(1);
            assertThat(seen.get(0)).isSameAs(failing.firstFailure()).hasMessageStartingWith("consumer broke on ");
            assertThat(witness.failures()).isZero();
        }
    }

    @Test
    void closeRemovesTheListeners() throws Exception {
        List<GcCycle> afterClose = new CopyOnWriteArrayList<>();
        boolean[] closed = {false};
        GcNotifications closing = GcNotifications.start(c -> {
            if (closed[0]) {
                afterClose.add(c);
            }
        });
        closing.close();
        closed[0] = true;
        closing.close();                                                // idempotent
        long count = closing.count();
        Semaphore collected = new Semaphore(0);
        try (GcNotifications witness = GcNotifications.start(c -> {
            if (isSystemGc(c)) {
                collected.release();
            }
        })) {
            systemGc(1, collected);
        }
        assertThat(afterClose).isEmpty();
        assertThat(closing.count()).isEqualTo(count);
    }

    @Test
    void rejectsZeroCapacity() {
        assertThatThrownBy(() -> GcNotifications.start(null, 0, null)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- every collector, in child JVMs ----

    private static final Pattern LINE = Pattern.compile(
            "gc (\\d+) @(\\d+\\.\\d{3})s (.+?)(?: \\((.+?)\\))? (minor|mixed|major|concurrent|phase pause|other): "
                    + "(.+), (?:(\\d+)->(\\d+)->(\\d+) MB|heap sizes not logged|[^;?]+ unknown\\))"
                    + "(?:, (\\d+) MB max)?(?:; (.+))?");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "-XX:+UseSerialGC,     MarkSweepCompact",
            "-XX:+UseParallelGC,   PS MarkSweep",
            "-XX:+UseG1GC,         G1 Old Generation",
            "-XX:+UseZGC,          ZGC Major Cycles",
            "-XX:+UseShenandoahGC, Shenandoah Cycles"})
    void everyCollectorPrintsGctraceLines(String flag, String fullCollector) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = Files.createTempFile("leakhound-gc-", ".txt");
        try {
            List<String> cmd = List.of(java.toString(), flag, "-Xmx64m", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), GcProbe.class.getName(), "3");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("child JVM did not finish: " + Files.readString(out));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            Assumptions.assumeFalse(p.exitValue() != 0 && text.contains("Unrecognized VM option"),
                    flag + " is not supported by this JVM");
            assertThat(p.exitValue()).as(text).isZero();
            assertThat(text).as(text).contains("done true failures 0").doesNotContain("Exception");

            List<Matcher> lines = new ArrayList<>();
            for (String l : text.lines().toList()) {
                if (l.startsWith("gc ")) {
                    Matcher m = LINE.matcher(l);
                    assertThat(m.matches()).as("gctrace line: " + l).isTrue();
                    lines.add(m);
                }
            }
            assertThat(lines).isNotEmpty();
            // numbered 1, 2, 3, ... with no gap, starting times in order per collector
            for (int i = 0; i < lines.size(); i++) {
                assertThat(Long.parseLong(lines.get(i).group(1))).isEqualTo(i + 1);
            }
            List<Matcher> full = lines.stream()
                    .filter(m -> m.group(3).equals(fullCollector) && "System.gc()".equals(m.group(4))).toList();
            assertThat(full).as(text).hasSizeGreaterThanOrEqualTo(3);
            for (Matcher m : full) {
                assertThat(m.group(5)).isIn("major", "concurrent");
                assertThat(m.group(7)).isNotNull();                    // heap before, after, committed known
                assertThat(m.group(8)).isNotNull();
                assertThat(Long.parseLong(m.group(9))).isPositive();
                assertThat(m.group(10)).isNotNull();                   // max known: -Xmx64m
                assertThat(Long.parseLong(m.group(10))).isBetween(50L, 64L);
                assertThat(m.group(11)).startsWith("heap after GC");
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}

package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.testing.OlderJdk;
import dev.leakhound.testing.gc.GcCycles;
import dev.leakhound.testing.gc.GcLogRuns.Collector;
import dev.leakhound.testing.gc.GcLogRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * GC logs of real runs of an older JDK (17 on these machines; skipped where there is none): its ZGC is the
 * non-generational one (JDK 11-23), its log lines and tags differ from JDK 25's. Each collector it has runs the
 * workload leaking and not; the two must be told apart.
 */
@Timeout(300)
class GcLogOlderJdkTest {

    @TempDir
    static Path dir;

    private record Run(GcLog leaking, GcLog steady) {
    }

    private static final Map<String, Run> RUNS = new LinkedHashMap<>();
    /** Decorations varied by collector: without tags (G1's marking phases then look like Shenandoah's), wall clock. */
    private static final Map<String, String> DECORATIONS = Map.of("G1", "uptimemillis", "Parallel", "time,level,tags",
            "Shenandoah", "uptimenanos,tid");
    private static OlderJdk.Jdk jdk;

    @BeforeAll
    static void runTheCollectors() throws Exception {
        jdk = OlderJdk.require();
        Path source = Path.of("src/test/java/dev/leakhound/testing/gc/GcWorkload.java").toAbsolutePath();
        assumeTrue(Files.isRegularFile(source), "the workload's source is not at " + source);
        for (Collector c : GcLogRuns.collectors()) {
            if (!GcLogRuns.available(jdk.java(), c)) {
                continue;
            }
            GcLog[] logs = new GcLog[2];
            for (int i = 0; i < 2; i++) {
                boolean leak = i == 0;
                Path file = dir.resolve(c.name() + (leak ? "-leak" : "-steady") + ".log");
                GcLogRuns.runFromSource(dir, jdk.java(), source, c, leak,
                        List.of("-Xlog:gc*:file=" + file + ":" + DECORATIONS.getOrDefault(c.name(), "uptime,level,tags")));
                logs[i] = GcLogParser.parse(file);
            }
            RUNS.put(c.name(), new Run(logs[0], logs[1]));
        }
        assertThat(RUNS).containsKeys("G1", "Parallel", "Serial");
    }

    @Test
    void everyLogParsesIntoCyclesWithTheLiveHeapAfterEachSystemGc() {
        RUNS.forEach((name, run) -> {
            for (GcLog log : List.of(run.leaking(), run.steady())) {
                String what = "JDK " + jdk.feature() + " " + log.origin();
                assertThat(log.collector()).as(what).isEqualTo(name);
                assertThat(log.timed()).as(what).isTrue();
                // one old collection per System.gc() (Parallel of JDK 17 logs a young one before each, same cause)
                assertThat(log.cycles().stream().filter(c -> c.cause() != null && c.cause().contains("System.gc()")
                        && HeapTrend.collectsOld(c)))
                        .as(what).hasSize(12)
                        .allSatisfy(c -> assertThat(c.heapAfterKnown()).isTrue());
            }
        });
    }

    @Test
    void theLeakingRunIsToldApartFromTheOtherForEveryCollector() {
        RUNS.forEach((name, run) -> {
            // the rounds' collections at an even pace: how fast the child ran is the machine's load, not the leak's
            GcCycles.assertToldApart("JDK " + jdk.feature() + " " + name, run.leaking(), run.steady());
        });
    }

    @Test
    void theOlderZgcIsTheNonGenerationalOne() {
        assumeTrue(RUNS.containsKey("ZGC"), "this older JDK has no ZGC");
        GcLog log = RUNS.get("ZGC").leaking();
        assertThat(log.cycles()).as(log.origin()).isNotEmpty()
                .allSatisfy(c -> assertThat(c.collector()).startsWith("ZGC "));
        // its concurrent phases are gc+phases lines: their sum is the collection's concurrent time (of every
        // collection that ended: the JVM may exit inside one)
        assertThat(log.cycles()).filteredOn(GcCycle::heapAfterKnown).as(log.origin()).hasSizeGreaterThan(12)
                .allSatisfy(c -> assertThat(c.concurrent()).isNotNull().isPositive());
        assertThat(log.heapMax()).as(log.origin()).isEqualTo(128L << 20);
    }
}

package dev.leakhound.gc.parse;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * GC logs of real runs of a JDK 21 (skipped where there is none, see {@link OlderJdk#require21()}): every collector
 * it has, ZGC both non-generational (its default on 21) and generational ({@code -XX:+ZGenerational}, new in 21),
 * Shenandoah where the build has it. Each runs the workload leaking and not; the two must be told apart. The logs of
 * one such run are committed ({@code gc/jdk21/}, see {@link GcLogJdk21FixturesTest}).
 */
@Timeout(400)
class GcLogJdk21Test {

    @TempDir
    static Path dir;

    /** One run's settings: the collector, the options beside it, and the collector name the log must give. */
    record Setting(Collector collector, List<String> options, String logged) {
    }

    /** The collectors of JDK 21, keyed by the name of their committed fixture. */
    static Map<String, Setting> settings() {
        Map<String, Setting> s = new LinkedHashMap<>();
        for (String name : List.of("G1", "Parallel", "Serial")) {
            s.put(name, new Setting(Collector.stopTheWorld(name), List.of(), name));
        }
        s.put("ZGC", new Setting(Collector.concurrent("ZGC", "-XX:+UseZGC"), List.of("-XX:-ZGenerational"), "ZGC"));
        s.put("ZGC-generational", new Setting(Collector.concurrent("ZGC-generational", "-XX:+UseZGC"),
                List.of("-XX:+ZGenerational"), "ZGC"));
        s.put("Shenandoah", new Setting(Collector.concurrent("Shenandoah", "-XX:+UseShenandoahGC"), List.of(),
                "Shenandoah"));
        return s;
    }

    private record Run(Setting setting, GcLog leaking, GcLog steady) {
    }

    private static final Map<String, Run> RUNS = new LinkedHashMap<>();
    private static OlderJdk.Jdk jdk;

    @BeforeAll
    static void runTheCollectors() throws Exception {
        jdk = OlderJdk.require21();
        Path source = Path.of("src/test/java/dev/leakhound/testing/gc/GcWorkload.java").toAbsolutePath();
        assumeTrue(Files.isRegularFile(source), "the workload's source is not at " + source);
        for (Map.Entry<String, Setting> e : settings().entrySet()) {
            Setting s = e.getValue();
            if (!GcLogRuns.available(jdk.java(), s.collector())) {
                assertThat(e.getKey()).as("only Shenandoah may be missing from a JDK 21").isEqualTo("Shenandoah");
                continue;
            }
            GcLog[] logs = new GcLog[2];
            for (int i = 0; i < 2; i++) {
                boolean leak = i == 0;
                Path file = dir.resolve(e.getKey() + (leak ? "-leak" : "-steady") + ".log");
                List<String> options = new ArrayList<>(s.options());
                options.add("-Xlog:gc*:file=" + file + ":uptime,level,tags");
                GcLogRuns.runFromSource(dir, jdk.java(), source, s.collector(), leak, options);
                logs[i] = GcLogParser.parse(file);
            }
            RUNS.put(e.getKey(), new Run(s, logs[0], logs[1]));
        }
        assertThat(RUNS).containsKeys("G1", "Parallel", "Serial", "ZGC", "ZGC-generational");
    }

    @Test
    void everyLogParsesIntoCyclesWithTheLiveHeapAfterEachSystemGc() {
        RUNS.forEach((name, run) -> {
            for (GcLog log : List.of(run.leaking(), run.steady())) {
                check(log, run.setting(), "JDK " + jdk.feature() + " " + name + " " + log.origin());
            }
        });
    }

    /** A log of the workload: its collector, times, one old collection with the heap after per System.gc(). */
    static void check(GcLog log, Setting s, String what) {
        assertThat(log.collector()).as(what).isEqualTo(s.logged());
        assertThat(log.timed()).as(what).isTrue();
        assertThat(log.cycles()).as(what).isNotEmpty()
                .allSatisfy(c -> assertThat(c.collector()).startsWith(s.logged() + " "));
        assertThat(log.cycles().stream().filter(c -> c.cause() != null && c.cause().contains("System.gc()")
                && HeapTrend.collectsOld(c)))
                .as(what).hasSize(12)
                .allSatisfy(c -> assertThat(c.heapAfterKnown()).isTrue());
        assertThat(log.heapMax()).as(what).isEqualTo(s.collector().heapMb() * 1024L * 1024);
    }

    @Test
    void theLeakingRunIsToldApartFromTheOtherForEveryCollector() {
        RUNS.forEach((name, run) -> {
            // the rounds' collections at an even pace: how fast the child ran is the machine's load, not the leak's
            GcCycles.assertToldApart("JDK " + jdk.feature() + " " + name, run.leaking(), run.steady());
        });
    }

    @Test
    void generationalAndNonGenerationalZgcAreToldApart() {
        checkZgcKinds(RUNS.get("ZGC").leaking(), RUNS.get("ZGC-generational").leaking());
    }

    /** Non-generational ZGC logs "Garbage Collection" cycles; generational ZGC's are major (and minor) ones. */
    static void checkZgcKinds(GcLog old, GcLog generational) {
        assertThat(old.cycles()).as(old.origin()).isNotEmpty()
                .allSatisfy(c -> assertThat(c.collector()).isEqualTo("ZGC Garbage Collection"));
        assertThat(generational.cycles()).as(generational.origin())
                .anySatisfy(c -> assertThat(c.collector()).isEqualTo("ZGC Major Collection"))
                .noneSatisfy(c -> assertThat(c.collector()).isEqualTo("ZGC Garbage Collection"));
    }
}

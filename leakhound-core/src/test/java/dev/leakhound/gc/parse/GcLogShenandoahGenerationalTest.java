package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.gc.report.GcTrace;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generational Shenandoah's old cycles, on two logs a real JDK 25 (Temurin 25.0.3) wrote
 * ({@code -XX:+UseShenandoahGC -XX:ShenandoahGCMode=generational -Xmx256m -Xlog:gc}, committed gzipped under
 * {@code gc/jdk25/}): a program that allocates without pause for 25 s and, in the leaking run, keeps 2 KB of every
 * 4 MB it allocates. No {@code System.gc()}: every old cycle is one the collector started itself
 * ({@code Trigger (Old): Old has overgrown, live at end of previous OLD marking: ...}); the old marking runs inside
 * the id of the young cycle that bootstraps it, and {@code Coalescing and filling (Old)} ends it under an id of its own.
 */
class GcLogShenandoahGenerationalTest {

    private static GcLog log(String run) throws Exception {
        URL url = GcLogShenandoahGenerationalTest.class.getResource(
                "/gc/jdk25/Shenandoah-generational-old-" + run + ".log.gz");
        assertThat(url).as("fixture " + run).isNotNull();
        return GcLogParser.parse(Path.of(url.toURI()));
    }

    @Test
    void oldCyclesAreOldAndTheirLiveSizeTellsTheLeakApart() throws Exception {
        GcLog leaking = log("leak");
        GcLog steady = log("steady");
        for (GcLog log : new GcLog[] {leaking, steady}) {
            assertThat(log.collector()).isEqualTo("Shenandoah");
            // old marking inside a young cycle's id makes it an old cycle, and coalescing is one too
            assertThat(log.cycles()).filteredOn(c -> c.collector().equals("Shenandoah Old Cycle"))
                    .as(log.origin()).hasSizeGreaterThan(10)
                    .anySatisfy(c -> assertThat(c.cause()).startsWith("Old has overgrown"))
                    .anySatisfy(c -> assertThat(c.cause()).isEqualTo("Resume preparing to mark old"))
                    .allSatisfy(c -> assertThat(c.kind()).isEqualTo(GcCycle.Kind.CONCURRENT));
            assertThat(log.cycles()).filteredOn(c -> c.collector().equals("Shenandoah Old Cycle") && c.measuresHeap())
                    .as(log.origin()).hasSizeGreaterThan(HeapTrend.MIN_POINTS);
        }
        HeapTrend l = leaking.trend(HeapTrend.DEFAULT_WINDOW);
        HeapTrend s = steady.trend(HeapTrend.DEFAULT_WINDOW);
        String both = "leaking " + GcTrace.verdict(l) + "; steady " + GcTrace.verdict(s);
        assertThat(l.basis()).as(both).isEqualTo(HeapTrend.Basis.OLD_COLLECTIONS);
        assertThat(l.verdict()).as(both).isEqualTo(HeapTrend.Verdict.GROWING);
        assertThat(s.verdict()).as(both).isEqualTo(HeapTrend.Verdict.STABLE);
    }

    /** The heap-after of an old cycle is the live old generation the next old trigger reports. */
    @Test
    void anOldCyclesHeapAfterIsTheLiveSizeTheNextTriggerReports() throws Exception {
        GcLog log = parse("""
                [1.451s][info][gc] Trigger (Old): Old has overgrown, live at end of previous OLD marking: 10240K, current usage: 19456K, percent growth: 90.0%
                [1.451s][info][gc] GC(5) Concurrent reset (Young) 0.056ms
                [1.451s][info][gc] GC(5) Pause Init Mark (Young) 0.022ms
                [1.456s][info][gc] GC(5) Concurrent marking (Young) 1.004ms
                [1.456s][info][gc] GC(5) Concurrent cleanup (Young) 80M->45M(160M) 0.013ms
                [1.461s][info][gc] GC(5) Concurrent cleanup (Young) 78M->77M(160M) 0.010ms
                [1.468s][info][gc] GC(5) Concurrent marking (Old) 7.107ms
                [1.468s][info][gc] GC(5) Pause Final Mark (Old) 0.060ms
                [1.468s][info][gc] GC(5) Concurrent cleanup (Old) 91M->91M(160M) 0.007ms
                [1.499s][info][gc] Trigger (Old): Resume preparing to mark old
                [1.500s][info][gc] GC(7) Coalescing and filling (Old) 0.475ms
                [1.510s][info][gc] Trigger (Young): Free (10752K) is below minimum threshold (16383K)
                [1.511s][info][gc] GC(8) Concurrent cleanup (Young) 120M->50M(160M) 0.010ms
                [4.194s][info][gc] Trigger (Old): Old has overgrown, live at end of previous OLD marking: 19140K, current usage: 24012K, percent growth: 25.5%
                [4.211s][info][gc] GC(99) Concurrent marking (Old) 14.010ms
                [4.212s][info][gc] GC(99) Concurrent cleanup (Old) 151M->147M(160M) 0.012ms
                """);
        assertThat(log.cycles()).extracting(GcCycle::collector).containsExactly("Shenandoah Old Cycle",
                "Shenandoah Old Cycle", "Shenandoah Young Cycle", "Shenandoah Old Cycle");
        assertThat(log.cycles().get(0).heapAfter()).isEqualTo(19140L * 1024);
        assertThat(log.cycles().get(0).concurrent()).isNotNull();
        assertThat(log.cycles().get(1).concurrent()).isEqualTo(java.time.Duration.ofNanos(475_000));
        assertThat(log.cycles().get(1).heapAfterKnown()).isFalse();
        assertThat(log.cycles().get(2).heapAfter()).isEqualTo(50L << 20);
        assertThat(log.cycles().get(3).heapAfterKnown()).isFalse();   // no later trigger: not a measure
    }

    private static GcLog parse(String text) throws java.io.IOException {
        return GcLogParser.parse(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                "test.log");
    }
}

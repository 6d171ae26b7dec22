package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.gc.report.GcTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.leakhound.testing.gc.GcCycles.MB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * GC logs of JDK 8 and before ({@code -XX:+PrintGCDetails}, {@code -verbose:gc}), under {@code gc/jdk8/}: this
 * project's own logs (no JDK 8 here), line for line in the forms real JDK 8 logs take (header and
 * {@code CommandLine flags}, date and uptime stamps, {@code -XX:+PrintGCID}, G1's multi-line details with its
 * ergonomics inside the brackets, CMS's concurrent phases written into a young collection), of a program whose 12
 * rounds each end with {@code System.gc()}, leaking 2 MB a round or not.
 */
class GcLogLegacyTest {

    private static Path fixture(String name) throws Exception {
        URL url = GcLogLegacyTest.class.getResource("/gc/jdk8/" + name);
        assertThat(url).as("fixture " + name).isNotNull();
        return Path.of(url.toURI());
    }

    private static GcLog parse(String text) throws IOException {
        return GcLogParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test.log");
    }

    @ParameterizedTest
    @CsvSource({"Parallel, Parallel, 134217728", "Serial, Serial, 134217728", "CMS, CMS, 134217728",
            "G1, G1, 134217728", "G1-printgc, G1, -1", "verbosegc-jdk7, , -1"})
    void everyCollectorIsReadAndTheLeakIsToldApart(String name, String collector, long max) throws Exception {
        GcLog leaking = GcLogParser.parse(fixture(name + "-leak.log"));
        GcLog steady = GcLogParser.parse(fixture(name + "-steady.log"));
        for (GcLog log : new GcLog[] {leaking, steady}) {
            assertThat(log.collector()).as(log.origin()).isEqualTo(collector);
            assertThat(log.heapMax()).as(log.origin()).isEqualTo(max);
            assertThat(log.timed()).as(log.origin()).isTrue();
            assertThat(log.uptime()).as(log.origin()).isTrue();
            assertThat(log.cycles()).as(log.origin())
                    .filteredOn(c -> c.kind() == GcCycle.Kind.MAJOR).hasSize(12)
                    .allSatisfy(c -> {
                        assertThat(c.heapAfterKnown()).isTrue();
                        assertThat(c.collector()).endsWith("Pause Full");
                    });
            assertThat(log.cycles()).as(log.origin()).filteredOn(c -> c.kind() == GcCycle.Kind.MINOR).hasSizeGreaterThan(30)
                    .allSatisfy(c -> assertThat(c.heapAfterKnown()).isTrue());
            assertThat(log.cycles()).as(log.origin()).allSatisfy(c -> assertThat(c.pause()).isNotNull());
        }
        HeapTrend l = leaking.trend(HeapTrend.DEFAULT_WINDOW);
        HeapTrend s = steady.trend(HeapTrend.DEFAULT_WINDOW);
        String both = name + ": leaking " + GcTrace.verdict(l) + "; steady " + GcTrace.verdict(s);
        assertThat(l.basis()).as(both).isEqualTo(HeapTrend.Basis.OLD_COLLECTIONS);
        assertThat(l.verdict()).as(both).isEqualTo(HeapTrend.Verdict.GROWING);
        assertThat(s.verdict()).as(both).isEqualTo(HeapTrend.Verdict.STABLE);
    }

    @Test
    void parallelWithDateAndUptimeStamps() throws IOException {
        GcLog log = parse("""
                CommandLine flags: -XX:InitialHeapSize=268435456 -XX:MaxHeapSize=4294967296 -XX:+PrintGC -XX:+PrintGCDateStamps -XX:+PrintGCDetails -XX:+PrintGCTimeStamps -XX:+UseParallelGC
                2024-06-01T10:00:01.250+0200: 1.250: [GC (Allocation Failure) [PSYoungGen: 65536K->10720K(76288K)] 65536K->15000K(251392K), 0.0123456 secs] [Times: user=0.03 sys=0.01, real=0.01 secs]\s
                2024-06-01T10:00:03.500+0200: 3.500: [Full GC (Ergonomics) [PSYoungGen: 10720K->0K(76288K)] [ParOldGen: 150000K->120000K(175104K)] 160720K->120000K(251392K), [Metaspace: 3000K->3000K(1056768K)], 0.2500000 secs] [Times: user=0.50 sys=0.00, real=0.25 secs]\s
                """);
        assertThat(log.collector()).isEqualTo("Parallel");
        assertThat(log.heapMax()).isEqualTo(4096 * MB);
        assertThat(log.cycles()).extracting(GcCycle::collector).containsExactly("Parallel Pause Young", "Parallel Pause Full");
        GcCycle young = log.cycles().get(0);
        assertThat(young.number()).isEqualTo(1);
        assertThat(young.start()).isEqualTo(Duration.ofMillis(1250));
        assertThat(young.cause()).isEqualTo("Allocation Failure");
        assertThat(young.heapBefore()).isEqualTo(65536 * 1024L);
        assertThat(young.heapAfter()).isEqualTo(15000 * 1024L);              // the whole heap's, not the young's
        assertThat(young.heapCommitted()).isEqualTo(251392 * 1024L);
        assertThat(young.pause()).isEqualTo(Duration.ofNanos(12_345_600));
        GcCycle full = log.cycles().get(1);
        assertThat(full.kind()).isEqualTo(GcCycle.Kind.MAJOR);
        assertThat(full.cause()).isEqualTo("Ergonomics");
        assertThat(full.heapAfter()).isEqualTo(120000 * 1024L);
    }

    /** {@code -XX:+PrintGCDateStamps} alone: times from the first date; a promotion failure collects the old generation. */
    @Test
    void dateStampsOnlyAndAPromotionFailureIsAFullCollection() throws IOException {
        GcLog log = parse("""
                2024-06-01T10:00:01.000+0000: [GC (Allocation Failure) 2024-06-01T10:00:01.000+0000: [DefNew: 39288K->39288K(39296K), 0.0000433 secs]2024-06-01T10:00:01.000+0000: [Tenured: 73101K->87000K(87424K), 0.0139462 secs] 112389K->87000K(126720K), [Metaspace: 2673K->2673K(1056768K)], 0.0140935 secs] [Times: user=0.01 sys=0.01, real=0.02 secs]
                2024-06-01T10:00:03.500+0000: [GC (Allocation Failure) 2024-06-01T10:00:03.500+0000: [DefNew: 34662K->4352K(39296K), 0.0082968 secs] 121662K->91352K(126720K), 0.0083793 secs] [Times: user=0.01 sys=0.00, real=0.01 secs]
                """);
        assertThat(log.collector()).isEqualTo("Serial");
        assertThat(log.timed()).isTrue();
        assertThat(log.uptime()).isFalse();
        assertThat(log.cycles()).extracting(GcCycle::start).containsExactly(Duration.ZERO, Duration.ofMillis(2500));
        assertThat(log.cycles()).extracting(GcCycle::kind).containsExactly(GcCycle.Kind.MAJOR, GcCycle.Kind.MINOR);
        assertThat(log.cycles().get(0).heapAfter()).isEqualTo(87000 * 1024L);
    }

    @Test
    void g1DetailsGiveTheSizesOnTheHeapLine() throws Exception {
        GcLog log = GcLogParser.parse(fixture("G1-leak.log"));
        GcCycle first = log.cycles().get(0);
        assertThat(first.collector()).isEqualTo("G1 Pause Young");
        assertThat(first.cause()).isEqualTo("G1 Evacuation Pause");
        assertThat(first.heapBefore()).isEqualTo(30 * MB);
        assertThat(first.heapAfter()).isEqualTo(Math.round(6.5 * MB));
        assertThat(first.heapCommitted()).isEqualTo(64 * MB);
        assertThat(first.pause()).isEqualTo(Duration.ofNanos(5_278_800));
        assertThat(log.cycles()).extracting(GcCycle::collector).contains("G1 Pause Mixed", "G1 Pause Remark",
                "G1 Pause Cleanup");
        assertThat(log.cycles()).filteredOn(c -> c.collector().equals("G1 Pause Remark"))
                .allSatisfy(c -> assertThat(c.kind()).isEqualTo(GcCycle.Kind.PHASE_PAUSE));
    }

    /** CMS: a young collection with a concurrent phase written into its brackets; the background cycle's pauses. */
    @Test
    void cmsWithGcIdsAndConcurrentPhasesInsideAYoungCollection() throws Exception {
        GcLog log = GcLogParser.parse(fixture("CMS-leak.log"));
        assertThat(log.cycles()).filteredOn(c -> c.cause() != null && c.cause().startsWith("CMS "))
                .extracting(GcCycle::collector).startsWith("CMS Pause Initial Mark", "CMS Pause Remark")
                .hasSize(6);
        assertThat(log.cycles()).filteredOn(c -> c.collector().equals("CMS Pause Young"))
                .anySatisfy(c -> {
                    assertThat(c.heapBefore()).isEqualTo(43784 * 1024L);
                    assertThat(c.heapAfter()).isEqualTo(13924 * 1024L);
                    assertThat(c.pause()).isEqualTo(Duration.ofNanos(6_200_000));
                });
        assertThat(log.cycles().get(0).number()).isEqualTo(1);                  // #0: GC ids, 1-based
        assertThat(log.cycles()).extracting(GcCycle::number).endsWith(54L);               // #53: the last
    }

    @Test
    void unreadableFormatsAreNamed() throws IOException {
        assertThatThrownBy(() -> parse("""
                <?xml version="1.0" ?>
                <verbosegc xmlns="http://www.ibm.com/j9/verbosegc" version="R28_jvm.28">
                <gc-op id="6" type="scavenge" timems="0.998" contextid="3" timestamp="2024-06-01T10:00:01.000">
                """)).isInstanceOf(GcLogParseException.class)
                .hasMessageStartingWith("no GC cycles found in test.log (3 lines read; ")
                .hasMessageContaining("it looks like an IBM J9 / OpenJ9 verbose GC log (XML), which is not read");
        assertThatThrownBy(() -> parse("""
                2019-02-05T14:47:34.156-0200: 0.147: [Pause Init Mark, 0.460 ms]
                2019-02-05T14:47:34.157-0200: 0.148: [Concurrent marking 25M->25M(128M), 1.234 ms]
                """)).hasMessageContaining("Shenandoah's log of JDK 8");
        assertThatThrownBy(() -> parse("""
                2024-06-01 10:00:00
                Full thread dump OpenJDK 64-Bit Server VM (25.402-b06 mixed mode):
                """)).hasMessageContaining("a thread dump");
        assertThatThrownBy(() -> parse("""
                0.302: [GC concurrent-root-region-scan-start]
                0.302: [GC concurrent-root-region-scan-end, 0.0001729 secs]
                """)).hasMessageContaining("a JDK 8 GC log").hasMessageContaining("no collection in it gives the heap");
        assertThatThrownBy(() -> parse("""
                [0.010s][info][safepoint] Safepoint "Cleanup", Time since last: 1000 ns
                [0.020s][info][os,cpu] CPU: total 4
                """)).hasMessageContaining("unified logging without any GC(n)");
    }

    /** A collection cut off at the end of the file is left out; a record never closed does not swallow the next. */
    @Test
    void brokenRecordsAreLeftOut() throws IOException {
        GcLog log = parse("""
                1.000: [GC (Allocation Failure) [PSYoungGen: 65536K->10720K(76288K)] 65536K->15000K(251392K)
                2.000: [GC (Allocation Failure) [PSYoungGen: 65536K->10720K(76288K)] 70000K->16000K(251392K), 0.0100000 secs]
                3.000: [Full GC (System.gc()) [PSYoungGen: 10720K->0K(76288K)] [ParOldGen: 150000K->
                """);
        assertThat(log.cycles()).extracting(GcCycle::heapAfter).containsExactly(16000 * 1024L);
    }

    @Test
    void gzipLegacyLogs(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path gz = dir.resolve("gc.log.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(fixture("Parallel-leak.log")));
        }
        assertThat(GcLogParser.parse(gz).cycles()).hasSize(GcLogParser.parse(fixture("Parallel-leak.log")).cycles().size());
    }

    /** Brackets never closed, nested 60,000 deep, on 200,000 lines: read in linear time, then refused by name. */
    @Test
    void hostileBracketsEndQuickly() {
        StringBuilder text = new StringBuilder();
        text.append("1.000: [GC (Allocation Failure) ").append("[".repeat(60_000)).append('\n');
        for (int i = 0; i < 200_000; i++) {
            text.append(i % 2 == 0 ? "2.000: [GC (x) [PSYoungGen: 1K->2K(3K)] [[\n" : "[[[[ 1K->2K(3K)\n");
        }
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                assertThatThrownBy(() -> parse(text.toString())).isInstanceOf(GcLogParseException.class)
                        .hasMessageContaining("a JDK 8 GC log"));
    }
}

package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.leakhound.testing.gc.GcCycles.MB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unified-logging forms of collectors and JDKs not installed here, as other analyzers' fixtures show them (the
 * lines' shapes; the numbers are this test's own): CMS (JDK 9-13), G1 of JDK 9-11, JDK 9's start and end times,
 * and the non-generational ZGC's {@code gc+phases} and {@code gc+heap} lines (JDK 11-23; those as JDK 17 wrote them
 * here).
 */
class GcLogOtherFormsTest {

    private static GcLog parse(String text) throws IOException {
        return GcLogParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test.log");
    }

    private static final String CMS_CYCLE = """
            [0.300s][info][gc] GC(0) Pause Young (Allocation Failure) 40M->30M(160M) 7.500ms
            [0.600s][info][gc] GC(1) Pause Initial Mark 70M->70M(160M) 0.150ms
            [0.600s][info][gc] GC(1) Concurrent Mark
            [0.603s][info][gc] GC(1) Concurrent Mark 3.000ms
            [0.603s][info][gc] GC(1) Concurrent Preclean
            [0.603s][info][gc] GC(1) Concurrent Preclean 0.200ms
            [0.603s][info][gc] GC(1) Concurrent Abortable Preclean
            [0.610s][info][gc] GC(2) Pause Young (Allocation Failure) 100M->60M(160M) 3.000ms
            [0.620s][info][gc] GC(1) Concurrent Abortable Preclean 17.000ms
            [0.621s][info][gc] GC(1) Pause Remark 105M->105M(160M) 0.900ms
            [0.621s][info][gc] GC(1) Concurrent Sweep
            [0.622s][info][gc] GC(1) Concurrent Sweep 0.800ms
            [0.622s][info][gc] GC(1) Concurrent Reset
            [0.623s][info][gc] GC(1) Concurrent Reset 0.100ms
            [0.800s][info][gc] GC(3) Pause Full (Allocation Failure) 120M->30M(160M) 10.000ms
            """;

    private static void assertCmsCycle(GcCycle c) {
        assertThat(c.collector()).isEqualTo("CMS Concurrent Cycle");
        assertThat(c.kind()).isEqualTo(GcCycle.Kind.PHASE_PAUSE);    // its sizes are before the sweep: no trend
        assertThat(c.pause()).isEqualTo(Duration.ofNanos(1_050_000));
        // every concurrent phase, the sweep and reset after Remark included
        assertThat(c.concurrent()).isEqualTo(Duration.ofNanos(21_100_000));
        assertThat(c.start()).isEqualTo(Duration.ofNanos(599_850_000));
    }

    @Test
    void cmsWithItsHeader() throws IOException {
        GcLog log = parse("[0.021s][info][gc] Using Concurrent Mark Sweep\n" + CMS_CYCLE);
        assertThat(log.collector()).isEqualTo("CMS");
        assertThat(log.cycles()).extracting(GcCycle::collector).containsExactly("CMS Pause Young",
                "CMS Concurrent Cycle", "CMS Pause Young", "CMS Pause Full");
        assertThat(log.cycles()).extracting(GcCycle::kind).containsExactly(GcCycle.Kind.MINOR,
                GcCycle.Kind.PHASE_PAUSE, GcCycle.Kind.MINOR, GcCycle.Kind.MAJOR);
        assertCmsCycle(log.cycles().get(1));
        assertThat(log.cycles().get(3).heapAfter()).isEqualTo(30 * MB);
    }

    @Test
    void cmsWithoutItsHeaderIsNotTakenForG1() throws IOException {
        GcLog log = parse(CMS_CYCLE);
        assertThat(log.collector()).isEqualTo("CMS");
        assertCmsCycle(log.cycles().get(1));
        assertThat(log.cycles()).extracting(GcCycle::collector).noneMatch(n -> n.contains("G1"));
    }

    /** {@code -Xlog:gc*}: a young and a full collection start inside the CMS cycle; its sweep ends after them. */
    @Test
    void cmsWithTagsAndCollectionsInsideTheCycle() throws IOException {
        GcLog log = parse("""
                [0.019s][info][gc    ] Using Concurrent Mark Sweep
                [0.400s][info][gc,start     ] GC(7) Pause Initial Mark
                [0.400s][info][gc           ] GC(7) Pause Initial Mark 90M->90M(150M) 0.200ms
                [0.400s][info][gc,cpu       ] GC(7) User=0.00s Sys=0.00s Real=0.00s
                [0.400s][info][gc           ] GC(7) Concurrent Mark
                [0.403s][info][gc           ] GC(7) Concurrent Mark 3.000ms
                [0.403s][info][gc           ] GC(7) Concurrent Abortable Preclean
                [0.404s][info][gc           ] GC(7) Concurrent Abortable Preclean 1.000ms
                [0.404s][info][gc,start     ] GC(7) Pause Remark
                [0.405s][info][gc           ] GC(7) Pause Remark 128M->128M(150M) 1.000ms
                [0.405s][info][gc           ] GC(7) Concurrent Sweep
                [0.406s][info][gc,start     ] GC(8) Pause Young (Allocation Failure)
                [0.406s][info][gc,start     ] GC(9) Pause Full (Allocation Failure)
                [0.407s][info][gc           ] GC(7) Concurrent Sweep 2.000ms
                [0.407s][info][gc,phases,start] GC(9) Phase 1: Mark live objects
                [0.408s][info][gc,phases      ] GC(9) Phase 1: Mark live objects 1.200ms
                [0.416s][info][gc             ] GC(9) Pause Full (Allocation Failure) 120M->32M(150M) 10.000ms
                [0.416s][info][gc,heap        ] GC(8) ParNew: 47000K->0K(47936K)
                [0.416s][info][gc             ] GC(8) Pause Young (Allocation Failure) 120M->32M(150M) 10.100ms
                [0.416s][info][gc,heap        ] GC(7) Old: 86000K->34000K(106496K)
                """);
        assertThat(log.collector()).isEqualTo("CMS");
        assertThat(log.cycles()).extracting(GcCycle::collector).containsExactly("CMS Concurrent Cycle",
                "CMS Pause Young", "CMS Pause Full");
        GcCycle cycle = log.cycles().get(0);
        assertThat(cycle.pause()).isEqualTo(Duration.ofMillis(1).plusNanos(200_000));
        assertThat(cycle.concurrent()).isEqualTo(Duration.ofMillis(6));
        assertThat(log.cycles().get(2).kind()).isEqualTo(GcCycle.Kind.MAJOR);
        assertThat(log.cycles().get(2).heapAfter()).isEqualTo(32 * MB);
    }

    /** JDK 9-11's G1: {@code Pause Initial Mark}, {@code Pause Mixed}, and the marking cycle's {@code Concurrent Cycle}. */
    @Test
    void g1OfJdk9To11() throws IOException {
        GcLog log = parse("""
                [0.017s][info][gc] Using G1
                [0.210s][info][gc] GC(0) Pause Young (G1 Evacuation Pause) 15M->12M(128M) 6.000ms
                [0.300s][info][gc] GC(1) Pause Initial Mark (G1 Evacuation Pause) 81M->80M(128M) 6.100ms
                [0.300s][info][gc] GC(2) Concurrent Cycle
                [0.320s][info][gc] GC(3) To-space exhausted
                [0.320s][info][gc] GC(3) Pause Young (G1 Evacuation Pause) 110M->100M(128M) 2.200ms
                [0.325s][info][gc] GC(2) Pause Remark 105M->105M(128M) 0.800ms
                [0.340s][info][gc] GC(2) Pause Cleanup 104M->90M(128M) 0.100ms
                [0.341s][info][gc] GC(2) Concurrent Cycle 41.000ms
                [0.700s][info][gc] GC(4) Pause Mixed (G1 Evacuation Pause) 30M->28M(123M) 2.800ms
                """);
        assertThat(log.cycles()).extracting(GcCycle::collector).containsExactly("G1 Pause Young",
                "G1 Pause Initial Mark", "G1 Concurrent Mark Cycle", "G1 Pause Young", "G1 Pause Mixed");
        assertThat(log.cycles()).extracting(GcCycle::kind).containsExactly(GcCycle.Kind.MINOR, GcCycle.Kind.MINOR,
                GcCycle.Kind.PHASE_PAUSE, GcCycle.Kind.MINOR, GcCycle.Kind.MIXED);
        GcCycle marking = log.cycles().get(2);
        assertThat(marking.concurrent()).isEqualTo(Duration.ofMillis(41));        // the end line's duration
        assertThat(marking.pause()).isEqualTo(Duration.ofNanos(900_000));
        assertThat(marking.start()).isEqualTo(Duration.ofMillis(300));
    }

    /** JDK 9 wrote each collection's start and end uptime before its duration. */
    @Test
    void jdk9StartAndEndTimes() throws IOException {
        GcLog log = parse("""
                [0.072s][info   ][gc] Using Concurrent Mark Sweep
                [0.250s][info   ][gc,start] GC(0) Pause Young (Allocation Failure) (0.250s)
                [0.900s][info   ][gc      ] GC(0) Pause Young (Allocation Failure) 34M->21M(123M) (0.250s, 0.900s) 650.000ms
                """);
        GcCycle c = log.cycles().get(0);
        assertThat(c.collector()).isEqualTo("CMS Pause Young");
        assertThat(c.cause()).isEqualTo("Allocation Failure");
        assertThat(c.heapBefore()).isEqualTo(34 * MB);
        assertThat(c.heapAfter()).isEqualTo(21 * MB);
        assertThat(c.pause()).isEqualTo(Duration.ofMillis(650));
    }

    /** JDK 17's ZGC with {@code -Xlog:gc*} and no {@code gc+init} lines: phases on {@code gc+phases}, maximum on {@code gc+heap}. */
    @Test
    void nonGenerationalZgcConcurrentPhasesAndMaxCapacity() throws IOException {
        GcLog log = parse("""
                [0.061s][info][gc     ] Using The Z Garbage Collector
                [1.141s][info][gc,start    ] GC(3) Garbage Collection (System.gc())
                [1.142s][info][gc,phases   ] GC(3) Pause Mark Start 0.005ms
                [1.150s][info][gc,phases   ] GC(3) Concurrent Mark 8.659ms
                [1.150s][info][gc,phases   ] GC(3) Pause Mark End 0.011ms
                [1.150s][info][gc,phases   ] GC(3) Concurrent Mark Free 0.000ms
                [1.153s][info][gc,phases   ] GC(3) Concurrent Process Non-Strong References 2.199ms
                [1.153s][info][gc,phases   ] GC(3) Concurrent Reset Relocation Set 0.001ms
                [1.153s][info][gc,phases   ] GC(3) Concurrent Select Relocation Set 0.688ms
                [1.153s][info][gc,phases   ] GC(3) Pause Relocate Start 0.005ms
                [1.154s][info][gc,phases   ] GC(3) Concurrent Relocate 1.099ms
                [1.154s][info][gc,heap     ] GC(3) Min Capacity: 8M(6%)
                [1.154s][info][gc,heap     ] GC(3) Max Capacity: 128M(100%)
                [1.155s][info][gc,heap     ] GC(3) Soft Max Capacity: 128M(100%)
                [1.155s][info][gc,heap     ] GC(3)  Capacity:      128M (100%)        128M (100%)        128M (100%)        128M (100%)        128M (100%)        128M (100%)
                [1.155s][info][gc          ] GC(3) Garbage Collection (System.gc()) 28M(22%)->18M(14%)
                """);
        assertThat(log.heapMax()).isEqualTo(128 * MB);
        GcCycle c = log.cycles().get(0);
        assertThat(c.collector()).isEqualTo("ZGC Garbage Collection");
        assertThat(c.concurrent()).isEqualTo(Duration.ofNanos(8_659_000 + 2_199_000 + 1_000 + 688_000 + 1_099_000));
        assertThat(c.pause()).isEqualTo(Duration.ofNanos(21_000));
        assertThat(c.heapAfter()).isEqualTo(18 * MB);
    }

    /** JDK 11-14's ZGC gave the maximum only in its heap table ({@code Capacity ... (100%)}), phases untagged here. */
    @Test
    void zgcOfJdk11MaximumFromTheHeapTable() throws IOException {
        GcLog log = parse("""
                [0.500s] Using The Z Garbage Collector
                [1.205s] GC(0) Garbage Collection (Metadata GC Threshold)
                [1.206s] GC(0) Pause Mark Start 1.000ms
                [1.211s] GC(0) Concurrent Mark 5.000ms
                [1.212s] GC(0) Pause Mark End 0.500ms
                [1.216s] GC(0) Concurrent Select Relocation Set 4.000ms
                [1.218s] GC(0) Pause Relocate Start 0.500ms
                [1.221s] GC(0) Concurrent Relocate 3.000ms
                [1.221s] GC(0)  Capacity:     2048M (100%)       2048M (100%)       2048M (100%)       2048M (100%)       2048M (100%)       2048M (100%)
                [1.221s] GC(0) Garbage Collection (Metadata GC Threshold) 106M(5%)->88M(4%)
                """);
        assertThat(log.heapMax()).isEqualTo(2048 * MB);
        GcCycle c = log.cycles().get(0);
        assertThat(c.concurrent()).isEqualTo(Duration.ofMillis(12));
        assertThat(c.pause()).isEqualTo(Duration.ofMillis(2));
    }
}

package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.gc.report.GcTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static dev.leakhound.testing.gc.GcCycles.MB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The parser on lines as the JDK writes them (taken from JDK 17 and 25 logs), decorations and collectors varied. */
class GcLogParserTest {

    @TempDir
    Path dir;

    private static GcLog parse(String text) throws IOException {
        return GcLogParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test.log");
    }

    @Test
    void g1WithGcStarDecoratedWithUptimeTidLevelTags() throws IOException {
        GcLog log = parse("""
                [0.006s][10021][info][gc] Using G1
                [0.008s][10021][info][gc,init] Heap Region Size: 1M
                [0.008s][10021][info][gc,init] Heap Max Capacity: 512M
                [0.074s][10029][info][gc,start    ] GC(0) Pause Young (Normal) (G1 Evacuation Pause)
                [0.076s][10029][info][gc,phases   ] GC(0)   Evacuate Collection Set: 1.08ms
                [0.076s][10029][info][gc,heap     ] GC(0) Eden regions: 14->0(27)
                [0.076s][10029][info][gc,metaspace] GC(0) Metaspace: 79K(320K)->79K(320K) NonClass: 75K(192K)->75K(192K)
                [0.076s][10029][info][gc          ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 2.000ms
                [0.076s][10029][info][gc,cpu      ] GC(0) User=0.00s Sys=0.00s Real=0.00s
                [0.100s][10029][info][safepoint   ] Safepoint "G1CollectForAllocation", Time since last: 1 ns
                [0.200s][10029][info][gc          ] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 30.5M->6M(256M) 1.500ms
                [0.201s][10030][info][gc          ] GC(2) Concurrent Mark Cycle
                [0.202s][10030][info][gc,marking  ] GC(2) Concurrent Mark 1.000ms
                [0.210s][10029][info][gc          ] GC(2) Pause Remark 10M->9M(256M) 0.500ms
                [0.212s][10029][info][gc          ] GC(2) Pause Cleanup 9M->8M(256M) 0.100ms
                [0.230s][10030][info][gc          ] GC(2) Concurrent Mark Cycle 29.000ms
                [0.300s][10029][info][gc          ] GC(3) Pause Young (Mixed) (G1 Evacuation Pause) 40M->7M(256M) 3.000ms
                [0.400s][10029][info][gc          ] GC(4) Pause Full (System.gc()) 20M->5M(128M) 12.500ms
                """);

        assertThat(log.collector()).isEqualTo("G1");
        assertThat(log.heapMax()).isEqualTo(512 * MB);
        assertThat(log.timed()).isTrue();
        assertThat(log.uptime()).isTrue();
        assertThat(log.cycles()).extracting(GcCycle::number).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(log.cycles()).extracting(GcCycle::collector).containsExactly("G1 Pause Young (Normal)",
                "G1 Pause Young (Concurrent Start)", "G1 Concurrent Mark Cycle", "G1 Pause Young (Mixed)",
                "G1 Pause Full");
        assertThat(log.cycles()).extracting(GcCycle::kind).containsExactly(GcCycle.Kind.MINOR, GcCycle.Kind.MINOR,
                GcCycle.Kind.PHASE_PAUSE, GcCycle.Kind.MIXED, GcCycle.Kind.MAJOR);
        assertThat(log.cycles()).extracting(GcCycle::cause).containsExactly("G1 Evacuation Pause",
                "G1 Humongous Allocation", null, "G1 Evacuation Pause", "System.gc()");

        GcCycle young = log.cycles().get(0);
        assertThat(young.start()).isEqualTo(Duration.ofMillis(74));           // the gc,start line
        assertThat(young.pause()).isEqualTo(Duration.ofMillis(2));
        assertThat(young.concurrent()).isNull();
        assertThat(young.heapBefore()).isEqualTo(24 * MB);
        assertThat(young.heapAfter()).isEqualTo(4 * MB);
        assertThat(young.heapCommitted()).isEqualTo(256 * MB);
        assertThat(young.heapMax()).isEqualTo(512 * MB);
        assertThat(young.action()).isEqualTo("Pause Young (Normal) (G1 Evacuation Pause)");
        assertThat(GcTrace.line(young, (HeapTrend) null)).isEqualTo(
                "gc 1 @0.074s G1 Pause Young (Normal) (G1 Evacuation Pause) minor: 2 ms pause, 24->4->256 MB, 512 MB max");

        assertThat(log.cycles().get(1).heapBefore()).isEqualTo(Math.round(30.5 * MB));
        // the marking cycle: Remark and Cleanup paused, sizes from Remark's before to Cleanup's after
        GcCycle marking = log.cycles().get(2);
        assertThat(marking.pause()).isEqualTo(Duration.ofNanos(600_000));
        assertThat(marking.concurrent()).isEqualTo(Duration.ofMillis(29));
        assertThat(marking.start()).isEqualTo(Duration.ofMillis(201));
        assertThat(marking.heapBefore()).isEqualTo(10 * MB);
        assertThat(marking.heapAfter()).isEqualTo(8 * MB);
        assertThat(marking.measuresHeap()).isFalse();
    }

    @Test
    void parallelAndSerialWithDecorationsInAnyOrderAndNoTags() throws IOException {
        GcLog log = parse("""
                [2026-11-27T12:00:00.000+0000][1732708800000ms][4242][info] Using Parallel
                [2026-11-27T12:00:00.010+0000][1732708800010ms][4242][info] Heap Max Capacity: 1G
                [2026-11-27T12:00:01.000+0000][1732708801000ms][4242][info] GC(0) Pause Young (Allocation Failure) 100M->10M(300M) 5.000ms
                [2026-11-27T12:00:01.000+0000][1732708801000ms][4242][info] GC(0) PSYoungGen: 16384K(18944K)->2528K(18944K) Eden: 16384K(16384K)->0K(16384K)
                [2026-11-27T12:00:02.000+0000][1732708802000ms][4242][info] GC(1) Pause Full (Ergonomics) 200K->100K(1.5G) 1s
                """);

        assertThat(log.collector()).isEqualTo("Parallel");
        assertThat(log.heapMax()).isEqualTo(1024 * MB);
        assertThat(log.uptime()).isFalse();                  // wall-clock only: since the first line
        assertThat(log.cycles()).hasSize(2);
        GcCycle young = log.cycles().get(0);
        assertThat(young.collector()).isEqualTo("Parallel Pause Young");
        assertThat(young.kind()).isEqualTo(GcCycle.Kind.MINOR);
        assertThat(young.cause()).isEqualTo("Allocation Failure");
        assertThat(young.start()).isEqualTo(Duration.ofMillis(995));
        GcCycle full = log.cycles().get(1);
        assertThat(full.collector()).isEqualTo("Parallel Pause Full");
        assertThat(full.kind()).isEqualTo(GcCycle.Kind.MAJOR);
        assertThat(full.cause()).isEqualTo("Ergonomics");
        assertThat(full.heapBefore()).isEqualTo(200 * 1024);
        assertThat(full.heapCommitted()).isEqualTo(Math.round(1.5 * 1024 * MB));
        assertThat(full.pause()).isEqualTo(Duration.ofSeconds(1));
        assertThat(full.start()).isEqualTo(Duration.ofSeconds(1));

        GcLog serial = parse("""
                [12ms] Using Serial
                [13ms] Minimum heap 8388608  Initial heap 268435456  Maximum heap 4294967296
                [3000ms] GC(7) Pause Young (Allocation Failure) 17M->2M(61M) 1.730ms
                [4000000000ns] GC(8) Pause Full (Allocation Failure) 59M->44M(61M) 9.561ms
                """);
        assertThat(serial.cycles()).extracting(GcCycle::collector).containsExactly("Serial Pause Young", "Serial Pause Full");
        assertThat(serial.cycles()).extracting(GcCycle::number).containsExactly(8L, 9L);
        assertThat(serial.heapMax()).isEqualTo(4096 * MB);
        assertThat(serial.cycles().get(1).start()).isEqualTo(Duration.ofNanos(4_000_000_000L - 9_561_000));
    }

    @Test
    void zgcGenerationalWithPhasePausesAndJdk17ZgcWithoutDurations() throws IOException {
        GcLog log = parse("""
                [0.009s][info][gc,init] Max Capacity: 64M
                [0.009s][info][gc,init] Soft Max Capacity: 32M
                [0.039s][info][gc     ] Using The Z Garbage Collector
                [0.135s][info][gc          ] GC(0) Major Collection (Warmup)
                [0.138s][info][gc,phases   ] GC(0) Y: Pause Mark Start (Major) 0.030ms
                [0.145s][info][gc,phases   ] GC(0) Y: Concurrent Mark 7.258ms
                [0.145s][info][gc,phases   ] GC(0) Y: Pause Mark End 0.025ms
                [0.150s][info][gc,phases   ] GC(0) Y: Young Generation 20M(31%)->14M(22%) 0.002s
                [0.155s][info][gc,phases   ] GC(0) O: Pause Relocate Start 0.045ms
                [0.345s][info][gc          ] Allocation Stall (main) 0.428ms
                [0.156s][info][gc          ] GC(0) Major Collection (Warmup) 8M(12%)->32M(50%) 0.021s
                [0.160s][info][gc          ] GC(1) Minor Collection (Allocation Rate)
                [0.170s][info][gc          ] GC(1) Minor Collection (Allocation Rate) 120M(12%)->40M(4%) 0.010s
                [0.180s][info][gc          ] GC(2) Minor Collection (Allocation Rate) Aborted
                """);
        assertThat(log.collector()).isEqualTo("ZGC");
        assertThat(log.heapMax()).isEqualTo(64 * MB);
        assertThat(log.cycles()).hasSize(2);                        // the aborted one says nothing
        GcCycle major = log.cycles().get(0);
        assertThat(major.collector()).isEqualTo("ZGC Major Collection");
        assertThat(major.kind()).isEqualTo(GcCycle.Kind.CONCURRENT);
        assertThat(major.cause()).isEqualTo("Warmup");
        assertThat(major.pause()).isEqualTo(Duration.ofNanos(100_000));
        assertThat(major.concurrent()).isEqualTo(Duration.ofMillis(21));
        assertThat(major.heapBefore()).isEqualTo(8 * MB);
        assertThat(major.heapAfter()).isEqualTo(32 * MB);
        assertThat(major.heapCommitted()).isEqualTo(GcCycle.UNKNOWN);
        assertThat(major.start()).isEqualTo(Duration.ofMillis(135));
        assertThat(HeapTrend.collectsOld(major)).isTrue();
        GcCycle minor = log.cycles().get(1);
        assertThat(minor.collector()).isEqualTo("ZGC Minor Collection");
        assertThat(HeapTrend.collectsOld(minor)).isFalse();

        GcLog jdk17 = parse("""
                [2026-11-27T17:44:36.875+0000][31ms][11433][11434][info][gc     ] Using The Z Garbage Collector
                [2026-11-27T17:44:37.036+0000][192ms][11433][11438][info][gc     ] GC(0) Garbage Collection (Allocation Stall) 64M(100%)->14M(22%)
                """);
        assertThat(jdk17.cycles()).singleElement().satisfies(c -> {
            assertThat(c.collector()).isEqualTo("ZGC Garbage Collection");
            assertThat(c.pause()).isNull();
            assertThat(c.concurrent()).isNull();
            assertThat(c.heapAfter()).isEqualTo(14 * MB);
            assertThat(c.start()).isEqualTo(Duration.ofMillis(192));      // uptime preferred to wall-clock
        });
    }

    @Test
    void singleGenerationZgcOfJdk21SumsItsPhasePauses() throws IOException {
        GcLog log = parse("""
                [0.010s][info][gc,init] Max Capacity: 128M
                [0.021s][info][gc     ] Using The Z Garbage Collector
                [0.301s][info][gc,start    ] GC(0) Garbage Collection (Warmup)
                [0.302s][info][gc,phases   ] GC(0) Pause Mark Start 0.009ms
                [0.309s][info][gc,phases   ] GC(0) Concurrent Mark 6.512ms
                [0.309s][info][gc,phases   ] GC(0) Pause Mark End 0.021ms
                [0.311s][info][gc,phases   ] GC(0) Pause Relocate Start 0.010ms
                [0.318s][info][gc          ] GC(0) Garbage Collection (Warmup) 14M(11%)->10M(8%)
                """);
        assertThat(log.cycles()).singleElement().satisfies(c -> {
            assertThat(c.collector()).isEqualTo("ZGC Garbage Collection");
            assertThat(c.pause()).isEqualTo(Duration.ofNanos(40_000));          // 0.009 + 0.021 + 0.010 ms
            assertThat(c.heapAfter()).isEqualTo(10 * MB);
        });
    }

    @Test
    void shenandoahCyclesTriggersAndDegeneratedCollections() throws IOException {
        GcLog log = parse("""
                [0.008s][info][gc] Using Shenandoah
                [0.009s][info][gc,init] Heap Max Capacity: 64M
                [0.076s][info][gc] Trigger: Learning 1 of 5. Free (44850K) is below initial threshold (45875K)
                [0.076s][info][gc,start] GC(0) Concurrent reset (unload classes)
                [0.076s][info][gc] GC(0) Concurrent reset (unload classes) 0.047ms
                [0.076s][info][gc] GC(0) Pause Init Mark (unload classes) 0.057ms
                [0.084s][info][gc] GC(0) Concurrent marking (unload classes) 7.541ms
                [0.085s][info][gc] GC(0) Pause Final Mark (unload classes) 0.165ms
                [0.085s][info][gc] GC(0) Concurrent cleanup (unload classes) 22M->12M(64M) 0.022ms
                [0.108s][info][gc] GC(0) Concurrent evacuation 0.549ms
                [0.110s][info][gc] GC(0) Concurrent cleanup (unload classes) 19M->13M(64M) 0.024ms
                [0.284s][info][gc] GC(1) Cancel marking:
                [0.530s][info][gc] Trigger: Handle Allocation Failure
                [0.537s][info][gc] GC(2) Pause Degenerated GC (Outside of Cycle) 58M->4M(64M) 6.807ms
                [0.600s][info][gc] Trigger (Young): Free (3126K) is below minimum threshold (6553K)
                [0.610s][info][gc] GC(3) Concurrent cleanup (Young) 30M->20M(64M) 0.020ms
                [0.620s][info][gc] GC(4) Pause Degenerated GC (Young) (Outside of Cycle) 40M->30M(64M) 2.000ms
                """);
        assertThat(log.collector()).isEqualTo("Shenandoah");
        assertThat(log.cycles()).extracting(GcCycle::collector).containsExactly("Shenandoah Cycle",
                "Shenandoah Degenerated GC", "Shenandoah Young Cycle", "Shenandoah Young Degenerated GC");
        assertThat(log.cycles()).extracting(GcCycle::kind).containsExactly(GcCycle.Kind.CONCURRENT,
                GcCycle.Kind.MAJOR, GcCycle.Kind.CONCURRENT, GcCycle.Kind.MINOR);
        GcCycle cycle = log.cycles().get(0);
        assertThat(cycle.cause()).isEqualTo("Learning 1 of 5. Free (44850K) is below initial threshold (45875K)");
        assertThat(cycle.heapBefore()).isEqualTo(22 * MB);
        assertThat(cycle.heapAfter()).isEqualTo(13 * MB);
        assertThat(cycle.pause()).isEqualTo(Duration.ofNanos(222_000));
        assertThat(cycle.concurrent()).isEqualTo(Duration.ofNanos(47_000 + 7_541_000 + 22_000 + 549_000 + 24_000));
        assertThat(log.cycles().get(1).cause()).isEqualTo("Handle Allocation Failure");
        assertThat(log.cycles().get(2).cause()).isEqualTo("Free (3126K) is below minimum threshold (6553K)");
        assertThat(HeapTrend.collectsOld(log.cycles().get(2))).isFalse();
    }

    @Test
    void noDecorationsMixedWithProgramOutput() throws IOException {
        GcLog log = parse("""
                Starting the service
                Using G1
                GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms
                GC(0) Eden regions: 14->0(27)
                [INFO] request served in 3ms
                GC(1) Pause Young (Normal) (G1 Evacuation Pause) 26M->5M(256M) 3.456ms
                GC(1)   Pre Evacuate Collection Set: 0.21ms
                Exception in thread "main" java.lang.IllegalStateException: GC(2) Pause Young
                  at Main.main(Main.java:3)
                GC(3) Concurrent Mark From Roots
                jvm_args: -Xms64m -Xmx2g -XX:+UseG1GC
                """);
        assertThat(log.cycles()).hasSize(2);
        assertThat(log.timed()).isFalse();
        assertThat(log.cycles()).allSatisfy(c -> assertThat(c.start()).isEqualTo(Duration.ZERO));
        assertThat(log.heapMax()).isEqualTo(2048 * MB);                 // from the logged JVM arguments
        assertThat(log.trend(Integer.MAX_VALUE).verdict()).isEqualTo(HeapTrend.Verdict.INSUFFICIENT_DATA);
    }

    @Test
    void sizesInAllUnitsWithDecimalsAndCommas() {
        GcEvent e = GcEvent.parse("Pause Young (Allocation Failure) 1.5G->512K(2048B) 3,5ms");
        assertThat(e.before()).isEqualTo(Math.round(1.5 * 1024 * MB));
        assertThat(e.after()).isEqualTo(512 * 1024);
        assertThat(e.committed()).isEqualTo(2048);
        assertThat(e.durationNanos()).isEqualTo(3_500_000);
        assertThat(GcEvent.parse("Pause Full (System.gc()) 1T->1T(2T) 12us").qualifiers()).containsExactly("System.gc()");
        assertThat(GcEvent.parse("Pause Full (System.gc() 1M->1M(2M)")).isNull();      // unbalanced
    }

    @Test
    void decorationsAreToldByTheirContent() {
        LogLine l = LogLine.parse("[2026-11-27T12:00:00.500+0100][myhost-1][0.250s][77][88][debug][gc,heap,exit ] Heap");
        assertThat(l.uptimeNanos()).isEqualTo(250_000_000L);
        assertThat(l.epochNanos()).isEqualTo(java.time.Instant.parse("2026-11-27T11:00:00.500Z").toEpochMilli() * 1_000_000L);
        assertThat(l.tags()).isEqualTo("gc,heap,exit");
        assertThat(l.message()).isEqualTo("Heap");
        assertThat(LogLine.parse("GC(1) Pause Young").timed()).isFalse();
        assertThat(LogLine.parse("[1732708800000ms] x").epochNanos()).isEqualTo(1732708800000L * 1_000_000L);
        assertThat(LogLine.parse("[1234ms] x").uptimeNanos()).isEqualTo(1234L * 1_000_000L);
        assertThat(LogLine.parse("[0,5s][gc] x")).satisfies(x -> {
            assertThat(x.uptimeNanos()).isEqualTo(500_000_000L);
            assertThat(x.tags()).isEqualTo("gc");
        });
        assertThat(LogLine.parse("[a b] text").message()).isEqualTo("[a b] text");
    }

    @Test
    void aSecondJvmRunInTheSameLogReplacesTheFirst() throws IOException {
        GcLog log = parse("""
                [0.006s][info][gc] Using G1
                [5.000s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms
                [0.006s][info][gc] Using Serial
                [1.000s][info][gc] GC(0) Pause Young (Allocation Failure) 17M->2M(61M) 1.730ms
                """);
        assertThat(log.earlierRuns()).isEqualTo(1);
        assertThat(log.collector()).isEqualTo("Serial");
        assertThat(log.cycles()).singleElement().extracting(GcCycle::collector).isEqualTo("Serial Pause Young");
    }

    @Test
    void keepsTheLatestCyclesOnly() throws IOException {
        int max = 1000;
        int n = max + 5;
        StringBuilder sb = new StringBuilder(n * 80);
        for (int i = 0; i < n; i++) {
            sb.append('[').append(i).append("ms] GC(").append(i).append(") Pause Young (Allocation Failure) 17M->2M(61M) 1.0ms\n");
        }
        GcLog log = GcLogParser.parse(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)),
                "test.log", max);
        assertThat(log.cycles()).hasSize(max);
        assertThat(log.droppedCycles()).isEqualTo(5);
        assertThat(log.cycles().get(0).number()).isEqualTo(6);
        assertThat(log.lines()).isEqualTo(n);
    }

    @Test
    void readsGzip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write("[1.000s] GC(0) Pause Young (Allocation Failure) 17M->2M(61M) 1.730ms\n".getBytes(StandardCharsets.UTF_8));
        }
        GcLog log = GcLogParser.parse(new ByteArrayInputStream(bytes.toByteArray()), "gc.log.gz");
        assertThat(log.cycles()).hasSize(1);

        byte[] cut = Arrays.copyOf(bytes.toByteArray(), bytes.size() - 12);
        assertThatThrownBy(() -> GcLogParser.parse(new ByteArrayInputStream(cut), "gc.log.gz"))
                .isInstanceOf(GcLogParseException.class).hasMessageStartingWith("gc.log.gz:")
                .hasMessageContaining("truncated gzip data");
    }

    // ---------------------------------------------------------------- bad input

    @ParameterizedTest
    @ValueSource(strings = {"empty", "garbage", "binary", "huge line", "truncated", "missing", "directory"})
    void badInputFailsWithOneLineNamingTheFileAndLine(String kind) throws IOException {
        Path file = dir.resolve(kind.replace(' ', '-') + ".log");
        String expected = switch (kind) {
            case "empty" -> {
                Files.write(file, new byte[0]);
                yield "no GC cycles found in " + file + " (0 lines read; ";
            }
            case "garbage" -> {
                Files.writeString(file, "this is not a GC log\nat all\n");
                yield "no GC cycles found in " + file + " (2 lines read; ";
            }
            case "binary" -> {
                Files.write(file, new byte[] {'[', '1', 's', ']', '\n', 0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2});
                yield file + ":2: binary data (character 0x3): not a text GC log";
            }
            case "huge line" -> {
                Files.writeString(file, "[1.000s] GC(0) Pause Young (Allocation Failure) 17M->2M(61M) 1.730ms\n"
                        + "x".repeat(GcLogParser.MAX_LINE_CHARS + 1) + "\n");
                yield file + ":2: line longer than " + GcLogParser.MAX_LINE_CHARS + " characters";
            }
            case "truncated" -> {
                Files.writeString(file, "[0.006s][info][gc] Using G1\n[1.000s][info][gc] GC(0) Pause Yo");
                yield "no GC cycles found in " + file + " (2 lines read; ";
            }
            case "missing" -> file + ": no such file";
            case "directory" -> {
                Files.createDirectories(file);
                yield file + ": is a directory";
            }
            default -> throw new IllegalArgumentException(kind);
        };
        assertThatThrownBy(() -> GcLogParser.parse(file))
                .isInstanceOf(GcLogParseException.class)
                .hasMessageStartingWith(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aHugeSingleLineIsRefusedWithoutReadingItAll() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) 'x');
                return len;
            }
        };
        assertThatThrownBy(() -> GcLogParser.parse(endless, "<stdin>"))
                .isInstanceOf(GcLogParseException.class).hasMessageStartingWith("<stdin>:1: line longer than");
    }

    @Test
    void trendOfParsedCycles() throws IOException {
        StringBuilder sb = new StringBuilder("[0.001s][info][gc,init] Heap Max Capacity: 100M\n");
        for (int i = 0; i < 10; i++) {
            sb.append(String.format("[%d.000s][info][gc] GC(%d) Pause Full (System.gc()) 50M->%dM(100M) 1.000ms%n",
                    i + 1, i, 10 + 5 * i));
        }
        HeapTrend t = parse(sb.toString()).trend(Integer.MAX_VALUE);
        assertThat(t.verdict()).isEqualTo(HeapTrend.Verdict.GROWING);
        assertThat(t.basis()).isEqualTo(HeapTrend.Basis.OLD_COLLECTIONS);
        assertThat(t.slopeBytesPerMinute()).isCloseTo(300.0 * MB, within(1.0));
        assertThat(t.rSquared()).isCloseTo(1.0, within(1e-9));
        // at 55 MB after 10 s, rising 5 MB/s: 9 s to 100 MB
        assertThat(t.timeToMax().toMillis()).isCloseTo(9_000L, within(2L));
    }
}

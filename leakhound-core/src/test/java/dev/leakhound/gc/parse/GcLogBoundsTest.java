package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.testing.GeneratedInput;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile GC logs made of what a real one never holds: the same GC's line again and again, runs of blank lines,
 * gzip data that inflates hundreds of times. Inputs are generated, never files; the tests bound the work by what
 * was read, not by time.
 */
class GcLogBoundsTest {

    /** About 20 KB of a G1 log: 50 young collections, 2 ms each, the header first. */
    static String realHead() {
        StringBuilder sb = new StringBuilder("""
                [0.006s][info][gc] Using G1
                [0.008s][info][gc,init] Heap Max Capacity: 512M
                """);
        for (int g = 0; g < 50; g++) {
            String t = String.format(Locale.ROOT, "[%d.%03ds]", 1 + g / 10, (g % 10) * 100);
            sb.append(t).append("[info][gc,start    ] GC(").append(g).append(") Pause Young (Normal) (G1 Evacuation Pause)\n")
                    .append(t).append("[info][gc,phases   ] GC(").append(g).append(")   Evacuate Collection Set: 1.").append(g).append("ms\n")
                    .append(t).append("[info][gc,heap     ] GC(").append(g).append(") Eden regions: 14->0(27)\n")
                    .append(t).append("[info][gc          ] GC(").append(g).append(") Pause Young (Normal) (G1 Evacuation Pause) ")
                    .append(24 + g % 7).append("M->").append(4 + g % 3).append("M(256M) 2.000ms\n")
                    .append(t).append("[info][gc,cpu      ] GC(").append(g).append(") User=0.00s Sys=0.00s Real=0.00s\n");
        }
        return sb.toString();
    }

    @Test
    void theSameGcLineAgainIsNotAddedUp() throws IOException {
        // 2 GB of this line made one collection with a 29,775,221 ms pause: each copy was summed
        String line = "[6.000s][info][gc          ] GC(50) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms\n";
        GcLog log = GcLogParser.parse(GeneratedInput.repeated(realHead(), line, 100_000), "repeated.log");

        assertThat(log.cycles()).hasSize(51);
        GcCycle last = log.cycles().get(50);
        assertThat(last.pause()).isEqualTo(Duration.ofNanos(3_456_000));
        assertThat(log.ignoredLines()).isEqualTo(99_999);
        assertThat(log.cycles().get(0).pause()).isEqualTo(Duration.ofMillis(2));   // the start line adds nothing
    }

    @Test
    void aGcsLinesAreNotIgnoredForLookingAlikeOnlyInPart() throws IOException {
        // G1 repeats its Remark when the mark stack overflows: two lines of one id, different texts, both paused
        GcLog log = GcLogParser.parse(new ByteArrayInputStream("""
                [0.006s][info][gc] Using G1
                [0.201s][info][gc] GC(2) Concurrent Mark Cycle
                [0.210s][info][gc] GC(2) Pause Remark 10M->9M(256M) 0.500ms
                [0.220s][info][gc] GC(2) Pause Remark 10M->9M(256M) 0.700ms
                [0.230s][info][gc] GC(2) Concurrent Mark Cycle 29.000ms
                """.getBytes(StandardCharsets.UTF_8)), "remark.log");

        assertThat(log.cycles()).singleElement().satisfies(c -> assertThat(c.pause()).isEqualTo(Duration.ofNanos(1_200_000)));
        assertThat(log.ignoredLines()).isZero();
    }

    @Test
    void theSameLineElsewhereInTheGcIsAnotherPauseRightAfterItselfTheSameOne() throws IOException {
        // a generational ZGC major collection runs the young generation's phases twice: a real JDK 25 log has
        // "GC(748) Y: Pause Relocate Start 0.002ms" twice within one millisecond
        GcLog log = GcLogParser.parse(new ByteArrayInputStream("""
                [0.059s][info][gc     ] Using The Z Garbage Collector
                [4.408s][info][gc          ] GC(84) Major Collection (Proactive)
                [4.408s][info][gc,phases   ] GC(84) Y: Pause Mark Start 0.003ms
                [4.409s][info][gc,phases   ] GC(84) Y: Pause Mark End 0.002ms
                [4.409s][info][gc,phases   ] GC(84) Y: Pause Relocate Start 0.002ms
                [4.409s][info][gc,phases   ] GC(84) Y: Pause Mark Start (Major) 0.005ms
                [4.409s][info][gc,phases   ] GC(84) Y: Pause Mark End 0.002ms
                [4.409s][info][gc,phases   ] GC(84) Y: Pause Relocate Start 0.002ms
                [4.409s][info][gc,phases   ] GC(84) Y: Pause Relocate Start 0.002ms
                [4.420s][info][gc          ] GC(84) Major Collection (Proactive) 40M(62%)->20M(31%) 0.012s
                """.getBytes(StandardCharsets.UTF_8)), "zgc.log");

        assertThat(log.cycles()).singleElement().satisfies(c -> assertThat(c.pause()).isEqualTo(Duration.ofNanos(16_000)));
        assertThat(log.ignoredLines()).isOne();
    }

    @Test
    void linesRepeatedInTurnAddUpToABoundedNumberOfEvents() throws IOException {
        String a = "[6.000s][info][gc          ] GC(50) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 1.000ms\n";
        String b = "[6.001s][info][gc          ] GC(50) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 1.000ms\n";
        GcLog log = GcLogParser.parse(GeneratedInput.repeated(realHead(), a + b, 100_000), "turns.log");

        assertThat(log.cycles().get(50).pause()).isEqualTo(Duration.ofMillis(GcLogParser.MAX_EVENTS_PER_ID));
        assertThat(log.ignoredLines()).isEqualTo(200_000 - GcLogParser.MAX_EVENTS_PER_ID);
    }

    @Test
    void aRunOfBlankLinesStopsTheReadSoonAfterItsLimit() {
        // the bomb: 20 KB of a real log, then newlines (10 GB of them took 220 s and gave exit 0). Here 100 MB,
        // so that a reader without the bound ends too, having read all of it.
        String head = realHead();
        long headLines = head.lines().count();
        GeneratedInput in = GeneratedInput.repeated(head, "\n", 100_000_000L);

        assertThatThrownBy(() -> GcLogParser.parse(in, "bomb.log"))
                .isInstanceOf(GcLogParseException.class)
                .hasMessage("bomb.log:" + (headLines + GcLogParser.MAX_FOREIGN_LINES + 1) + ": "
                        + (GcLogParser.MAX_FOREIGN_LINES + 1) + " lines in a row (from line " + (headLines + 1)
                        + ") that are not the JVM's log lines (blank, or without [decorations] or GC(n)): not a GC "
                        + "log, or corrupt");
        // what was read: the head, the run, and at most the read-ahead of the buffers
        assertThat(in.bytesRead()).isLessThan(head.length() + GcLogParser.MAX_FOREIGN_LINES + 256 * 1024);
    }

    @Test
    void theProgramsOwnOutputBetweenCollectionsIsReadUpToTheLimit() throws IOException {
        String head = realHead();
        String tail = "[9.000s][info][gc          ] GC(50) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 1.000ms\n";
        String output = "12:00:00.000 INFO  [main] c.e.Service - request served\n";

        GcLog log = GcLogParser.parse(new GeneratedInput(i -> i == 0 ? head : i <= 1000 ? output : i == 1001 ? tail : null),
                "app.log", GcLogParser.MAX_CYCLES, 1000, GcLogParser.INFLATION_CHECKED_FROM);
        assertThat(log.cycles()).hasSize(51);

        assertThatThrownBy(() -> GcLogParser.parse(
                new GeneratedInput(i -> i == 0 ? head : i <= 1001 ? output : i == 1002 ? tail : null),
                "app.log", GcLogParser.MAX_CYCLES, 1000, GcLogParser.INFLATION_CHECKED_FROM))
                .isInstanceOf(GcLogParseException.class)
                .hasMessageContaining("1001 lines in a row");
    }

    @Test
    void gzipThatInflatesHundredsOfTimesStops() throws IOException {
        // lines of the JVM's own (so no run of foreign lines), the same again and again: 200 MB gzip to ~200 KB
        String head = realHead();
        byte[] gz = gzip(head, "[9.000s][info][safepoint   ] Safepoint \"Cleanup\", Time since last: 1000 ns\n",
                3_000_000);
        ByteArrayInputStream in = new ByteArrayInputStream(gz);

        assertThatThrownBy(() -> GcLogParser.parse(in, "bomb.log.gz"))
                .isInstanceOf(GcLogParseException.class)
                .hasMessageStartingWith("bomb.log.gz:")
                .hasMessageContaining(": gzip data inflates more than 100 times (")
                .hasMessageEndingWith(": a compression bomb, or not a GC log (decompress it first to read it anyway)")
                .satisfies(e -> {
                    // stopped just past the 64 MiB from which the inflation is checked, not at the end (200 MB)
                    Matcher m = Pattern.compile("\\((\\d+) bytes from (\\d+)\\)").matcher(e.getMessage());
                    assertThat(m.find()).isTrue();
                    assertThat(Long.parseLong(m.group(1)))
                            .isBetween(GcLogParser.INFLATION_CHECKED_FROM, GcLogParser.INFLATION_CHECKED_FROM + (1 << 20));
                });
        assertThat(in.available()).as("compressed bytes left unread").isPositive();
    }

    @Test
    void aRealLogsGzipPassesTheInflationBoundCheckedFromItsFirstByte() throws IOException {
        String head = realHead();
        byte[] gz = gzip(head, "", 0);
        GcLog log = GcLogParser.parse(new ByteArrayInputStream(gz), "real.log.gz", GcLogParser.MAX_CYCLES,
                GcLogParser.MAX_FOREIGN_LINES, 0);
        assertThat(log.cycles()).hasSize(50);
        assertThat((double) head.length() / gz.length).as("the log's compression ratio").isLessThan(100);
    }

    private static byte[] gzip(String head, String line, int times) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes, 1 << 16)) {
            out.write(head.getBytes(StandardCharsets.UTF_8));
            byte[] block = line.repeat(1000).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < times / 1000; i++) {
                out.write(block);
            }
        }
        return bytes.toByteArray();
    }
}

package dev.leakhound.gc.parse;

import dev.leakhound.gc.GcCycle;
import dev.leakhound.gc.GcLog;
import dev.leakhound.gc.HeapTrend;
import dev.leakhound.gc.report.GcTrace;
import dev.leakhound.gc.report.HeapPlot;
import dev.leakhound.testing.gc.GcCycles;
import dev.leakhound.testing.gc.GcLogRuns.Collector;
import dev.leakhound.testing.gc.GcLogRuns;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringWriter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GC logs of real JVM runs: the five collectors, each running {@link dev.leakhound.testing.gc.GcWorkload} once
 * leaking (2 MB a round for 12 rounds, next to 4 MB that stay) and once not, logging with different
 * {@code -Xlog} decorations. Each child runs well under a second.
 */
@Timeout(300)
class GcLogRealJvmTest {

    @TempDir
    static Path dir;

    private record Run(Collector collector, GcLog leaking, GcLog steady, GcLog undecorated) {
    }

    private static final Map<String, Run> RUNS = new LinkedHashMap<>();

    @BeforeAll
    static void runTheCollectors() throws Exception {
        for (Collector c : GcLogRuns.collectors()) {
            if (!GcLogRuns.available(c)) {
                System.err.println("skipped: " + c.name() + " is not in this Java");
                continue;
            }
            GcLog[] logs = new GcLog[2];
            GcLog undecorated = null;
            for (int i = 0; i < 2; i++) {
                boolean leak = i == 0;
                String base = c.name() + (leak ? "-leak" : "-steady");
                Path file = dir.resolve(base + ".log");
                Path plain = dir.resolve(base + "-plain.log");
                List<String> xlog = switch (c.name()) {
                    // the example, plus a second output without any decoration
                    case "G1" -> List.of("-Xlog:gc*:file=" + file + ":uptime,tid,level,tags",
                            "-Xlog:gc:file=" + plain + ":none");
                    // wall-clock time and uptime in milliseconds, no tags: told by content alone
                    case "Parallel" -> List.of("-Xlog:gc,gc+init:file=" + file + ":time,uptimemillis,pid,tid");
                    // to standard output, mixed with the program's, default decorations; the maximum from -Xmx
                    case "Serial" -> List.of("-Xlog:gc,arguments:stdout");
                    // wall-clock only, in milliseconds since the epoch, with the host name
                    case "ZGC" -> List.of("-Xlog:gc*:file=" + file + ":timemillis,hostname,level,tags");
                    // uptime in nanoseconds
                    default -> List.of("-Xlog:gc*:file=" + file + ":uptimenanos,pid,tid,level,tags");
                };
                Path stdout = GcLogRuns.run(dir, c, leak, xlog);
                logs[i] = GcLogParser.parse(c.name().equals("Serial") ? stdout : file);
                if (c.name().equals("G1") && leak) {
                    undecorated = GcLogParser.parse(plain);
                }
            }
            RUNS.put(c.name(), new Run(c, logs[0], logs[1], undecorated));
        }
        assertThat(RUNS).containsKeys("G1", "Parallel", "Serial", "ZGC");
    }

    @Test
    void everyLogParsesIntoCyclesOfItsCollector() {
        RUNS.forEach((name, run) -> {
            for (GcLog log : List.of(run.leaking(), run.steady())) {
                assertThat(log.collector()).as(log.origin()).isEqualTo(name);
                assertThat(log.timed()).as(log.origin()).isTrue();
                assertThat(log.earlierRuns()).isZero();
                // one collection at least per System.gc() of the 12 rounds
                assertThat(log.cycles()).as(log.origin()).hasSizeGreaterThanOrEqualTo(12)
                        .allSatisfy(c -> assertThat(c.collector()).startsWith(name + " "));
                assertThat(log.cycles().stream().filter(c -> c.cause() != null && c.cause().contains("System.gc()")))
                        .as(log.origin()).hasSize(12)
                        .allSatisfy(c -> {
                            assertThat(c.heapAfterKnown()).isTrue();
                            assertThat(HeapTrend.collectsOld(c)).isTrue();
                            assertThat(c.pause() != null || c.concurrent() != null).isTrue();
                        });
                assertThat(log.heapMax()).as(log.origin()).isEqualTo(run.collector().heapMb() * 1024L * 1024);
            }
        });
    }

    @Test
    void theKindsOfEachCollector() {
        assertThat(kinds("G1")).contains("G1 Pause Young (Normal) MINOR", "G1 Pause Full MAJOR");
        assertThat(kinds("Parallel")).contains("Parallel Pause Young MINOR", "Parallel Pause Full MAJOR");
        assertThat(kinds("Serial")).contains("Serial Pause Young MINOR", "Serial Pause Full MAJOR");
        assertThat(kinds("ZGC")).contains("ZGC Major Collection CONCURRENT");
        if (RUNS.containsKey("Shenandoah")) {
            assertThat(kinds("Shenandoah")).contains("Shenandoah Cycle CONCURRENT");
        }
    }

    private static List<String> kinds(String name) {
        return RUNS.get(name).leaking().cycles().stream().map(c -> c.collector() + " " + c.kind()).distinct().toList();
    }

    @Test
    void theLeakingRunIsToldApartFromTheOtherForEveryCollector() {
        RUNS.forEach((name, run) -> {
            // the real heap figures at an even pace: how fast the child ran is the machine's load, not the leak's
            HeapTrend leaking = HeapTrend.of(GcCycles.workloadRounds(run.leaking().cycles()), Integer.MAX_VALUE);
            HeapTrend steady = HeapTrend.of(GcCycles.workloadRounds(run.steady().cycles()), Integer.MAX_VALUE);
            String both = name + ": leaking " + GcTrace.verdict(leaking) + "; steady " + GcTrace.verdict(steady);
            assertThat(leaking.verdict()).as(both).isEqualTo(HeapTrend.Verdict.GROWING);
            assertThat(leaking.basis()).as(both).isEqualTo(HeapTrend.Basis.OLD_COLLECTIONS);
            assertThat(leaking.timeToMax()).as(both).isNotNull();
            assertThat(steady.verdict()).as(both).isEqualTo(HeapTrend.Verdict.STABLE);
            // the last collection of the leaking run holds the 24 MB leaked on top of what stays
            assertThat(leaking.lastHeapAfter() - steady.lastHeapAfter()).as(both).isGreaterThan(16L * 1024 * 1024);
        });
    }

    @Test
    void aLogWithoutDecorationsHasTheCyclesButNoTimes() {
        Run g1 = RUNS.get("G1");
        GcLog plain = g1.undecorated();
        assertThat(plain.timed()).isFalse();
        assertThat(plain.heapMax()).isEqualTo(GcCycle.UNKNOWN);
        assertThat(plain.trend(Integer.MAX_VALUE).verdict()).isEqualTo(HeapTrend.Verdict.INSUFFICIENT_DATA);
        // the same collections as the decorated log of the same run. Compared by GC id, not in list order: a list
        // is in the order of each id's first line, and the plain log has a pause's line only at its end (the
        // decorated one also at its start). When a concurrent mark starts while a System.gc() runs (its thread
        // delayed: a busy machine), the plain log lists the mark before the full collection, the decorated after.
        assertThat(plain.cycles().stream().sorted(java.util.Comparator.comparingLong(GcCycle::number)))
                .extracting(c -> c.number() + " " + c.collector() + " " + c.heapAfter())
                .containsExactlyElementsOf(g1.leaking().cycles().stream()
                        .sorted(java.util.Comparator.comparingLong(GcCycle::number))
                        .map(c -> c.number() + " " + c.collector() + " " + c.heapAfter()).toList());
    }

    @Test
    void plotIsWellFormedSvgWithOnePointPerCycle() throws Exception {
        for (Run run : RUNS.values()) {
            for (GcLog log : List.of(run.leaking(), run.undecorated() == null ? run.steady() : run.undecorated())) {
                StringWriter svg = new StringWriter();
                HeapPlot.write(log, Integer.MAX_VALUE, svg);

                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setNamespaceAware(true);
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                Document doc = f.newDocumentBuilder().parse(
                        new ByteArrayInputStream(svg.toString().getBytes(StandardCharsets.UTF_8)));
                Element root = doc.getDocumentElement();
                assertThat(root.getLocalName()).isEqualTo("svg");
                assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
                NodeList circles = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "circle");
                assertThat(circles.getLength()).as(log.origin())
                        .isEqualTo((int) log.cycles().stream().filter(GcCycle::heapAfterKnown).count());
                long lines = count(doc, "line", "trend");
                assertThat(lines).as(log.origin()).isEqualTo(log.timed() ? 1 : 0);
                assertThat(count(doc, "line", "max")).isEqualTo(log.heapMax() == GcCycle.UNKNOWN ? 0 : 1);
                assertThat(svg.toString()).contains("heap after GC (MB)")
                        .contains(log.timed() ? "seconds since" : "collection (the log has no times)");
            }
        }
    }

    private static long count(Document doc, String element, String cls) {
        NodeList nodes = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", element);
        long n = 0;
        for (int i = 0; i < nodes.getLength(); i++) {
            if (cls.equals(((Element) nodes.item(i)).getAttribute("class"))) {
                n++;
            }
        }
        return n;
    }
}

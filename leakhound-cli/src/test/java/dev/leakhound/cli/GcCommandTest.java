package dev.leakhound.cli;

import dev.leakhound.testing.Json;
import dev.leakhound.testing.gc.GcLogRuns;
import dev.leakhound.testing.gc.GcLogRuns.Collector;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code leakhound gc} on the GC logs of two real JVM runs with the Parallel collector, one leaking 2 MB a round
 * for 12 rounds and one not ({@link dev.leakhound.testing.gc.GcWorkload}).
 */
@Timeout(300)
class GcCommandTest {

    @TempDir
    static Path dir;

    private static Path leaking;
    private static Path steady;

    @BeforeAll
    static void runTheWorkload() throws Exception {
        Collector parallel = Collector.stopTheWorld("Parallel");
        leaking = dir.resolve("leaking.log");
        steady = dir.resolve("steady.log");
        GcLogRuns.run(dir, parallel, true, List.of("-Xlog:gc*:file=" + leaking));
        GcLogRuns.run(dir, parallel, false, List.of("-Xlog:gc*:file=" + steady));
        evenlyPaced(leaking);
        evenlyPaced(steady);
    }

    private static final Pattern UPTIME = Pattern.compile("^\\[(\\d+\\.\\d+)s\\]");

    /**
     * Rewrites the log's uptimes as if the workload had run at an even pace: round k (up to its System.gc()) at 10 k
     * seconds, its lines a millisecond apart (12 rounds: over a minute, enough to project the maximum). The figures stay the child's; its times are the machine's load (a busy
     * machine stalls the child now and then, and a line through unevenly spaced rounds is no longer straight), and
     * the verdicts asserted here must not hang on them.
     */
    private static void evenlyPaced(Path log) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        int round = 0;
        int line = 0;
        for (String l : Files.readAllLines(log)) {
            Matcher m = UPTIME.matcher(l);
            if (m.find()) {
                double t = 10 * round + Math.min(line++, 999) / 1000.0;
                l = String.format(java.util.Locale.ROOT, "[%.3fs]", t) + l.substring(m.end());
            }
            out.add(l);
            if (l.contains("Pause Full (System.gc())") && l.endsWith("ms")) {     // the round's last collection ended
                round++;
                line = 0;
            }
        }
        Files.write(log, out);
    }

    @Test
    void oneLinePerCollectionThenTheVerdict() {
        Cli.Result r = Cli.run("gc", leaking.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).matches("gc log " + Pattern.quote(leaking.toString())
                + ": Parallel, \\d+ collections over \\d+\\.\\d{3} s, heap max 64 MB");
        List<String> cycles = lines.subList(1, lines.size() - 1);
        assertThat(cycles).hasSizeGreaterThanOrEqualTo(12).allMatch(l -> l.matches(
                "gc \\d+ @\\d+\\.\\d{3}s Parallel Pause (Young|Full) \\(.+\\) (minor|major): \\d+\\.\\d{3} ms pause, "
                        + "\\d+->\\d+->\\d+ MB, 64 MB max"));
        assertThat(cycles).filteredOn(l -> l.contains("Pause Full (System.gc()) major")).hasSize(12);
        assertThat(lines.get(lines.size() - 1)).matches(
                "heap after GC growing \\+\\d+\\.\\d MB/min \\(R2 (0\\.[5-9]\\d|1\\.00), 12 old collections, max in (\\d+m)?\\d+s\\)");

        Cli.Result s = Cli.run("gc", steady.toString());
        assertThat(s.status()).isZero();
        assertThat(s.out().lines().reduce((a, b) -> b).orElseThrow())
                .matches("heap after GC stable \\([+-]\\d+\\.\\d MB/min, R2 \\d\\.\\d\\d, 12 old collections\\)");
    }

    @Test
    void jsonForMachines() throws IOException {
        Cli.Result r = Cli.run("gc", "--json", leaking.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        Map<String, Object> doc = Json.object(Json.parse(r.out()));
        assertThat(doc).containsOnlyKeys("log", "cycles", "trend");
        Map<String, Object> log = Json.object(doc.get("log"));
        assertThat(log).containsEntry("source", leaking.toString()).containsEntry("collector", "Parallel")
                .containsEntry("heapMax", 64L * 1024 * 1024).containsEntry("timed", true)
                .containsEntry("clock", "uptime").containsEntry("droppedCycles", 0L);
        List<Map<String, Object>> cycles = Json.objects(doc.get("cycles"));
        assertThat(cycles).hasSize(((Long) log.get("cycles")).intValue());
        assertThat(cycles.get(0)).containsKeys("number", "gcId", "startSeconds", "collector", "cause", "kind",
                "pauseMillis", "heapBefore", "heapAfter", "heapCommitted", "trace");
        assertThat(cycles).filteredOn(c -> "System.gc()".equals(c.get("cause")))
                .hasSize(12).allSatisfy(c -> assertThat(c).containsEntry("kind", "MAJOR"));
        Map<String, Object> trend = Json.object(doc.get("trend"));
        assertThat(trend).containsEntry("verdict", "GROWING").containsEntry("basis", "OLD_COLLECTIONS")
                .containsEntry("points", 12L);
        assertThat((Double) trend.get("rSquared")).isGreaterThan(0.5);
        assertThat((Double) trend.get("slopeMBPerMinute")).isPositive();
        assertThat(trend.get("timeToMaxSeconds")).isInstanceOf(Double.class);

        Map<String, Object> stable = Json.object(Json.object(Json.parse(Cli.run("gc", "--json", steady.toString()).out())).get("trend"));
        assertThat(stable).containsEntry("verdict", "STABLE").containsEntry("timeToMaxSeconds", null);
    }

    @Test
    void plotWritesAnSvgWithOnePointPerCollection() throws Exception {
        Path svg = dir.resolve("heap.svg");
        Cli.Result r = Cli.run("gc", leaking.toString(), "--plot", svg.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        long cycles = r.out().lines().filter(l -> l.startsWith("gc ") && !l.startsWith("gc log")).count();
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "circle").getLength()).isEqualTo((int) cycles);
        assertThat(Files.readString(svg)).contains("class=\"trend\"", "class=\"max\"", "max heap 64 MB",
                "seconds since the JVM started", "heap after GC (MB)");
    }

    @Test
    void readsStandardInputForDash() throws IOException {
        Cli.Result r = Cli.run(Files.readAllBytes(steady), "gc", "-");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("gc log <stdin>: Parallel, ").contains("heap after GC stable");
    }

    // ------------------------------------------------------------------ bad input: exit 2, one line

    @ParameterizedTest
    @ValueSource(strings = {"missing", "empty", "garbage", "binary", "huge line", "directory"})
    void badInputExitsWithTwoAndOneLineNamingTheFile(String kind) throws IOException {
        Path file = dir.resolve("bad-" + kind.replace(' ', '-'));
        String expected = switch (kind) {
            case "missing" -> "leakhound: " + file + ": no such file";
            case "empty" -> {
                Files.write(file, new byte[0]);
                yield "leakhound: no GC cycles found in " + file + " (0 lines read; ";
            }
            case "garbage" -> {
                Files.writeString(file, "this is not a GC log\nat all\n");
                yield "leakhound: no GC cycles found in " + file + " (2 lines read; ";
            }
            case "binary" -> {
                Files.write(file, new byte[] {0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3});
                yield "leakhound: " + file + ":1: binary data";
            }
            case "huge line" -> {
                Files.writeString(file, Files.readString(steady) + "x".repeat(200_000));
                yield "leakhound: " + file + ":" + (Files.readAllLines(steady).size() + 1) + ": line longer than";
            }
            case "directory" -> {
                Files.createDirectories(file);
                yield "leakhound: " + file + ": is a directory";
            }
            default -> throw new IllegalArgumentException(kind);
        };

        Cli.Result r = Cli.run("gc", file.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith(expected).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void badOptionsAreUsageErrors() {
        Cli.Result window = Cli.run("gc", "--window", "1", leaking.toString());
        assertThat(window.status()).isEqualTo(2);
        assertThat(window.errLines()).containsExactly("leakhound: --window must be at least 2: 1");

        Cli.Result missing = Cli.run("gc");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.errLines()).containsExactly(
                "leakhound: Missing required parameter: 'FILE' (see 'leakhound gc --help')");

        Cli.Result plotDir = Cli.run("gc", leaking.toString(), "--plot", dir.resolve("no/such/dir/x.svg").toString());
        assertThat(plotDir.status()).isEqualTo(2);
        assertThat(plotDir.errLines()).singleElement().asString().startsWith("leakhound: ").endsWith(": no such file");
    }

    private static Path log(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    /** One collection: "1 collection", and "insufficient data" says how many a trend needs. */
    @Test
    void oneCollectionIsSaidInTheSingularAndInsufficientDataSaysHowManyAreNeeded() throws IOException {
        Path one = log("one.log", "[0.001s][info][gc,init] Heap Max Capacity: 100M\n"
                + "[0.500s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->8M(64M) 1.000ms\n");
        Cli.Result r = Cli.run("gc", one.toString());
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).contains(", 1 collection over ").doesNotContain("1 collections")
                .endsWith("heap after GC: insufficient data (1 collection, a trend needs at least 4)\n");
    }

    /** 0.8 s of a rising heap: growing, but no "max in 38s" projected from it. */
    @Test
    void noProjectionFromALogOfUnderAMinute() throws IOException {
        StringBuilder sb = new StringBuilder("[0.001s][info][gc,init] Heap Max Capacity: 256M\n");
        for (int i = 0; i < 5; i++) {
            sb.append(String.format(java.util.Locale.ROOT,
                    "[%.3fs][info][gc] GC(%d) Pause Full (System.gc()) 200M->%dM(256M) 1.000ms%n", 0.1 + 0.2 * i, i,
                    100 + 10 * i));
        }
        Path fast = log("fast.log", sb.toString());
        Cli.Result r = Cli.run("gc", fast.toString());
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).doesNotContain("max in").contains("heap after GC growing ")
                .contains("over 0.8 s: too short to project when it reaches the max (1m00s needed))");

        Map<String, Object> trend = Json.object(Json.object(Json.parse(Cli.run("gc", "--json", fast.toString()).out()))
                .get("trend"));
        assertThat(trend).containsEntry("verdict", "GROWING").containsEntry("timeToMaxSeconds", null)
                .containsEntry("minProjectionSpanSeconds", 60L).containsEntry("minPoints", 4L);
    }

    /** A ZGC pause line logs no heap sizes: said in words, never "?->?->? MB". */
    @Test
    void unknownHeapSizesAreSaidInWords() throws IOException {
        Path zgc = log("zgc.log", "[0.001s][info][gc,init] Heap Max Capacity: 128M\n"
                + "[1.000s][info][gc,phases] GC(0) Y: Pause Mark Start 0.010ms\n"
                + "[1.200s][info][gc] GC(0) Minor Collection (Allocation Rate) 40M(31%)->10M(8%) 0.211s\n");
        Cli.Result r = Cli.run("gc", zgc.toString());
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).doesNotContain("?");
    }

    @Test
    void helpDocumentsTheExitStatus() {
        Cli.Result r = Cli.run("gc", "--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("Usage: leakhound gc", "--json", "--plot", "--window", "Exit status:",
                "  0   nothing found", "  2   bad input or usage", "gc exits 0 whenever the log was read",
                "A verdict needs at least 4 collections", "only if they span a minute or more");
        assertThat(Cli.run("--help").out()).contains("  gc ");
    }

    /** A JDK 8 log ({@code -XX:+PrintGCDetails -XX:+PrintGCTimeStamps}, Parallel): one line a collection, the verdict. */
    @Test
    void aJdk8LogIsReadToo() throws IOException {
        StringBuilder log = new StringBuilder("CommandLine flags: -XX:MaxHeapSize=134217728 -XX:+PrintGC "
                + "-XX:+PrintGCDetails -XX:+PrintGCTimeStamps -XX:+UseParallelGC\n");
        for (int r = 0; r < 12; r++) {
            int live = 4096 + 2048 * (r + 1);
            log.append(String.format("%d.%03d: [GC (Allocation Failure) [PSYoungGen: 33000K->2600K(38400K)] "
                    + "%dK->%dK(125952K), 0.0051234 secs] [Times: user=0.01 sys=0.00, real=0.01 secs]%n",
                    5 + r * 5, 100, 33000 + live, 2600 + live));
            log.append(String.format("%d.%03d: [Full GC (System.gc()) [PSYoungGen: 2600K->0K(38400K)] "
                    + "[ParOldGen: %dK->%dK(87552K)] %dK->%dK(125952K), [Metaspace: 2785K->2785K(1056768K)], "
                    + "0.0150000 secs] [Times: user=0.03 sys=0.00, real=0.02 secs]%n",
                    5 + r * 5, 400, live + 300, live, live + 2900, live));
        }
        Path file = dir.resolve("jdk8-gc.log");
        Files.writeString(file, log);

        Cli.Result r = Cli.run("gc", file.toString());

        assertThat(r.status()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("gc log " + file + ": Parallel, 24 collections over ");
        assertThat(lines).filteredOn(l -> l.contains("Parallel Pause Full (System.gc()) major")).hasSize(12);
        assertThat(lines.get(lines.size() - 1)).startsWith("heap after GC growing +");
    }

    /** A format that is not read is named, in one line, exit 2. */
    @Test
    void anUnreadFormatIsNamed() throws IOException {
        Path file = dir.resolve("verbosegc.xml");
        Files.writeString(file, "<?xml version=\"1.0\" ?>\n<verbosegc xmlns=\"http://www.ibm.com/j9/verbosegc\">\n");

        Cli.Result r = Cli.run("gc", file.toString());

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("leakhound: no GC cycles found in " + file + " (2 lines read; ")
                .contains("it looks like an IBM J9 / OpenJ9 verbose GC log (XML), which is not read");
    }
}

package dev.leakhound.cli;

import dev.leakhound.cli.browser.Chromium;
import dev.leakhound.cli.browser.LeakhoundPage;
import dev.leakhound.cli.browser.LeakhoundPage.Chart;
import dev.leakhound.cli.browser.LeakhoundPage.Group;
import dev.leakhound.testing.Json;
import dev.leakhound.testing.gc.GcLogRuns;
import dev.leakhound.testing.gc.GcLogRuns.Collector;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The CLI's self-contained pages ({@code threads --html}, {@code heap --html}, {@code gc --html}) opened from
 * {@code file://} in a real headless Chromium, on real inputs: the JDK's JSON thread dump and a heap dump of a
 * leaking {@link PlantedLeak} (5 virtual threads blocked forever in {@code SynchronousQueue.put}, each on a queue
 * only it knows), and the {@code -Xlog:gc*} log of a leaking workload. Each page renders, logs no
 * error, makes no request but for itself, and shows what {@code --json} gives; its screenshot is kept in
 * {@code target/screenshots/}.
 */
@Timeout(300)
class HtmlFilesBrowserTest {
    @TempDir
    static Path dir;

    private static Path threadDump;
    private static Path heapDump;
    private static Path gcLog;
    private static String plantedSite;

    @BeforeAll
    static void realInputs() throws Exception {
        Chromium.require();                      // before the inputs are made: no Chromium, nothing to do
        plantedSite = LivePageIT.site(PlantedLeak.class, "onlyMine.put(\"nobody takes this\");", "block");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (ChildJvm child = ChildJvm.start(dir, java, PlantedLeak.class, List.of("-Xmx64m"), "5")) {
            threadDump = dir.resolve("threads.json");
            Jcmd.run(child.pid(), dir.resolve("jcmd-threads.txt"), "Thread.dump_to_file", "-format=json",
                    threadDump.toString());
            heapDump = dir.resolve("heap.hprof");
            Jcmd.run(child.pid(), dir.resolve("jcmd-heap.txt"), "GC.heap_dump", heapDump.toString());
            assertThat(child.exit()).as(child.toString()).isZero();
        }
        gcLog = dir.resolve("gc.log");
        GcLogRuns.run(dir, Collector.stopTheWorld("Parallel"), true, List.of("-Xlog:gc*:file=" + gcLog));
    }

    @Test
    void threadsPage() throws Exception {
        Map<String, Object> json = json("threads", threadDump);
        Path html = html("threads", threadDump);
        try (Chromium page = open(html, json)) {
            List<Group> groups = LeakhoundPage.groups(page);
            List<Map<String, Object>> expected = Json.objects(json.get("groups"));
            LeakhoundPage.assertSameGroups(groups, expected, "state");
            plantedGroupThenSearch(page, html, "WAITING", null, "threads-file");
        }
    }

    @Test
    void heapPage() throws Exception {
        Map<String, Object> json = json("heap", heapDump);
        Path html = html("heap", heapDump);
        try (Chromium page = open(html, json)) {
            Map<String, Object> proof = Json.object(json.get("proof"));
            List<Map<String, Object>> leaked = Json.objects(proof.get("leaked"));
            List<Map<String, Object>> notProven = Json.objects(proof.get("notProven"));
            List<Map<String, Object>> expected = new ArrayList<>(leaked);
            expected.addAll(notProven);
            List<Group> groups = LeakhoundPage.groups(page);
            LeakhoundPage.assertSameGroups(groups, expected, "wait");
            for (int i = 0; i < groups.size(); i++) {
                assertThat(groups.get(i).verdict()).isEqualTo(i < leaked.size() ? "leaked" : "not-proven");
            }
            // The 5 planted threads are proven leaked: their queues are reachable from them alone.
            plantedGroupThenSearch(page, html, "PARKED", "leaked", "heap-file");
        }
    }

    @Test
    void gcPage() throws Exception {
        Map<String, Object> json = json("gc", gcLog);
        Path html = html("gc", gcLog);
        try (Chromium page = open(html, json)) {
            Map<String, Chart> charts = LeakhoundPage.charts(page);
            assertThat(charts).containsOnlyKeys("heap", "gcPauses");
            List<Map<String, Object>> cycles = Json.objects(json.get("cycles"));

            List<Map<String, Object>> measured = cycles.stream().filter(c -> c.get("heapAfter") != null).toList();
            Chart heap = charts.get("heap");
            assertThat(heap.labels()).containsExactly("heap after GC (bytes)", "trend (bytes)");
            assertThat(heap.x()).hasSizeGreaterThanOrEqualTo(12).isEqualTo(numbers(measured, "startSeconds"));
            List<Double> after = heap.series("heap after GC (bytes)");
            assertThat(after).isEqualTo(numbers(measured, "heapAfter"));
            List<Double> trend = LeakhoundPage.trend(heap.x(), after);
            for (int i = 0; i < trend.size(); i++) {
                assertThat(heap.series("trend (bytes)").get(i)).as("trend at " + i)
                        .isCloseTo(trend.get(i), within(Math.abs(trend.get(i)) * 1e-9 + 1e-6));
            }
            // The workload leaks 2 MB a round: the line rises.
            assertThat(heap.series("trend (bytes)").getLast()).isGreaterThan(heap.series("trend (bytes)").getFirst());

            List<Map<String, Object>> paused = cycles.stream().filter(c -> c.get("pauseMillis") != null).toList();
            Chart pauses = charts.get("gcPauses");
            assertThat(pauses.labels()).containsExactly("pause (ms)");
            assertThat(pauses.x()).isNotEmpty().isEqualTo(numbers(paused, "startSeconds"));
            assertThat(pauses.series("pause (ms)")).isEqualTo(numbers(paused, "pauseMillis"));
            page.screenshot("gc-file");
            assertClean(page, html);
        }
    }

    /** {@code leakhound COMMAND INPUT --json}, parsed. */
    private static Map<String, Object> json(String command, Path input) throws IOException {
        Cli.Result r = Cli.run(command, input.toString(), "--json");
        assertThat(r.status()).as(r.toString()).isIn(0, 1);
        return Json.object(Json.parse(r.out()));
    }

    /** {@code leakhound COMMAND INPUT --html OUT}: OUT. */
    private static Path html(String command, Path input) {
        Path out = dir.resolve(command + ".html");
        Cli.Result r = Cli.run(command, input.toString(), "--html", out.toString());
        assertThat(r.status()).as(r.toString()).isIn(0, 1);
        assertThat(out).isRegularFile();
        return out;
    }

    /** The file opened and rendered, holding the document {@code --json} printed. */
    private static Chromium open(Path html, Map<String, Object> json) throws Exception {
        Chromium page = Chromium.start();
        try {
            page.navigate(html.toUri().toString());
            page.awaitState("ready");
            sameData(page, json);
            return page;
        } catch (Exception | Error e) {
            page.close();
            throw e;
        }
    }

    /**
     * The planted group (5 threads in {@code SynchronousQueue.put} at {@code PlantedLeak.block}) with its state and
     * verdict, a screenshot, the search for it, and a clean page.
     */
    private static void plantedGroupThenSearch(Chromium page, Path html, String state, String verdict, String screenshot)
            throws IOException {
        assertThat(LeakhoundPage.groups(page)).filteredOn(g -> g.summary().contains("at " + plantedSite)).singleElement()
                .satisfies(g -> {
                    assertThat(g.count()).isEqualTo(5);
                    assertThat(g.state()).isEqualTo(state);
                    assertThat(g.verdict()).isEqualTo(verdict);
                    assertThat(g.stack()).contains("at java.util.concurrent.SynchronousQueue.put(");
                });
        page.screenshot(screenshot);
        searchFindsOnly(page, "PlantedLeak.block", plantedSite);
        assertClean(page, html);
    }

    /** Typing in the search box leaves the one group at {@code line} shown, the others hidden. */
    private static void searchFindsOnly(Chromium page, String typed, String line) {
        page.type("#search", typed);
        List<Group> after = LeakhoundPage.groups(page);
        assertThat(after).filteredOn(g -> !g.hidden()).singleElement()
                .satisfies(g -> assertThat(g.summary()).contains("at " + line));
        assertThat(after).filteredOn(Group::hidden).isNotEmpty();
    }

    /** No console error, no CSP violation, no request but the file itself. */
    private static void assertClean(Chromium page, Path html) {
        assertThat(page.errors()).as("console errors").isEmpty();
        assertThat(page.requests()).as("requests").containsExactly(html.toUri().toString());
    }

    private static List<Double> numbers(List<Map<String, Object>> objects, String field) {
        return objects.stream().map(o -> ((Number) o.get(field)).doubleValue()).toList();
    }

    /** The embedded JSON as the page parsed it equals the --json output (numbers compared as JavaScript has them). */
    private static void sameData(Chromium page, Map<String, Object> json) {
        assertThat(doubles(page.evaluate("window.leakhound.data"))).isEqualTo(doubles(json));
    }

    private static Object doubles(Object value) {
        return switch (value) {
            case Map<?, ?> m -> {
                Map<Object, Object> out = new java.util.LinkedHashMap<>();
                m.forEach((k, v) -> out.put(k, doubles(v)));
                yield out;
            }
            case List<?> l -> l.stream().map(HtmlFilesBrowserTest::doubles).toList();
            case Number n -> n.doubleValue();
            case null -> "null";
            default -> value;
        };
    }
}

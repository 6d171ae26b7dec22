package dev.leakhound.cli;

import dev.leakhound.cli.browser.Chromium;
import dev.leakhound.cli.browser.LeakhoundPage;
import dev.leakhound.cli.browser.LeakhoundPage.Chart;
import dev.leakhound.cli.browser.LeakhoundPage.Group;
import dev.leakhound.testing.Http;
import dev.leakhound.testing.Json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.leakhound.cli.AgentJarIT.SERVER_LINE;
import static dev.leakhound.cli.AgentJarIT.javaagent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The agent's live page, {@code /debug/}, in a real headless Chromium: the shaded jar loaded as an agent, with a
 * token, into {@link TinyService} (7 virtual threads blocked forever in {@code SynchronousQueue.put} in
 * {@code answer}, and one more checker blocked in {@code ArrayBlockingQueue.put} in {@code check} every 300 ms: the
 * growing leak). The page asks for the token, gets it typed in its form, and then draws what the JSON endpoints
 * give, makes no request elsewhere, never puts the token in a URL, and logs no error. Runs under failsafe, after
 * {@code package} made the jar; the screenshot is kept in {@code target/screenshots/live-page.png}.
 */
@Timeout(300)
class LivePageIT {
    private static final String TOKEN = "browser-it-token-0123456789abcdef";
    private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN, "Accept", "application/json"};

    @TempDir
    static Path dir;

    @Test
    void theLivePageAsksForTheTokenThenShowsWhatTheEndpointsGive() throws Exception {
        Chromium.require();                      // before the child starts
        Path jar = ChildJvm.shadedJar();
        String answerSite = site(TinyService.class, "answers.put(\"an answer nobody takes\");", "answer");
        String checkSite = site(TinyService.class, "done.put(1);", "check");
        try (ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar, "port=0,token=" + TOKEN
                + ",sampleMillis=250,window=6")), "7", "300")) {
            URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));
            String origin = "http://" + url.getAuthority();
            // Two collections for the heap and pause charts (a trend needs two points); then the checkers' site is
            // a suspect in the samples, so that every chart has points when the page opens.
            Jcmd.run(child.pid(), dir.resolve("gc-1.txt"), "GC.run");
            Jcmd.run(child.pid(), dir.resolve("gc-2.txt"), "GC.run");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                Map<String, Object> h = history(url);
                assertThat(Json.objects(h.get("samples"))).anySatisfy(s ->
                        assertThat(Json.object(s.get("sites"))).containsKey(checkSite));
                List<Map<String, Object>> cycles = Json.objects(Json.object(h.get("gc")).get("cycles"));
                assertThat(cycles).filteredOn(c -> c.get("heapAfter") != null).hasSizeGreaterThanOrEqualTo(2);
                assertThat(cycles).filteredOn(c -> c.get("pauseMillis") != null).hasSizeGreaterThanOrEqualTo(2);
            });

            try (Chromium page = Chromium.start()) {
                page.navigate(origin + "/debug/");
                page.awaitState("token");
                assertThat(page.evaluate("(() => { const f = document.querySelector('form#token-form');"
                        + " const i = f.querySelector('input#token'); return [f.hidden, i.type,"
                        + " !!f.querySelector('button[type=submit]')]; })()")).isEqualTo(List.of(false, "password", true));
                page.type("#token", TOKEN);
                page.click("#token-form button[type=submit]");
                page.awaitState("ready");
                assertThat(page.evaluate("document.querySelector('#token-form').hidden")).isEqualTo(true);

                // The charts, then the JSON they come from, fetched after: its samples go on from the page's.
                Map<String, Chart> charts = LeakhoundPage.charts(page);
                assertThat(charts).containsOnlyKeys("threads", "sites", "heap", "gcPauses");
                Map<String, Object> sources = Json.object(page.evaluate("window.leakhound.sources"));
                for (String name : charts.keySet()) {
                    assertThat(sources.get(name)).as("the source of " + name).isEqualTo("/debug/history");
                }
                Map<String, Object> history = history(url);
                List<Map<String, Object>> samples = Json.objects(history.get("samples"));
                List<Map<String, Object>> cycles = Json.objects(Json.object(history.get("gc")).get("cycles"));

                Chart threads = charts.get("threads");
                assertThat(threads.labels()).contains("virtual WAITING").allMatch(l -> l.matches("(platform|virtual) [A-Z_]+"));
                for (String label : threads.labels()) {
                    String kind = label.substring(0, label.indexOf(' '));
                    String state = label.substring(label.indexOf(' ') + 1);
                    sameOnCommonPoints("threads " + label, threads.x(), threads.series(label), samples, s -> time(s),
                            s -> count(Json.object(s.get(kind)), state));
                }
                Chart sites = charts.get("sites");
                assertThat(sites.labels()).contains(checkSite);
                for (String label : sites.labels()) {
                    sameOnCommonPoints("sites " + label, sites.x(), sites.series(label), samples, s -> time(s),
                            s -> count(Json.object(s.get("sites")), label));
                }
                assertThat(sites.series(checkSite).getLast()).as("the leaking site's threads").isGreaterThanOrEqualTo(2);

                List<Map<String, Object>> measured = cycles.stream().filter(c -> c.get("heapAfter") != null).toList();
                Chart heap = charts.get("heap");
                assertThat(heap.labels()).containsExactly("heap after GC (bytes)", "trend (bytes)");
                assertThat(heap.x()).hasSizeGreaterThanOrEqualTo(2);
                sameOnCommonPoints("heap", heap.x(), heap.series("heap after GC (bytes)"), measured,
                        c -> ((Number) c.get("time")).doubleValue(), c -> ((Number) c.get("heapAfter")).doubleValue());
                List<Double> trend = LeakhoundPage.trend(heap.x(), heap.series("heap after GC (bytes)"));
                for (int i = 0; i < trend.size(); i++) {
                    assertThat(heap.series("trend (bytes)").get(i)).as("trend at " + i)
                            .isCloseTo(trend.get(i), within(Math.abs(trend.get(i)) * 1e-6 + 1));  // x: epoch seconds
                }
                List<Map<String, Object>> paused = cycles.stream().filter(c -> c.get("pauseMillis") != null).toList();
                Chart pauses = charts.get("gcPauses");
                assertThat(pauses.labels()).containsExactly("pause (ms)");
                assertThat(pauses.x()).hasSizeGreaterThanOrEqualTo(2);
                sameOnCommonPoints("gcPauses", pauses.x(), pauses.series("pause (ms)"), paused,
                        c -> ((Number) c.get("time")).doubleValue(), c -> ((Number) c.get("pauseMillis")).doubleValue());

                // The grouped view: the 7 planted threads, their blocking line, and the growing checkers.
                assertThat(sources.get("groups")).isEqualTo("/debug/threads/dump?format=json");
                List<Group> groups = LeakhoundPage.groups(page);
                Map<String, Object> dump = Json.object(Json.parse(Http.get(url, "/debug/threads/dump?format=json", AUTH).text()));
                assertThat(groups).filteredOn(g -> g.summary().contains("at " + answerSite)).singleElement()
                        .satisfies(g -> {
                            assertThat(g.count()).isEqualTo(7);
                            assertThat(g.state()).isEqualTo("WAITING");
                            assertThat(g.stack()).contains("at java.util.concurrent.SynchronousQueue.put(")
                                    .contains("at " + answerSite);
                        });
                assertThat(Json.objects(dump.get("groups"))).anySatisfy(g -> assertThat(g)
                        .containsEntry("blockedAt", answerSite).containsEntry("count", 7L));
                long checkersNow = Json.objects(dump.get("groups")).stream()
                        .filter(g -> checkSite.equals(g.get("blockedAt"))).mapToLong(g -> (Long) g.get("count")).sum();
                assertThat(groups).filteredOn(g -> g.state().equals("WAITING") && g.summary().contains("at " + checkSite))
                        .singleElement()
                        .satisfies(g -> assertThat(g.count()).isBetween(2L, checkersNow));
                // The grouped view is the JSON the page was given, group by group (read again if a refresh came
                // between reading the page and its latest response).
                String dumpUrl = origin + sources.get("groups");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    List<Group> shown = LeakhoundPage.groups(page);
                    Map<String, Object> given = Json.object(Json.parse(page.responseBody(dumpUrl)));
                    assertThat(LeakhoundPage.groups(page)).as("not redrawn meanwhile").isEqualTo(shown);
                    LeakhoundPage.assertSameGroups(shown, Json.objects(given.get("groups")), "state");
                });
                Path shot = page.screenshot("live-page");

                // Search: only the planted group is left.
                page.type("#search", "TinyService.answer");
                List<Group> searched = LeakhoundPage.groups(page);
                assertThat(searched).filteredOn(g -> !g.hidden()).singleElement()
                        .satisfies(g -> assertThat(g.summary()).contains("at " + answerSite));
                assertThat(searched).filteredOn(Group::hidden).hasSizeGreaterThanOrEqualTo(1)
                        .noneMatch(g -> g.summary().contains(answerSite));
                page.screenshot("live-page-search");

                // Clean: no error, only this server, the token in no URL.
                assertThat(page.errors()).as("console errors").isEmpty();
                assertThat(page.cspViolations()).isEmpty();
                assertThat(page.requests()).isNotEmpty().allMatch(u -> u.startsWith(origin + "/"), "from " + origin)
                        .noneMatch(u -> u.contains(TOKEN));
                assertThat((String) page.evaluate("location.href")).isEqualTo(origin + "/debug/");
                assertThat(shot).isRegularFile();
            }
            assertThat(child.exit()).as(child.toString()).isZero();
        }
    }

    /**
     * The chart's points at the times the JSON still has, in order, equal the JSON's first points: the history is a
     * ring, so the page's points older than the JSON's oldest are gone, and the JSON, fetched after, may have more.
     */
    private static void sameOnCommonPoints(String what, List<Double> x, List<Double> y, List<Map<String, Object>> json,
                                           Function<Map<String, Object>, Double> jsonX,
                                           Function<Map<String, Object>, Double> jsonY) {
        assertThat(json).as(what + ": the JSON").isNotEmpty();
        double oldest = jsonX.apply(json.getFirst());
        List<List<Double>> page = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) {
            if (x.get(i) >= oldest) {
                page.add(java.util.Arrays.asList(x.get(i), y.get(i)));
            }
        }
        assertThat(page).as(what + ": the page's points still in the JSON").isNotEmpty();
        List<List<Double>> expected = json.stream().limit(page.size())
                .map(j -> java.util.Arrays.asList(jsonX.apply(j), jsonY.apply(j))).toList();
        assertThat(page).as(what + ": the page's points, (x, y)").isEqualTo(expected);
    }

    private static Map<String, Object> history(URI url) throws IOException, InterruptedException {
        Http.Result r = Http.get(url, "/debug/history", AUTH);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return Json.object(Json.parse(r.text()));
    }

    private static double time(Map<String, Object> sample) {
        return ((Number) sample.get("time")).doubleValue();
    }

    private static double count(Map<String, Object> counts, String key) {
        Object v = counts.get(key);
        return v == null ? 0 : ((Number) v).doubleValue();
    }

    /** {@code CLASS.METHOD(FILE.java:LINE)} of a test program, LINE its source line that is {@code code}. */
    static String site(Class<?> program, String code, String method) throws IOException {
        String file = program.getSimpleName() + ".java";
        List<String> lines = Files.readAllLines(Chromium.testClasses().getParent().getParent()
                .resolve("src/test/java/dev/leakhound/cli").resolve(file));
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(code)) {
                at.add(i + 1);
            }
        }
        assertThat(at).as(code + " in " + file).hasSize(1);
        return program.getName() + "." + method + "(" + file + ":" + at.getFirst() + ")";
    }
}

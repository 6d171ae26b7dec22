package dev.leakhound.agent;

import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.testing.BlockedThreads;
import dev.leakhound.testing.Http;
import dev.leakhound.testing.Json;
import dev.leakhound.testing.PprofProfile;
import dev.leakhound.capture.LiveThreads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent started in this JVM on port 0, with five virtual threads blocked in {@code SynchronousQueue.put};
 * every endpoint over real HTTP. The rate limit of {@code /debug/heap} runs on {@link #RATE_CLOCK}, which only the
 * test moves: whether a request is "too soon" never depends on how long the one before took.
 */
@Timeout(180)
class AgentEndpointsTest {
    private static final String PREFIX = "agent-endpoints-test-";
    private static final int BLOCKED = 5;
    private static final long HEAP_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
    /** The agent's rate-limit clock, in nanoseconds: it moves only when the test says. */
    private static final AtomicLong RATE_CLOCK = new AtomicLong();

    private static BlockedThreads blocked;
    private static LeakhoundAgent agent;
    private static URI url;

    @BeforeAll
    static void start() {
        blocked = new BlockedThreads(PREFIX, BLOCKED);
        agent = LeakhoundAgent.start(AgentOptions.parse("port=0,sampleMillis=200,window=3,maxThreads=1000,"
                + "heapIntervalMillis=" + Duration.ofNanos(HEAP_INTERVAL_NANOS).toMillis()), ThreadSource.jdkDump(),
                true, RATE_CLOCK::get);
        url = agent.url();
        assertThat(url).as("the server runs: " + agent.partsOff()).isNotNull();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            if (blocked != null) {
                blocked.close();
            }
        }
    }

    @Test
    void countIsEveryLiveThreadAsAPlainNumber() throws Exception {
        // JDK and HTTP client threads come and go between two captures (more of them on a busy machine): the count
        // must match the captures around it at a calm moment; one that left out a kind of thread never would.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            int before = LiveThreads.capture().threads().size();
            agent.sample();                 // the count answers from this capture or a later one, not an older one
            Http.Result r = Http.get(url, "/debug/threads/count");
            int after = LiveThreads.capture().threads().size();

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.contentType()).isEqualTo("text/plain; charset=utf-8");
            assertThat(r.text()).matches("\\d+\n");
            int count = Integer.parseInt(r.text().strip());
            assertThat(count).isGreaterThan(BLOCKED).isBetween(Math.min(before, after) - 2, Math.max(before, after) + 2);
        });
    }

    @Test
    void threadsAreCountedByKindStateAndContainer() throws Exception {
        Http.Result r = Http.get(url, "/debug/threads");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json; charset=utf-8");
        Map<String, Object> json = Json.object(Json.parse(r.text()));
        long total = (Long) json.get("total");
        long platform = (Long) json.get("platform");
        long virtual = (Long) json.get("virtual");
        assertThat(total).isEqualTo(platform + virtual);
        assertThat(virtual).isGreaterThanOrEqualTo(BLOCKED);
        Map<String, Object> states = Json.object(json.get("states"));
        assertThat((Long) Json.object(states.get("virtual")).get("WAITING")).isGreaterThanOrEqualTo(BLOCKED);
        assertThat((Long) Json.object(states.get("platform")).get("RUNNABLE")).isPositive();
        List<Map<String, Object>> containers = Json.objects(json.get("containers"));
        assertThat(containers.get(0).get("name")).isEqualTo("<root>");
        assertThat(containers.stream().mapToLong(c -> (Long) c.get("total")).sum()).isEqualTo(total);
    }

    @Test
    void debug1GroupsTheThreadsPprofStyle() throws Exception {
        Http.Result r = Http.get(url, "/debug/threads/dump?debug=1");

        assertThat(r.status()).isEqualTo(200);
        String text = r.text();
        assertThat(text).startsWith("thread profile: total ");
        assertThat(text).contains("\n" + BLOCKED + " @ WAITING in SynchronousQueue.put, parked on "
                + "java.util.concurrent.SynchronousQueue$Transferer (virtual; blocked with no timeout");
        assertThat(text).containsPattern("# blocked at dev\\.leakhound\\.testing\\.BlockedThreads\\.blockForever\\(BlockedThreads\\.java:\\d+\\)");
        assertThat(text).contains("#\tjava.util.concurrent.SynchronousQueue.put(SynchronousQueue.java:");
        assertThat(Http.get(url, "/debug/threads/dump").text()).as("debug=1 is the default")
                .startsWith("thread profile: total ");
        assertThat(Http.get(url, "/debug/threads/dump?format=text").text()).startsWith("thread profile: total ");
    }

    @Test
    void debug2ListsEveryThreadWithHowLongItHasWaited() throws Exception {
        Thread first = blocked.threads.get(0);
        String header = "thread #" + first.threadId() + " \"" + PREFIX + "0\" [WAITING in SynchronousQueue.put";
        Http.Result r = Http.get(url, "/debug/threads/dump?debug=2");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).startsWith("thread dump: total ").contains(header)
                .contains("    at dev.leakhound.testing.BlockedThreads.blockForever(BlockedThreads.java:");
        // The sampler saw them there; after a second, the header says for how long.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(Http.get(url, "/debug/threads/dump?debug=2").text())
                        .containsPattern(java.util.regex.Pattern.quote(header) + ", blocked for at least \\d+ s\\]:\n"
                                + "virtual, container <root>, parked on java\\.util\\.concurrent\\.SynchronousQueue\\$Transferer@"));
    }

    @Test
    void leakhoundsOwnThreadsAreLeftOutOfTheDumpsAndCounted() throws Exception {
        // The sampler runs, and so do the server's dispatcher and a worker once the server is up.
        String text = Http.get(url, "/debug/threads/dump?debug=2").text();
        assertThat(text).doesNotContain("\"leakhound-")
                .containsPattern("\n[1-9]\\d* of Leakhound's own threads not shown \\(leakhound-\\*: the agent's sampler"
                        + " and debug server\\)\n");
        assertThat(Http.get(url, "/debug/threads/dump?debug=1").text())
                .containsPattern("\n[1-9]\\d* of Leakhound's own threads not shown").doesNotContain("ThreadSampler.run");
        assertThat(Http.get(url, "/debug/threads/dump?format=json").text())
                .containsPattern("\"leakhoundThreadsNotShown\" : [1-9]").doesNotContain("\"leakhound-");
    }

    @Test
    void jsonDumpParsesAndHasTheGroup() throws Exception {
        Http.Result r = Http.get(url, "/debug/threads/dump?format=json");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json; charset=utf-8");
        Map<String, Object> json = Json.object(Json.parse(r.text()));
        List<Map<String, Object>> groups = Json.objects(json.get("groups"));
        assertThat(groups).hasSize(((Long) json.get("groupCount")).intValue());
        Map<String, Object> put = groups.stream().filter(g -> "SynchronousQueue.put".equals(g.get("waitingIn"))
                && String.valueOf(g.get("blockedAt")).contains("BlockedThreads.blockForever")).findFirst().orElseThrow();
        assertThat(put.get("count")).isEqualTo((long) BLOCKED);
        assertThat(put.get("virtualCount")).isEqualTo((long) BLOCKED);
        assertThat(put.get("state")).isEqualTo("WAITING");
        assertThat(put.get("blockedWithoutTimeout")).isEqualTo(true);
        assertThat(Json.objects(put.get("threads"))).extracting(t -> t.get("name"))
                .containsExactlyInAnyOrder(PREFIX + "0", PREFIX + "1", PREFIX + "2", PREFIX + "3", PREFIX + "4");
    }

    @Test
    void pprofIsAGzippedProfileWithOneSamplePerGroup() throws Exception {
        Http.Result r = Http.get(url, "/debug/threads/dump?format=pprof");

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/octet-stream");
        assertThat(PprofProfile.isGzip(r.body())).isTrue();
        PprofProfile profile = PprofProfile.decode(r.body());
        assertThat(profile.strings().get(0)).isEmpty();
        assertThat(profile.samples()).isNotEmpty().allMatch(s -> s.values().size() == 1 && s.values().get(0) >= 1);
        PprofProfile.Sample put = profile.samples().stream()
                .filter(s -> s.labels().contains("wait=SynchronousQueue.put") && s.values().get(0) == BLOCKED)
                .findFirst().orElseThrow(() -> new AssertionError(profile.samples()));
        assertThat(put.labels()).contains("state=WAITING", "kind=virtual");
        assertThat(profile.functionNames()).contains("java.util.concurrent.SynchronousQueue.put",
                "dev.leakhound.testing.BlockedThreads.blockForever");
        assertThat(Http.get(url, "/debug/threads/dump?debug=0").body()).as("debug=0 is pprof, as in Go")
                .satisfies(b -> assertThat(PprofProfile.isGzip(b)).isTrue());
    }

    @Test
    void gcListsTheCollectionsAsGctraceLinesAndAVerdict() throws Exception {
        System.gc();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            Http.Result r = Http.get(url, "/debug/gc");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).containsPattern("(?m)^gc \\d+ @\\d+\\.\\d{3}s .+ \\(System\\.gc\\(\\)\\) \\w+: .*MB");
        });
        String text = Http.get(url, "/debug/gc?n=1").text();
        assertThat(text).startsWith("gc: ").containsPattern("the last 1 \\(\\d+ kept\\)");
        assertThat(text.lines().filter(l -> l.startsWith("gc "))).hasSize(1);
        assertThat(text.lines().toList().getLast()).startsWith("heap after GC");
        assertThat(text).as("GC notifications give whole milliseconds: no made-up decimals")
                .containsPattern("(?m)^gc .*: \\d+ ms (pause|concurrent)").doesNotContainPattern("\\d\\.\\d+ ms");
        assertThat(Http.get(url, "/debug/gc?n=0").status()).isEqualTo(400);
    }

    @Test
    void metricsAreInPrometheusTextFormat() throws Exception {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            Http.Result r = Http.get(url, "/metrics");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(r.text()).contains("# TYPE leakhound_threads gauge")
                    .containsPattern("(?m)^leakhound_threads\\{kind=\"virtual\",state=\"WAITING\"} [1-9]\\d*(\\.0)?$")
                    .contains("leakhound_leak_suspects ");
        });
    }

    /** Prometheus asks for OpenMetrics first (its 2.42 Accept header): it gets it, GET or HEAD. */
    @Test
    void metricsInOpenMetricsWhenAsked() throws Exception {
        String accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        Http.Result r = Http.get(url, "/metrics", "Accept", accept);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(r.text()).contains("# TYPE leakhound_threads gauge").endsWith("# EOF\n");
        assertThat(Http.send("HEAD", url, "/metrics", "Accept", accept).contentType())
                .isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(Http.send("HEAD", url, "/metrics").contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void badParametersAreRefusedWithOneLine() throws Exception {
        Map<String, String> bad = Map.of(
                "/debug/threads/dump?debug=7", "bad request: debug=7: expected a number from 0 to 2\n",
                "/debug/threads/dump?format=xml", "bad request: format=xml: expected text or json or pprof\n",
                "/debug/threads/dump?debug=1&format=json", "bad request: give either debug or format, not both\n",
                "/debug/threads/count?x", "bad request: unknown parameter 'x': this endpoint takes none\n",
                "/debug/leaks?format=yaml", "bad request: format=yaml: expected text or json\n");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Http.Result r = Http.get(url, e.getKey());
            assertThat(r.status()).as(e.getKey()).isEqualTo(400);
            assertThat(r.text()).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(Http.send("POST", url, "/debug/threads/count").status()).isEqualTo(405);
        assertThat(Http.get(url, "/debug/goroutines").status()).isEqualTo(404);
    }

    @Test
    void heapGivesTheClassHistogramAndItsGrowthAtMostOncePerInterval() throws Exception {
        Http.Result first = Http.get(url, "/debug/heap?top=5");
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.text()).startsWith("heap class histogram at ")
                .containsPattern("total \\d+ instances, \\d+\\.\\d MB in \\d+ classes")
                .contains("the top 5 classes by bytes:");
        assertThat(first.text().lines().filter(l -> l.matches(" +\\d+ +\\d+ +\\d+  \\S.*"))).hasSize(5);

        // However long the first one took, the rate-limit clock has not moved: too soon.
        RATE_CLOCK.addAndGet(HEAP_INTERVAL_NANOS - 1);
        Http.Result tooSoon = Http.get(url, "/debug/heap?diff");
        assertThat(tooSoon.status()).as(tooSoon.toString()).isEqualTo(429);
        assertThat(tooSoon.header("Retry-After")).isEqualTo("1");
        assertThat(tooSoon.text()).startsWith("too many requests: /debug/heap forces a full GC");

        List<Object> kept = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            kept.add(new byte[64]);                                   // grows between the two histograms
            kept.add(new OwnClass(i, i));                             // so does a class of dev.leakhound's
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            RATE_CLOCK.addAndGet(HEAP_INTERVAL_NANOS);                // an interval has passed since the last one
            Http.Result diff = Http.get(url, "/debug/heap?diff&top=10");
            assertThat(diff.status()).isEqualTo(200);
            assertThat(diff.text()).containsPattern("since the previous histogram \\(.*\\): [-+]?\\d+ instances")
                    .containsPattern("\\+\\d+ +\\+\\d+ +\\d+ +\\d+  \\[B \\(java\\.base@")
                    .containsPattern("\\n[1-9]\\d* of Leakhound's own classes \\(dev\\.leakhound\\.\\*\\) that grew not shown\\n");
            String table = diff.text().substring(0, diff.text().indexOf("the top "));
            assertThat(table).doesNotContain("dev.leakhound.");
        });
        assertThat(kept).hasSize(40_000);
        assertThat(Http.get(url, "/debug/heap?top=0").status()).isEqualTo(400);
    }

    @Test
    void theIndexListsTheEndpoints() throws Exception {
        Http.Result r = Http.get(url, "/debug/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).contains("/debug/threads/count\n", "/debug/threads\n", "/debug/threads/dump\n",
                "/debug/leaks\n", "/debug/gc\n", "/debug/heap\n    HEAVY", "/metrics\n");
    }

    @Test
    void leaksReportsAGrowingBlockedGroup() throws Exception {
        String prefix = "agent-endpoints-growing-";
        List<BlockedThreads> batches = new java.util.ArrayList<>();
        try {
            // More threads blocked at the same line with every poll: a leak as the seed's sentinel agent has.
            // Each poll checks the text and the JSON of the same moment's suspects.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                batches.add(new GrowingLeak(prefix + batches.size() + "-", 2));
                Http.Result r = Http.get(url, "/debug/leaks");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).startsWith("leak suspects: ")
                        .containsPattern("\\[1\\] \\d+ virtual threads WAITING in SynchronousQueue\\.put, parked on ")
                        .containsPattern("  growth      \\+\\d+ threads over \\d+ (ms|s) \\(\\d+\\.\\d per sample, \\d+(\\.\\d)? per minute\\)")
                        .contains("  counts      ", "  blocked at  dev.leakhound.agent.AgentEndpointsTest$GrowingLeak.blockForever(");

                Map<String, Object> json = Json.object(Json.parse(Http.get(url, "/debug/leaks?format=json").text()));
                assertThat(json.get("window")).isEqualTo(3L);
                Map<String, Object> suspect = Json.objects(json.get("suspects")).stream()
                        .filter(s -> String.valueOf(s.get("blockedAt")).contains("GrowingLeak.blockForever"))
                        .findFirst().orElseThrow(() -> new AssertionError("no suspect in " + json));
                assertThat((Long) suspect.get("growth")).isGreaterThanOrEqualTo(2);
                assertThat(Json.array(suspect.get("counts"))).hasSize(3);
                assertThat(suspect.get("waitingIn")).isEqualTo("SynchronousQueue.put");
            });
            // One age per thread: every view counts it from the same first sightings, to the time of the sample it
            // shows; so the moment each view implies the oldest thread was first seen is the same, to the second.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                batches.add(new GrowingLeak(prefix + batches.size() + "-", 2));       // still growing: still a suspect
                String leaks = Http.get(url, "/debug/leaks").text();
                java.util.regex.Matcher oldest = java.util.regex.Pattern.compile("  oldest      blocked for at least (\\d+) s"
                        + " \\(since the first sample that saw it, at the latest sample (\\S+)\\)\n").matcher(leaks);
                assertThat(oldest.find()).as(leaks).isTrue();
                Instant fromLeaksText = Instant.parse(oldest.group(2)).minusSeconds(Long.parseLong(oldest.group(1)));

                Map<String, Object> json = Json.object(Json.parse(Http.get(url, "/debug/leaks?format=json").text()));
                Map<String, Object> suspect = Json.objects(json.get("suspects")).stream()
                        .filter(s -> String.valueOf(s.get("blockedAt")).contains("GrowingLeak.blockForever"))
                        .findFirst().orElseThrow(() -> new AssertionError("no suspect in " + json));
                Instant fromLeaksJson = Instant.parse((String) suspect.get("windowEnd"))
                        .minusSeconds((Long) suspect.get("blockedForSeconds"));

                Map<String, Object> dump = Json.object(Json.parse(Http.get(url, "/debug/threads/dump?format=json").text()));
                Map<String, Object> group = Json.objects(dump.get("groups")).stream()
                        .filter(g -> String.valueOf(g.get("stack")).contains("GrowingLeak.blockForever"))
                        .findFirst().orElseThrow(() -> new AssertionError("no group in " + dump));
                Instant fromDumpJson = Instant.parse((String) dump.get("time")).minusSeconds((Long) group.get("blockedForSeconds"));

                String every = Http.get(url, "/debug/threads/dump?debug=2").text();
                java.util.regex.Matcher at = java.util.regex.Pattern.compile("up to this capture \\(([^;)]+)").matcher(every);
                assertThat(at.find()).as(every).isTrue();
                java.util.regex.Matcher t = java.util.regex.Pattern.compile("\"" + prefix
                        + "\\d+-\\d+\" \\[WAITING in SynchronousQueue\\.put, blocked for at least (\\d+) s\\]").matcher(every);
                long longest = -1;
                while (t.find()) {
                    longest = Math.max(longest, Long.parseLong(t.group(1)));
                }
                assertThat(longest).as(every).isPositive();
                Instant fromDebug2 = Instant.parse(at.group(1)).minusSeconds(longest);

                for (Instant other : List.of(fromLeaksJson, fromDumpJson, fromDebug2)) {
                    assertThat(Duration.between(fromLeaksText, other).abs()).as("first seen " + fromLeaksText + " vs "
                            + other + " (leaks json, dump json, debug=2: " + List.of(fromLeaksJson, fromDumpJson, fromDebug2)
                            + ")").isLessThan(Duration.ofSeconds(1));
                }
            });
        } finally {
            for (BlockedThreads b : batches) {
                b.close();
            }
        }
    }

    /** Same as {@link BlockedThreads}, blocked at a line of its own, so that the leak is its own site. */
    static final class GrowingLeak extends BlockedThreads {
        GrowingLeak(String prefix, int n) {
            super(prefix, n);
        }

        @Override
        protected void blockForever() throws InterruptedException {
            nobodyTakes.put("nobody takes this either");
        }
    }

    /** An object of a class of Leakhound's own, for /debug/heap?diff to leave out. */
    private record OwnClass(long a, long b) {
    }
}

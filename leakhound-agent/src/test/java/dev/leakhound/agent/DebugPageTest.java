package dev.leakhound.agent;

import dev.leakhound.agent.endpoints.IndexPage;
import dev.leakhound.report.HtmlPage;
import dev.leakhound.testing.BlockedThreads;
import dev.leakhound.testing.Http;
import dev.leakhound.testing.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The live page of {@code /debug/} over real HTTP, with a token: the page and its assets are served without it (they
 * hold no data) with the strict headers, every data endpoint still wants it, and the history the charts draw is there.
 * (What the page does in a browser is the browser tests'.)
 */
@Timeout(180)
class DebugPageTest {
    private static final String TOKEN = "debug-page-test-token-0123456789";
    private static final String PREFIX = "debug-page-test-</script><script>alert(1)</script>-";
    private static final String[] BROWSER = {"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"};

    private static BlockedThreads blocked;
    private static LeakhoundAgent agent;
    private static URI url;

    @BeforeAll
    static void start() {
        blocked = new BlockedThreads(PREFIX, 3);
        agent = LeakhoundAgent.start(AgentOptions.parse("port=0,sampleMillis=200,window=3,token=" + TOKEN));
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

    private static Http.Result withToken(String path) throws Exception {
        return Http.get(url, path, "Authorization", "Bearer " + TOKEN);
    }

    @Test
    void thePageIsServedWithoutTheTokenWithStrictHeadersAndNoData() throws Exception {
        Http.Result page = Http.get(url, "/debug/", BROWSER);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(page.header("Content-Security-Policy")).isEqualTo("default-src 'none'; script-src 'self'; style-src"
                + " 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none';"
                + " frame-ancestors 'none'");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(page.header("Cache-Control")).isEqualTo("no-store");
        String html = page.text();
        assertThat(html).contains("<body data-view=\"live\" data-token=\"required\">", "<form id=\"token-form\"",
                "<input id=\"token\" type=\"password\"", "<script src=\"/debug/assets/leakhound.js\"></script>",
                "<script src=\"/debug/assets/uPlot.iife.min.js\"></script>",
                "<a href=\"/debug/history\">", "<a href=\"/debug/threads/dump\">", "<a href=\"/metrics\">")
                // no data of the host: not a thread's name, no inline script or style, no handler
                .doesNotContain("debug-page-test", "<script>", "<style", " style=", " onload", " onclick", "http://",
                        "https://")
                .doesNotContainPattern("(src|href)=\"(?!/|data:,\")")       // from this server only
                .doesNotContain(TOKEN);
        // HEAD says the same type without the token.
        Http.Result head = Http.send("HEAD", url, "/debug/", BROWSER);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(head.header("Content-Security-Policy")).isEqualTo(page.header("Content-Security-Policy"));
        assertThat(head.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(head.body()).isEmpty();
    }

    @Test
    void theAssetsAreServedFromTheJarWithoutTheToken() throws Exception {
        assertThat(HtmlPage.ASSETS.keySet()).containsExactly("uPlot.min.css", "leakhound.css", "uPlot.iife.min.js",
                "leakhound.js");
        for (String name : HtmlPage.ASSETS.keySet()) {
            Http.Result r = Http.get(url, IndexPage.ASSETS + name);
            assertThat(r.status()).as(name).isEqualTo(200);
            assertThat(r.contentType()).as(name).isEqualTo(name.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : "text/css; charset=utf-8");
            assertThat(r.body()).as(name).isEqualTo(HtmlPage.asset(name)).hasSizeGreaterThan(1000);
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
        assertThat(Http.get(url, IndexPage.ASSETS + "nothing.js").status()).as("no other path, and no token").isEqualTo(401);
        assertThat(Http.get(url, IndexPage.ASSETS + "nothing.js", "Authorization", "Bearer " + TOKEN).status())
                .isEqualTo(404);
        assertThat(Http.get(url, IndexPage.ASSETS + "leakhound.js?x=1").status()).as("no parameter").isEqualTo(400);
    }

    @Test
    void everyDataEndpointStillWantsTheToken() throws Exception {
        for (String path : List.of("/debug/history", "/debug/threads/dump?format=json", "/debug/threads",
                "/debug/threads/count", "/debug/leaks", "/debug/gc", "/metrics")) {
            Http.Result none = Http.get(url, path, BROWSER);
            assertThat(none.status()).as(path).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).as(path).startsWith("Bearer");
            assertThat(Http.get(url, path, "Accept", "application/json").status()).as(path).isEqualTo(401);
        }
        // The text index, for curl, is data of the agent's set-up: with the token, as before.
        assertThat(Http.get(url, "/debug/").status()).isEqualTo(401);
        Http.Result index = withToken("/debug/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.contentType()).startsWith("text/plain");
        assertThat(index.text()).contains("/debug/history\n    what the page's charts draw")
                .doesNotContain("/debug/assets/");
        // Only GET and HEAD are open: a POST to the page is refused before anything else.
        assertThat(Http.post(Duration.ofSeconds(60), url, "/debug/", BROWSER).status()).isEqualTo(401);
    }

    @Test
    void theHistoryHoldsTheSamplesAndTheCollections() throws Exception {
        System.gc();                                    // at least one collection for the GC part
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Http.Result r = withToken("/debug/history");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.contentType()).isEqualTo("application/json; charset=utf-8");
            Map<String, Object> h = Json.object(Json.parse(r.text()));
            assertThat(((Number) h.get("capacity")).intValue()).isEqualTo(360);
            assertThat(((Number) h.get("samplePeriodMillis")).intValue()).isEqualTo(200);
            List<Map<String, Object>> samples = Json.objects(h.get("samples"));
            assertThat(samples).hasSizeGreaterThanOrEqualTo(2);
            double previous = 0;
            for (Map<String, Object> s : samples) {
                double t = ((Number) s.get("time")).doubleValue();
                assertThat(t).isGreaterThan(previous).isGreaterThan(1.7e9);
                previous = t;
                assertThat(s).containsKeys("platform", "virtual", "sites");
            }
            Map<String, Object> last = samples.getLast();
            // the JVM always has runnable platform threads (Reference Handler, Signal Dispatcher)
            assertThat(((Number) Json.object(last.get("platform")).get("RUNNABLE")).longValue()).isPositive();
            Map<String, Object> gc = Json.object(h.get("gc"));
            List<Map<String, Object>> cycles = Json.objects(gc.get("cycles"));
            assertThat(cycles).isNotEmpty();
            assertThat(cycles).allSatisfy(c -> assertThat(c).containsKeys("number", "time", "startSeconds", "collector",
                    "kind", "heapAfter", "pauseMillis"));
            assertThat(cycles).anySatisfy(c -> assertThat(c.get("heapAfter")).isInstanceOf(Number.class));
        });
    }
}

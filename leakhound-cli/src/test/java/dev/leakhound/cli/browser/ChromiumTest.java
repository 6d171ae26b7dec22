package dev.leakhound.cli.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser harness itself, on tiny pages served by the JDK's HTTP server on loopback, before it is trusted with
 * Leakhound's pages: it sees console errors, uncaught exceptions and CSP violations, every request, types and
 * clicks, takes a screenshot, and leaves no process or directory behind.
 */
@Timeout(120)
class ChromiumTest {
    private static HttpServer site;
    private static HttpServer elsewhere;
    private static ExecutorService handlers;
    private static String origin;
    private static String otherOrigin;

    @TempDir
    static Path dir;

    @BeforeAll
    static void serve() throws IOException {
        handlers = Executors.newFixedThreadPool(2);
        elsewhere = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        elsewhere.createContext("/other.json", ex -> send(ex, "application/json", "{\"from\": \"elsewhere\"}",
                Map.of("Access-Control-Allow-Origin", "*")));
        elsewhere.setExecutor(handlers);
        elsewhere.start();
        otherOrigin = "http://127.0.0.1:" + elsewhere.getAddress().getPort();

        site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        site.createContext("/strict", ex -> send(ex, "text/html", """
                <!doctype html><html><head><title>strict</title><script src="/app.js"></script></head>
                <body><input id="name"><button id="go">go</button><p id="out"></p>
                <img src="%s/picture.png"></body></html>""".formatted(otherOrigin),
                Map.of("Content-Security-Policy", "default-src 'self'")));
        site.createContext("/app.js", ex -> send(ex, "text/javascript", """
                console.error('planted error', 42);
                fetch('/data.json').then(r => r.json()).then(d => { window.fetched = d.n; });
                setTimeout(() => { throw new Error('planted uncaught'); }, 0);
                document.addEventListener('DOMContentLoaded', () => {
                  document.querySelector('#go').addEventListener('click', () => {
                    document.querySelector('#out').textContent = 'hello ' + document.querySelector('#name').value;
                    document.documentElement.dataset.leakhound = 'ready';
                  });
                });""", Map.of()));
        site.createContext("/favicon.ico", ex -> {        // what Chromium asks for by itself: no 404 in the log
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        site.createContext("/data.json", ex -> send(ex, "application/json", "{\"n\": [1, 2.5, \"three\"]}", Map.of()));
        site.createContext("/open", ex -> send(ex, "text/html", """
                <!doctype html><html><body><script>
                fetch('%s/other.json').then(r => r.json()).then(d => { window.fetched = d.from; });
                </script></body></html>""".formatted(otherOrigin), Map.of()));
        site.setExecutor(handlers);
        site.start();
        origin = "http://127.0.0.1:" + site.getAddress().getPort();
    }

    private static void send(HttpExchange ex, String type, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        headers.forEach(ex.getResponseHeaders()::set);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterAll
    static void stop() {
        if (site != null) {
            site.stop(0);
        }
        if (elsewhere != null) {
            elsewhere.stop(0);
        }
        if (handlers != null) {
            handlers.close();
        }
    }

    @Test
    void seesConsoleErrorsExceptionsCspViolationsEveryRequestAndWhatItGot() throws Exception {
        try (Chromium chromium = Chromium.start()) {
            chromium.navigate(origin + "/strict");
            assertThat(chromium.evaluate("new Promise(r => { const t = () => window.fetched ? r(window.fetched) "
                    + ": setTimeout(t, 10); t(); })")).isEqualTo(List.of(1L, 2.5, "three"));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(chromium.errors())
                            .anyMatch(e -> e.equals("console.error: planted error 42"))
                            .anyMatch(e -> e.startsWith("uncaught: Error: planted uncaught"))
                            .anyMatch(e -> e.equals("console.error: CSP violation: img-src blocked " + otherOrigin
                                    + "/picture.png at " + origin + "/strict:3"))
                            .anyMatch(e -> e.startsWith("log (security): Loading the image '" + otherOrigin
                                    + "/picture.png' violates the following Content Security Policy directive")));
            assertThat(chromium.cspViolations()).hasSize(2);
            assertThat(chromium.responseBody(origin + "/data.json")).isEqualTo("{\"n\": [1, 2.5, \"three\"]}");
            // The image blocked by the CSP is still a request the page made.
            assertThat(chromium.requests()).contains(origin + "/strict", origin + "/app.js", origin + "/data.json",
                    otherOrigin + "/picture.png");
        }
    }

    @Test
    void seesARequestToAnotherOriginThatThePageAllows() throws Exception {
        try (Chromium chromium = Chromium.start()) {
            chromium.navigate(origin + "/open");
            assertThat(chromium.evaluate("new Promise(r => { const t = () => window.fetched ? r(window.fetched) "
                    + ": setTimeout(t, 10); t(); })")).isEqualTo("elsewhere");
            assertThat(chromium.requests()).contains(origin + "/open", otherOrigin + "/other.json");
            assertThat(chromium.errors()).isEmpty();
        }
    }

    @Test
    void typesClicksAndTakesAScreenshotThenLeavesNothingBehind() throws Exception {
        Chromium chromium = Chromium.start();
        Path profile;
        try {
            chromium.navigate(origin + "/strict");
            chromium.type("#name", "Ada");
            chromium.click("#go");
            chromium.awaitState("ready");
            assertThat(chromium.evaluate("document.querySelector('#out').textContent")).isEqualTo("hello Ada");
            Path png = chromium.screenshot("harness-selftest");
            assertThat(png).startsWith(Chromium.SCREENSHOTS).isRegularFile();
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image.getWidth()).isEqualTo(1280);
            assertThat(image.getHeight()).isPositive();
            profile = chromium.profile();
        } finally {
            chromium.close();
        }
        assertThat(chromium.ended()).as("Chromium and its helpers ended").isTrue();
        assertThat(profile).doesNotExist();
    }

    @Test
    void aPageThatSaysErrorFailsTheWaitWithItsMessage() throws Exception {
        Path page = dir.resolve("broken.html");
        Files.writeString(page, "<!doctype html><p id=error>the data could not be read</p>"
                + "<script>document.documentElement.dataset.leakhound = 'error'</script>");
        try (Chromium chromium = Chromium.start()) {
            chromium.navigate(page.toUri().toString());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> chromium.awaitState("ready"))
                    .hasStackTraceContaining("the page says error: the data could not be read");
            assertThat(chromium.requests()).containsExactly(page.toUri().toString());
        }
    }
}

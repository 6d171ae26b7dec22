package dev.leakhound.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Prometheus server (Debian's {@code prometheus}, found as {@link Promtool} finds promtool: a test without it
 * fails in CI and is skipped loudly elsewhere), on a free loopback port, with its own configuration and storage in a
 * temporary directory, scraping and evaluating every second. Queried through its HTTP API. {@link #close()} stops it
 * (killed if it has not ended 20 s after being asked) and deletes its directory.
 */
final class PrometheusServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How often it scrapes and evaluates the rules. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Process process;
    private final Path dir;
    private final URI url;

    private PrometheusServer(Process process, Path dir, URI url) {
        this.process = process;
        this.dir = dir;
        this.url = url;
    }

    /** The {@code prometheus} executable, or the calling test fails (in CI) or is skipped (elsewhere), loudly. */
    static Path require() {
        return Promtool.require("prometheus", "LEAKHOUND_PROMETHEUS", "the end-to-end tests in a real Prometheus");
    }

    /** A free port on the loopback address (free when asked: whoever binds it next takes it). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code prometheus} scraping {@code targets} ({@code host:port}, job {@code leakhound}) with the rule
     * file {@code rules} (copied next to its configuration), and waits until it is ready.
     */
    static PrometheusServer start(Path binary, Path rules, List<String> targets) throws IOException {
        Path dir = Files.createTempDirectory("leakhound-prometheus-");
        try {
            Files.copy(rules, dir.resolve("rules.yml"));
            String interval = INTERVAL.toSeconds() + "s";
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: %s
                      scrape_timeout: %s
                      evaluation_interval: %s
                    rule_files:
                      - rules.yml
                    scrape_configs:
                      - job_name: leakhound
                        static_configs:
                          - targets: [%s]
                    """.formatted(interval, interval, interval,
                    targets.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "))));
            // A port taken between freePort() and the bind: Prometheus exits at once; another port then.
            for (int attempt = 1; ; attempt++) {
                int port = freePort();
                Path log = dir.resolve("prometheus-" + attempt + ".log");
                Process p = new ProcessBuilder(binary.toString(),
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn")
                        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                PrometheusServer server = new PrometheusServer(p, dir, URI.create("http://127.0.0.1:" + port + "/"));
                if (server.awaitReady(Duration.ofSeconds(120))) {
                    return server;
                }
                String output = Files.readString(log);
                server.stop();
                if (attempt == 3 || !output.contains("address already in use")) {
                    throw new AssertionError("prometheus did not get ready on port " + port + ":\n" + output);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** True once {@code /-/ready} answers 200; false if the process ended or the deadline passed first. */
    private boolean awaitReady(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (process.isAlive() && System.nanoTime() - deadline < 0) {
            try {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(url.resolve("/-/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS);          // a pause that ends at once if it exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    URI url() {
        return url;
    }

    /** The rule file it loaded. */
    Path rules() {
        return dir.resolve("rules.yml");
    }

    /** {@code /api/v1/query?query=EXPR}: the {@code data.result} array of a successful answer. */
    JsonNode query(String expr) throws IOException, InterruptedException {
        return data("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)).path("result");
    }

    /** {@code /api/v1/alerts}: the pending and firing alerts. */
    JsonNode alerts() throws IOException, InterruptedException {
        return data("/api/v1/alerts").path("alerts");
    }

    /** {@code /api/v1/targets}: the active targets and their health. */
    JsonNode activeTargets() throws IOException, InterruptedException {
        return data("/api/v1/targets?state=active").path("activeTargets");
    }

    /** {@code /api/v1/rules}: the rule groups as loaded. */
    JsonNode ruleGroups() throws IOException, InterruptedException {
        return data("/api/v1/rules").path("groups");
    }

    private JsonNode data(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(url.resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("prometheus " + pathAndQuery + ": " + r.statusCode() + " " + r.body());
        }
        return body.path("data");
    }

    /** What it logged (warnings and errors). */
    String log() {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> logs = new ArrayList<>();
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                logs.add(Files.readString(f));
            }
            return String.join("\n", logs);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            deleteTree(dir);
        }
    }

    /** Deletes {@code root} and all below it, if it is there. */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}

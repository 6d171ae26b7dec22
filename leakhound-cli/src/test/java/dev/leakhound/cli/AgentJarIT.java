package dev.leakhound.cli;

import dev.leakhound.testing.Json;
import dev.leakhound.testing.Http;
import dev.leakhound.testing.PprofProfile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code java -javaagent:leakhound.jar=... TinyService}: the shaded jar as an agent in a JVM of its own, running
 * a program that knows nothing of Leakhound; every endpoint over real HTTP. Runs under failsafe, after
 * {@code package} made the jar.
 */
@Timeout(300)
class AgentJarIT {
    static final Pattern SERVER_LINE = Pattern.compile("leakhound-agent: debug server on (http://127\\.0\\.0\\.1:\\d+/)debug/\n");
    private static final String TOKEN = "it-token-0123456789abcdef";

    @TempDir
    static Path dir;

    private static Path jar;

    @BeforeAll
    static void theJar() {
        jar = ChildJvm.shadedJar();
    }

    static String javaagent(Path jar, String options) {
        return "-javaagent:" + jar + (options.isEmpty() ? "" : "=" + options);
    }

    @Test
    void theJarIsAnAgentWithItsLibrariesRelocated() throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Attributes main = jf.getManifest().getMainAttributes();
            assertThat(main.getValue("Main-Class")).isEqualTo("dev.leakhound.cli.Main");
            assertThat(main.getValue("Premain-Class")).isEqualTo("dev.leakhound.agent.Agent");
            assertThat(main.getValue("Agent-Class")).isEqualTo("dev.leakhound.agent.Agent");
            assertThat(main.getValue("Can-Retransform-Classes")).isEqualTo("true");
            assertThat(main.getValue("Can-Redefine-Classes")).isEqualTo("true");
            List<String> names = jf.stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("dev/leakhound/agent/Agent.class", "dev/leakhound/agent/http/DebugServer.class")
                    .anyMatch(n -> n.startsWith("dev/leakhound/shaded/protobuf/"))
                    .anyMatch(n -> n.startsWith("dev/leakhound/shaded/prometheus/"))
                    .noneMatch(n -> n.startsWith("com/google/") || n.startsWith("io/prometheus/")
                            || n.startsWith("com/fasterxml/") || n.startsWith("picocli/"));
            // Every class is ours or relocated: nothing can clash with the host's classes, and no
            // versioned (multi-release) copy keeps an original package name.
            assertThat(names.stream().filter(n -> n.endsWith(".class")))
                    .allMatch(n -> n.startsWith("dev/leakhound/"), "under dev/leakhound/");
            assertThat(names).noneMatch(n -> n.startsWith("META-INF/versions/") || n.startsWith("google/"));
        }
    }

    @Test
    void aProgramThatKnowsNothingOfLeakhoundIsWatchedOverHttp() throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar,
                "port=0,sampleMillis=250,window=6,heapIntervalMillis=3600000,gctrace=true")), "5", "300")) {
            URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));

            // /debug/threads/count: every live thread, as a plain number, equal to the counts by kind.
            Http.Result count = Http.get(url, "/debug/threads/count");
            assertThat(count.status()).isEqualTo(200);
            assertThat(count.text()).matches("\\d+\n");
            // /debug/threads answers from a capture up to 1 s old (shared captures), /debug/threads/count counts now,
            // and a checker thread starts every 300 ms: wait for a capture taken after main started its 5 blocked
            // threads, and close enough in time to a count that the two agree within 3 threads.
            AtomicReference<Map<String, Object>> latest = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                Map<String, Object> c = Json.object(Json.parse(Http.get(url, "/debug/threads").text()));
                long now = Long.parseLong(Http.get(url, "/debug/threads/count").text().strip());
                long t = (Long) c.get("total");
                assertThat((Long) c.get("virtual")).isGreaterThanOrEqualTo(5);
                assertThat(now).as("count vs. " + c).isBetween(t - 3, t + 3);
                latest.set(c);
            });
            Map<String, Object> counts = latest.get();
            long total = (Long) counts.get("total");
            assertThat((Long) counts.get("platform") + (Long) counts.get("virtual")).isEqualTo(total);
            assertThat((Long) counts.get("virtual")).as("5 blocked + the growing checkers").isGreaterThanOrEqualTo(5);
            assertThat((String) counts.get("source")).as("loaded with -javaagent, the agent opens the thread containers")
                    .startsWith("JDK thread containers");

            // debug=1: the blocked site, grouped.
            String grouped = Http.get(url, "/debug/threads/dump?debug=1").text();
            assertThat(grouped).startsWith("thread profile: total ")
                    .contains("\n5 @ WAITING in SynchronousQueue.put, parked on java.util.concurrent.SynchronousQueue$Transferer (virtual; blocked with no timeout")
                    .containsPattern("# blocked at dev\\.leakhound\\.cli\\.TinyService\\.answer\\(TinyService\\.java:\\d+\\)")
                    // where the agent saw them started: the line in main, and the checkers' lambda
                    .containsPattern("# started at dev\\.leakhound\\.cli\\.TinyService\\.main\\(TinyService\\.java:\\d+\\)");

            // debug=2: every thread, the blocked ones named.
            String every = Http.get(url, "/debug/threads/dump?debug=2").text();
            assertThat(every).containsPattern("thread #\\d+ \"tiny-blocked-0\" \\[WAITING in SynchronousQueue\\.put(, blocked for at least \\d+ s)?(, started \\d+ s ago)?\\]:\n"
                    + "virtual, container <root>, parked on java\\.util\\.concurrent\\.SynchronousQueue\\$Transferer@\\p{XDigit}+"
                    + ", started at dev\\.leakhound\\.cli\\.TinyService\\.main\\(TinyService\\.java:\\d+\\)\n"
                    + "    at ");

            assertThat(child.stderr()).as("the agent prints nothing into the host but its own lines").doesNotContain("WARNING");

            // format=json parses; format=pprof is gzip and decodes into one sample per group.
            Map<String, Object> json = Json.object(Json.parse(Http.get(url, "/debug/threads/dump?format=json").text()));
            assertThat(Json.objects(json.get("groups"))).anySatisfy(g -> assertThat(g)
                    .containsEntry("count", 5L).containsEntry("waitingIn", "SynchronousQueue.put"));
            Http.Result pprof = Http.get(url, "/debug/threads/dump?format=pprof");
            assertThat(pprof.status()).isEqualTo(200);
            assertThat(pprof.contentType()).isEqualTo("application/octet-stream");
            assertThat(PprofProfile.isGzip(pprof.body())).isTrue();
            PprofProfile profile = PprofProfile.decode(pprof.body());
            assertThat(child.stderr()).as("encoding pprof prints no JDK warning into the host (protobuf without Unsafe)")
                    .doesNotContain("WARNING");
            assertThat(profile.samples()).anySatisfy(s -> assertThat(s.labels()).contains("wait=SynchronousQueue.put")
                    .anyMatch(l -> l.matches("started_at=dev\\.leakhound\\.cli\\.TinyService\\.main\\(TinyService\\.java:\\d+\\)"))
                    .satisfies(l -> assertThat(s.values()).containsExactly(5L)));
            assertThat(profile.functionNames()).contains("dev.leakhound.cli.TinyService.answer");

            // /debug/leaks: the checkers blocked in done.put grow every 300 ms: the seed's sentinel agent.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                    assertThat(Http.get(url, "/debug/leaks").text())
                            .containsPattern("\\[1\\] \\d+ virtual threads WAITING in ArrayBlockingQueue\\.put")
                            .contains("  blocked at  dev.leakhound.cli.TinyService.check(TinyService.java:")
                            .containsPattern("  started at  dev\\.leakhound\\.cli\\.TinyService\\.lambda\\$main\\$\\d+\\(TinyService\\.java:\\d+\\) by \"tiny-rounds\"")
                            .contains("  first start "));
            Map<String, Object> leaks = Json.object(Json.parse(Http.get(url, "/debug/leaks?format=json").text()));
            assertThat(Json.objects(leaks.get("suspects"))).anySatisfy(s -> assertThat(s)
                    .containsEntry("waitingIn", "ArrayBlockingQueue.put")
                    .satisfies(m -> assertThat((Long) m.get("growth")).isGreaterThanOrEqualTo(2)));
            // The 5 threads blocked in SynchronousQueue.put from the start may be named too, or not: a sample taken
            // while main was still starting them saw them grow (a burst is a leak, and stays named while stuck).

            // /debug/heap forces a full GC: a histogram, then 429 when asked again at once.
            Http.Result heap = Http.get(url, "/debug/heap?top=5");
            assertThat(heap.status()).as(heap.toString()).isEqualTo(200);
            assertThat(heap.text()).contains("the top 5 classes by bytes:");
            assertThat(Http.get(url, "/debug/heap").status()).isEqualTo(429);

            // /debug/gc: that full GC among the collections; with gctrace, its line on standard error.
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(Http.get(url, "/debug/gc").text())
                    .containsPattern("(?m)^gc \\d+ @\\d+\\.\\d{3}s .*MB"));
            assertThat(Http.get(url, "/debug/gc").text().lines().toList().getLast()).startsWith("heap after GC");
            child.awaitStderr(Pattern.compile("(?m)^gc \\d+ @\\d+\\.\\d{3}s .+; heap after GC "));

            // /metrics: Prometheus text, as of the latest sample.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                Http.Result metrics = Http.get(url, "/metrics");
                assertThat(metrics.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
                assertThat(metrics.text()).containsPattern("(?m)^leakhound_threads\\{kind=\"virtual\",state=\"WAITING\"} [1-9]")
                        .containsPattern("(?m)^leakhound_leak_suspects [1-9]");
            });

            // Bad requests.
            assertThat(Http.send("POST", url, "/debug/threads/count").status()).isEqualTo(405);
            assertThat(Http.send("DELETE", url, "/debug/heap").status()).isEqualTo(405);
            assertThat(Http.get(url, "/goroutines").status()).isEqualTo(404);
            Http.Result bad = Http.get(url, "/debug/threads/dump?debug=7");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.text()).isEqualTo("bad request: debug=7: expected a number from 0 to 2\n");

            // The program ends normally: the agent keeps nothing alive.
            assertThat(child.exit()).as(child.toString()).isZero();
            assertThat(child.stdout()).endsWith("bye\n");
            assertThat(child.stderr().lines().filter(l -> l.startsWith("leakhound-agent: ")))
                    .as("nothing but the server line").containsExactly(
                            "leakhound-agent: debug server on " + url + "debug/");
        }
    }

    @Test
    void withATokenEveryRequestMustCarryIt() throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar, "port=0,token=" + TOKEN)), "1")) {
            URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));
            Http.Result none = Http.get(url, "/debug/threads/count");
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(Http.get(url, "/debug/threads/count", "Authorization", "Bearer wrong-token-0123456789").status())
                    .isEqualTo(401);
            assertThat(Http.get(url, "/debug/threads/count", "Authorization", "Bearer " + TOKEN).status()).isEqualTo(200);
            assertThat(child.exit()).isZero();
            assertThat(child.stderr()).doesNotContain(TOKEN);
        }
    }

    /**
     * The page of {@code /debug/} and its assets come from the shaded jars (this one and the agent module's), and are
     * served without the token; the data the page fetches is not.
     */
    @Test
    void thePageAndItsAssetsAreInTheJarsAndServedWithoutTheToken() throws Exception {
        Path agentJar;
        // leakhound-cli/target/leakhound.jar -> leakhound-agent/target
        try (var files = java.nio.file.Files.list(jar.getParent().getParent().resolveSibling("leakhound-agent/target"))) {
            agentJar = files.filter(f -> f.getFileName().toString().matches("leakhound-agent-[^-]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("the agent module's shaded jar (mvn package)"));
        }
        for (Path j : List.of(jar, agentJar)) {
            try (JarFile jf = new JarFile(j.toFile())) {
                for (String asset : dev.leakhound.report.HtmlPage.ASSETS.values()) {
                    ZipEntry e = jf.getEntry("dev/leakhound/report/web/" + asset);
                    assertThat(e).as(j + " holds " + asset).isNotNull();
                    assertThat(e.getSize()).as(asset).isGreaterThan(1000);
                }
            }
        }
        try (ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar, "port=0,token=" + TOKEN)), "1")) {
            URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));
            Http.Result page = Http.get(url, "/debug/", "Accept", "text/html");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("Content-Security-Policy")).startsWith("default-src 'none'; script-src 'self';");
            assertThat(page.text()).contains("<script src=\"/debug/assets/leakhound.js\"></script>");
            for (String asset : dev.leakhound.report.HtmlPage.ASSETS.keySet()) {
                Http.Result a = Http.get(url, "/debug/assets/" + asset);
                assertThat(a.status()).as(asset).isEqualTo(200);
                assertThat(a.body()).as(asset).isEqualTo(dev.leakhound.report.HtmlPage.asset(asset));
            }
            assertThat(Http.get(url, "/debug/history").status()).isEqualTo(401);
            Http.Result history = Http.get(url, "/debug/history", "Authorization", "Bearer " + TOKEN);
            assertThat(history.status()).isEqualTo(200);
            assertThat(Json.object(Json.parse(history.text()))).containsKeys("capacity", "samples", "gc");
            assertThat(child.exit()).isZero();
        }
    }

    @Test
    void aNonLoopbackAddressWithoutATokenIsRefusedAndTheProgramRuns() throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar, "host=0.0.0.0,port=0")), "1")) {
            assertThat(child.exit()).as(child.toString()).isZero();
            assertThat(child.stderr()).isEqualTo("leakhound-agent: bad options, the agent is off: agent option "
                    + "host=0.0.0.0 is not a loopback address: a token is required (token=... or tokenEnv=VARIABLE, "
                    + "at least 16 characters)\n");
        }
    }

    @Test
    void aPortInUseIsOneLineAndTheProgramRunsAndEndsNormally() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar, "port=" + taken.getLocalPort())), "3")) {
            Matcher line = child.awaitStderr(Pattern.compile("leakhound-agent: .*\n"));
            assertThat(line.group()).startsWith("leakhound-agent: debug server failed and is switched off: ")
                    .contains("Address already in use");
            assertThat(child.exit()).as(child.toString()).isZero();
            assertThat(child.stdout()).isEqualTo("ready\nbye\n");
            assertThat(child.stderr()).as("exactly one line, no stack trace").isEqualTo(line.group());
        }
    }

    @Test
    void badOptionsAreOneLineAndTheProgramRuns() throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar, "port=6060,colour=blue")), "2")) {
            assertThat(child.exit()).isZero();
            assertThat(child.stdout()).isEqualTo("ready\nbye\n");
            assertThat(child.stderr()).startsWith("leakhound-agent: bad options, the agent is off: unknown agent option "
                    + "'colour' (known: port, host, ").hasLineCount(1);
        }
    }

    @Test
    void theStopOptionIsHarmlessWhenNothingRuns() throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, List.of(javaagent(jar, "stop")), "1")) {
            assertThat(child.exit()).isZero();
            assertThat(child.stderr()).isEqualTo("leakhound-agent: not running, nothing to stop\n");
        }
    }
}

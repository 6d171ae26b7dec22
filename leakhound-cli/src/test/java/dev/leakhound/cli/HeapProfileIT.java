package dev.leakhound.cli;

import dev.leakhound.testing.Http;
import dev.leakhound.testing.PprofProfile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.leakhound.cli.AgentJarIT.SERVER_LINE;
import static dev.leakhound.cli.AgentJarIT.javaagent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /debug/heap/profile} of the shaded jar loaded as an agent ({@code heapProfile=true}) into a JVM of its own
 * running {@link HeapWorkload}: a real JFR recording of a real leak, over real HTTP, the pprof decoded.
 */
@Timeout(300)
class HeapProfileIT {
    @TempDir
    static Path dir;

    private static Path jar;

    @BeforeAll
    static void theJar() {
        jar = ChildJvm.shadedJar();
    }

    private static ChildJvm workload(String options, List<String> jvmArgs, String mode) throws Exception {
        List<String> args = new ArrayList<>(jvmArgs);
        args.add(javaagent(jar, options));
        return ChildJvm.start(dir, java(), HeapWorkload.class, args, mode);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The sample with the most of the value at {@code index} (1: space). */
    private static PprofProfile.Sample largest(PprofProfile p) {
        return p.samples().stream().max(Comparator.comparingLong(s -> s.values().get(1))).orElseThrow();
    }

    @Test
    void theLeakingLineTopsInuseWithinAMinuteWithItsStartSiteAndRootPath() throws Exception {
        try (ChildJvm child = workload("port=0,heapProfile=true,heapIntervalMillis=3600000", List.of("-Xmx1g"), "leak")) {
            URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));
            AtomicReference<PprofProfile> inuse = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Http.Result r = Http.get(url, "/debug/heap/profile?kind=inuse");
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                PprofProfile p = PprofProfile.decode(r.body());
                assertThat(p.frames(largest(p))).as("the largest inuse site").anyMatch(f -> f.startsWith(
                        "dev.leakhound.cli.HeapWorkload.leakOne:"));
                inuse.set(p);
            });
            PprofProfile p = inuse.get();
            assertThat(p.sampleTypes()).containsExactly("inuse_objects/count", "inuse_space/bytes");
            PprofProfile.Sample top = largest(p);
            assertThat(top.labels()).contains("kind=virtual")
                    .anyMatch(l -> l.startsWith("started_at=dev.leakhound.cli.HeapWorkload.main"));

            Http.Result text = Http.get(url, "/debug/heap/profile?kind=inuse&debug=1&top=3");
            assertThat(text.contentType()).startsWith("text/plain");
            String firstSite = text.text().lines().filter(l -> l.matches("\\s+[0-9.]+ [kMG]?B .*"))
                    .findFirst().orElseThrow();
            assertThat(firstSite).as(text.text()).contains("HeapWorkload.leakOne");
            assertThat(text.text()).contains("started at dev.leakhound.cli.HeapWorkload.main").contains("oldest ");

            Http.Result roots = Http.get(url, "/debug/heap/profile?kind=inuse&roots=1&debug=1&top=1");
            assertThat(roots.status()).as(roots.text()).isEqualTo(200);
            assertThat(roots.text()).contains("path from a GC root").contains("leaked -> java.util.ArrayList.elementData");
            Http.Result again = Http.get(url, "/debug/heap/profile?kind=inuse&roots=1");
            assertThat(again.status()).as("roots=1 is rate-limited").isEqualTo(429);
            assertThat(again.header("Retry-After")).isNotNull();

            Http.Result alloc = Http.get(url, "/debug/heap/profile?kind=alloc&seconds=30");
            assertThat(alloc.status()).isEqualTo(200);
            assertThat(alloc.contentType()).isEqualTo("application/octet-stream");
            PprofProfile a = PprofProfile.decode(alloc.body());
            assertThat(a.sampleTypes()).containsExactly("alloc_objects/count", "alloc_space/bytes");
            assertThat(a.samples()).anyMatch(s -> a.frames(s).stream().anyMatch(f -> f.startsWith(
                    "dev.leakhound.cli.HeapWorkload.makeGarbage:")) && s.labels().contains("kind=platform"));
            String allocText = Http.get(url, "/debug/heap/profile?kind=alloc&seconds=30&debug=1").text();
            assertThat(allocText).startsWith("heap profile (alloc)").contains("HeapWorkload.makeGarbage");

            assertThat(Http.get(url, "/debug/heap/profile?kind=alloc&seconds=301").status()).isEqualTo(400);
            assertThat(Http.get(url, "/debug/heap/profile?kind=heap").status()).isEqualTo(400);
            assertThat(Http.get(url, "/debug/heap/profile?kind=alloc&roots=1").status()).isEqualTo(400);
            assertThat(Http.get(url, "/debug/").text()).contains("/debug/heap/profile");
            assertThat(child.exit()).isZero();
        }
    }

    /**
     * Memory allocated and dropped: the top inuse site does not grow. JFR's old-object sample keeps a sampled
     * object until a GC finds it dead, so each read follows a full GC ({@code /debug/heap}): the site of the ring
     * ({@link HeapWorkload#replaceOne}, 64 live buffers of 64 KB) can then show at most its live buffers and those it
     * allocated since the GC (counted by the program's rounds: 64 a round), whatever the sampling drew. Four reads,
     * each after the program replaced its whole ring 20 times over (its own progress, not a time): the top site is
     * the ring's, within that bound. (A leak's site grows past any such bound: it keeps what it allocated.)
     */
    @Test
    void aSteadyProgramsTopInuseSiteDoesNotGrow() throws Exception {
        try (ChildJvm child = workload("port=0,heapProfile=true,heapIntervalMillis=1000", List.of("-Xmx256m"),
                "steady")) {
            URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));
            List<String> reads = new ArrayList<>();
            for (int read = 0; read < 4; read++) {
                int from = round(child);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .until(() -> round(child) >= from + 20);
                int beforeGc = round(child);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> Http.get(url, "/debug/heap?top=1").status() == 200);   // a full GC
                PprofProfile p = PprofProfile.decode(Http.get(url, "/debug/heap/profile").body());
                long bound = 64L * (round(child) - beforeGc + 2);       // live, the round under way, and since
                PprofProfile.Sample top = largest(p);
                reads.add(top.values() + " " + p.frames(top));
                assertThat(p.frames(top)).as("read " + read + ": " + reads)
                        .anyMatch(f -> f.startsWith("dev.leakhound.cli.HeapWorkload.replaceOne:"));
                assertThat(top.values().get(0)).as("objects, read " + read + ": " + reads).isLessThanOrEqualTo(bound);
                assertThat(top.values().get(1)).as("bytes, read " + read + ": " + reads)
                        .isLessThanOrEqualTo(bound * (64 * 1024 + 16));
            }
            assertThat(child.exit()).isZero();
        }
    }

    private static int round(ChildJvm child) throws java.io.IOException {
        Matcher m = Pattern.compile("round (\\d+)\n").matcher(child.stdout());
        int last = 0;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    @Test
    void offByDefaultItSaysHowToTurnItOn() throws Exception {
        try (ChildJvm child = workload("port=0", List.of(), "steady")) {
            URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));
            Http.Result r = Http.get(url, "/debug/heap/profile");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.text()).contains("heapProfile=true");
            assertThat(child.exit()).isZero();
        }
    }

    /** Without the jdk.jfr module, or with JFR disabled: 503 that says so, and the rest of the agent answers. */
    @Test
    void withoutJfrTheEndpointSaysSoAndTheRestRuns() throws Exception {
        for (List<String> jvm : List.of(
                List.of("--limit-modules", "java.base,java.instrument,java.management,jdk.management"),
                List.of("-XX:-FlightRecorder"))) {
            try (ChildJvm child = workload("port=0,heapProfile=true", jvm, "steady")) {
                URI url = URI.create(child.awaitStderr(SERVER_LINE).group(1));
                Http.Result r = Http.get(url, "/debug/heap/profile?debug=1");
                assertThat(r.status()).as(jvm.toString()).isEqualTo(503);
                assertThat(r.text()).as(jvm.toString()).containsAnyOf("jdk.jfr module is not in this JVM",
                        "JFR is not available");
                assertThat(Http.get(url, "/debug/threads/count").status()).isEqualTo(200);
                assertThat(child.stderr()).contains("heap profile is off");
                assertThat(child.exit()).isZero();
            }
        }
    }
}

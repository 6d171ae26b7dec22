package dev.leakhound.cli;

import dev.leakhound.testing.Http;
import dev.leakhound.testing.Json;
import dev.leakhound.testing.OlderJdk;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The shaded jar's agent in a JVM of a real JDK 21 (skipped where there is none, see {@link OlderJdk#require21()}),
 * loaded at start ({@code -javaagent}) and by {@code leakhound attach} from the Java running the tests: its endpoints
 * answer over HTTP with the blocked virtual threads, where they were started (JDK 21's {@code VirtualThread} has
 * other methods than later ones), the heap proof refuses JDK 21's dump (no roots for parked virtual threads), and
 * the program ends normally. Runs under failsafe, after {@code package}.
 */
@Timeout(300)
class Jdk21AgentIT {

    @TempDir
    static Path dir;

    private static Path jar;

    @BeforeAll
    static void theJar() {
        jar = ChildJvm.shadedJar();
    }

    /** The heap profile's JFR recording on JDK 21: the leaking line tops {@code kind=inuse} as on JDK 25. */
    @Test
    void theHeapProfileOnJdk21NamesTheLeakingLine() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require21();
        try (ChildJvm child = ChildJvm.start(dir, jdk.java(), HeapWorkload.class,
                List.of("-Xmx1g", AgentJarIT.javaagent(jar, "port=0,heapProfile=true")), "leak")) {
            URI url = URI.create(child.awaitStderr(AgentJarIT.SERVER_LINE).group(1));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Http.Result r = Http.get(url, "/debug/heap/profile?kind=inuse&debug=1&top=3");
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                String firstSite = r.text().lines().filter(l -> l.matches("\\s+[0-9.]+ [kMG]?B .*")).findFirst()
                        .orElseThrow(() -> new AssertionError("no site yet in " + r.text()));
                assertThat(firstSite).as(r.text()).contains("HeapWorkload.leakOne");
            });
            Http.Result alloc = Http.get(url, "/debug/heap/profile?kind=alloc&seconds=30&debug=1");
            assertThat(alloc.status()).as(alloc.text()).isEqualTo(200);
            assertThat(alloc.text()).startsWith("heap profile (alloc)").contains("HeapWorkload.makeGarbage");
            assertThat(child.exit()).as(child.toString()).isZero();
        }
    }

    @Test
    void theAgentLoadedAtStartOnJdk21AnswersOverHttp() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require21();
        try (ChildJvm child = ChildJvm.start(dir, jdk.java(), List.of(AgentJarIT.javaagent(jar, "port=0,heapProof=true")),
                "3")) {
            URI url = URI.create(child.awaitStderr(AgentJarIT.SERVER_LINE).group(1));
            assertThat(Http.get(url, "/debug/threads/count").text()).matches("\\d+\n");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                Map<String, Object> counts = Json.object(Json.parse(Http.get(url, "/debug/threads").text()));
                assertThat((Long) counts.get("virtual")).isGreaterThanOrEqualTo(3);
                assertThat((String) counts.get("source")).startsWith("JDK thread containers");
            });
            assertThat(Http.get(url, "/debug/threads/dump?debug=1").text()).startsWith("thread profile: total ")
                    .contains("\n3 @ WAITING in SynchronousQueue.put, parked on java.util.concurrent.SynchronousQueue$Transferer (virtual; blocked with no timeout")
                    .containsPattern("# blocked at dev\\.leakhound\\.cli\\.TinyService\\.answer\\(TinyService\\.java:\\d+\\)")
                    .containsPattern("# started at dev\\.leakhound\\.cli\\.TinyService\\.main\\(TinyService\\.java:\\d+\\)");
            assertThat(Http.get(url, "/debug/threads/dump?debug=2").text())
                    .containsPattern("thread #\\d+ \"tiny-blocked-0\" \\[WAITING in SynchronousQueue\\.put(, blocked for at least \\d+ s)?(, started \\d+ s ago)?\\]:\n"
                            + "virtual, container <root>, parked on java\\.util\\.concurrent\\.SynchronousQueue\\$Transferer@\\p{XDigit}+"
                            + ", started at dev\\.leakhound\\.cli\\.TinyService\\.main\\(TinyService\\.java:\\d+\\)\n");
            Map<String, Object> json = Json.object(Json.parse(Http.get(url, "/debug/threads/dump?format=json").text()));
            assertThat(Json.objects(json.get("groups"))).anySatisfy(g -> assertThat(g)
                    .containsEntry("count", 3L).containsEntry("waitingIn", "SynchronousQueue.put"));
            Http.Result heap = Http.get(url, "/debug/heap?top=5");
            assertThat(heap.status()).as(heap.toString()).isEqualTo(200);
            assertThat(heap.text()).contains("the top 5 classes by bytes:");
            // that full GC, seen by the agent's GC listener on JDK 21
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Http.get(url, "/debug/gc").text())
                    .containsPattern("(?m)^gc \\d+ @\\d+\\.\\d{3}s .*MB"));
            // The heap proof: JDK 21's dump has no thread roots for the parked virtual threads, so it is refused.
            Http.Result proof = Http.post(Duration.ofSeconds(120), url, "/debug/leaks/proof");
            assertThat(proof.status()).as(proof + "\n" + child).isEqualTo(200);
            assertThat(Json.object(Json.parse(proof.text())).get("refused")).as(proof.text()).asString()
                    .startsWith("3 live virtual threads have no thread root").contains("JDK 21 and 22");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(Http.get(url, "/metrics").text())
                            .containsPattern("(?m)^leakhound_threads\\{kind=\"virtual\",state=\"WAITING\"} [1-9]"));

            assertThat(child.exit()).as(child.toString()).isZero();
            assertThat(child.stdout()).endsWith("bye\n");
            assertThat(child.stderr().lines().filter(l -> l.startsWith("leakhound-agent: ")))
                    .as(child.toString()).containsExactly("leakhound-agent: debug server on " + url + "debug/");
        }
    }

    @Test
    void attachLoadsTheAgentIntoAJdk21Jvm() throws Exception {
        OlderJdk.Jdk jdk = OlderJdk.require21();
        try (ChildJvm child = ChildJvm.start(dir, jdk.java(), List.of("-XX:+EnableDynamicAgentLoading"), "4")) {
            AttachIT.Result r = AttachIT.leakhound(dir, jar, "attach", Long.toString(child.pid()), "--port", "0");
            assertThat(r.status()).as(r + "\nchild: " + child).isZero();
            assertThat(r.err()).isEmpty();
            Matcher m = AttachIT.ATTACHED.matcher(r.out());
            assertThat(m.find()).as(r.out()).isTrue();
            assertThat(m.group(1)).isEqualTo(Long.toString(child.pid()));
            URI url = URI.create(m.group(2));
            assertThat(Http.get(url, "/debug/threads/count").text()).matches("\\d+\n");
            assertThat(Http.get(url, "/debug/threads/dump?debug=1").text())
                    .contains("\n4 @ WAITING in SynchronousQueue.put, parked on java.util.concurrent.SynchronousQueue$Transferer")
                    .as("started before the agent was attached: no creation site")
                    .doesNotContain("# started at dev.leakhound.cli.TinyService.main");
            assertThat(child.stderr()).contains("leakhound-agent: debug server on " + url + "debug/")
                    .doesNotContain("WARNING: A Java agent has been loaded dynamically");

            AttachIT.Result stop = AttachIT.leakhound(dir, jar, "attach", Long.toString(child.pid()), "--stop");
            assertThat(stop.status()).as(stop.toString()).isZero();
            assertThat(stop.out()).isEqualTo("leakhound: process " + child.pid() + ": agent stopped\n");
            assertThatThrownBy(() -> Http.get(url, "/debug/threads/count")).isInstanceOf(ConnectException.class);
            assertThat(child.exit()).as(child.toString()).isZero();
        }
    }
}

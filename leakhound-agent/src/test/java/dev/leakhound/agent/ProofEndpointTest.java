package dev.leakhound.agent;

import dev.leakhound.testing.Http;
import dev.leakhound.testing.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /debug/leaks/proof} against a real host: a child JVM ({@link ProofHost}) with leaked virtual threads
 * and a control, started with the agent ({@code -javaagent}, {@code heapProof=true}); its {@code java.io.tmpdir} is a directory of this
 * test, so that what the proof leaves there (nothing) can be seen.
 */
@Timeout(300)
class ProofEndpointTest {
    @TempDir
    static Path dir;
    static Path tmp;
    static Path stderr;
    static Process host;
    static URI url;

    @BeforeAll
    static void startHost() throws Exception {
        tmp = Files.createDirectory(dir.resolve("tmp"));
        stderr = dir.resolve("host-stderr.txt");
        // The agent as a service gets it: -javaagent, with the thread start hooks (which retransform Thread).
        Path agentJar = dir.resolve("agent.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", Agent.class.getName());
        m.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        try (OutputStream o = Files.newOutputStream(agentJar); JarOutputStream j = new JarOutputStream(o, m)) {
            j.flush();
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + agentJar + "=port=0,heapProof=true,proofHeapMb=256,heapIntervalMillis=3600000",
                "-Xmx128m", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                ProofHost.class.getName());
        host = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the host's first line; its stderr: " + (line == null ? Files.readString(stderr) : ""))
                .startsWith("url http://");
        url = URI.create(line.substring(4));
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            try {
                host.getOutputStream().close();          // ends ProofHost's main, and with it the JVM
                if (!host.waitFor(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("the host did not end when its input closed");
                }
            } finally {
                host.descendants().forEach(ProcessHandle::destroyForcibly);
                host.destroyForcibly();
            }
        }
    }

    @Test
    void onePostProvesExactlyTheLeakedThreadsAndLeavesNoDumpBehind() throws Exception {
        // Two at once: one runs the proof; the other is refused, as the proof is running (or, if it came late,
        // as the last one was less than heapIntervalMillis ago): never two dumps.
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest post = HttpRequest.newBuilder(url.resolve("/debug/leaks/proof")).timeout(Duration.ofMinutes(4))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        CompletableFuture<HttpResponse<String>> a = client.sendAsync(post, HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> b = client.sendAsync(post, HttpResponse.BodyHandlers.ofString());
        List<HttpResponse<String>> answers = Stream.of(a.get(), b.get())
                .sorted((x, y) -> Integer.compare(x.statusCode(), y.statusCode())).toList();
        HttpResponse<String> ok = answers.get(0);
        HttpResponse<String> refused = answers.get(1);
        assertThat(answers.stream().map(HttpResponse::statusCode).toList())
                .as(answers.stream().map(HttpResponse::body).toList() + Files.readString(stderr)).containsExactly(200, 429);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(refused.body()).containsAnyOf("a heap proof is running", "at most once every 3600.0 s");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");

        Map<String, Object> proof = Json.object(Json.parse(ok.body()));
        assertThat(proof).doesNotContainKey("refused");
        assertThat(proof.get("leakedThreads")).as(ok.body()).isEqualTo((long) ProofHost.LEAKED + 2);
        List<Map<String, Object>> leaked = Json.objects(proof.get("leaked"));
        assertThat(leaked).as(ok.body()).hasSize(2);
        Map<String, Object> group = leaked.get(0);
        assertThat(group.get("count")).isEqualTo((long) ProofHost.LEAKED);
        assertThat(group.get("virtual")).isEqualTo(true);
        assertThat(group.get("wait")).isEqualTo("PARKED");
        assertThat(Json.objects(group.get("threads"))).hasSize(ProofHost.LEAKED)
                .allSatisfy(t -> assertThat(t.get("name")).isEqualTo("proof-leaked"))
                .allSatisfy(t -> assertThat(((Number) t.get("tid")).longValue()).isPositive());
        assertThat(Json.object(group.get("pattern"))).containsEntry("id", "abandoned-senders")
                .containsEntry("certainty", "proven");
        assertThat(Json.array(group.get("stack"))).anySatisfy(f -> assertThat((String) f)
                .startsWith("java.util.concurrent.SynchronousQueue.put(")).anySatisfy(f -> assertThat((String) f)
                .startsWith("dev.leakhound.agent.ProofHost.putForever(ProofHost.java:"));
        // the deadlock on synchronized: proven with the thread dump the agent took with the heap dump
        Map<String, Object> deadlock = leaked.get(1);
        assertThat(Json.object(deadlock.get("pattern"))).as(ok.body()).containsEntry("id", "deadlock");
        assertThat(Json.objects(deadlock.get("threads"))).extracting(t -> t.get("name"))
                .containsExactlyInAnyOrder("proof-deadlock-a", "proof-deadlock-b");
        assertThat(Json.objects(proof.get("notProven"))).as("the control may still wake")
                .anySatisfy(g -> assertThat(Json.objects(g.get("threads"))).extracting(t -> t.get("name"))
                        .contains("proof-control"));

        // The dump and its directory are gone; the proof's JVM has ended.
        try (Stream<Path> left = Files.walk(tmp)) {
            assertThat(left.filter(p -> !p.equals(tmp)).map(p -> tmp.relativize(p).toString()).toList())
                    .as("left in the host's java.io.tmpdir").noneMatch(p -> p.endsWith(".hprof")
                            || p.endsWith(".json") || p.startsWith("leakhound-proof-"));
        }
        assertThat(host.descendants().filter(ProcessHandle::isAlive).toList()).as("processes the host left").isEmpty();

        // The next one within heapIntervalMillis is refused, and says when to come back.
        Http.Result again = Http.post(Duration.ofSeconds(60), url, "/debug/leaks/proof");
        assertThat(again.status()).isEqualTo(429);
        assertThat(again.text()).startsWith("too many requests: the heap proof dumps the heap and runs at most once");
        assertThat(Long.parseLong(again.header("Retry-After"))).isBetween(1L, 3600L);
    }

    @Test
    void onlyAPostWithoutOriginTriggersIt() throws Exception {
        for (String method : List.of("GET", "HEAD", "PUT", "DELETE")) {
            Http.Result r = Http.send(method, url, "/debug/leaks/proof");
            assertThat(r.status()).as(method).isEqualTo(405);
            assertThat(r.header("Allow")).as(method).isEqualTo("POST");
        }
        assertThat(Http.get(url, "/debug/leaks/proof").text()).isEqualTo("method GET not allowed: POST only\n");
        Http.Result fromAPage = Http.post(Duration.ofSeconds(60), url, "/debug/leaks/proof", "Origin", "http://example.com");
        assertThat(fromAPage.status()).isEqualTo(403);
        assertThat(fromAPage.text()).contains("Origin");
        // The other endpoints stay GET and HEAD only, and the index says how to use this one.
        Http.Result post = Http.post(Duration.ofSeconds(60), url, "/debug/threads/count");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
        assertThat(Http.get(url, "/debug/").text()).contains("/debug/leaks/proof\n    POST only, HEAVY");
    }

    @Test
    void withoutTheOptionAPostIsToldHowToTurnTheProofOnAndWhatItCosts() throws Exception {
        try (LeakhoundAgent agent = LeakhoundAgent.start(AgentOptions.parse("port=0"))) {
            URI local = agent.url();
            Http.Result post = Http.post(Duration.ofSeconds(60), local, "/debug/leaks/proof");
            assertThat(post.status()).isEqualTo(403);
            assertThat(post.text()).startsWith("the heap proof is off in this agent: start it with"
                    + " -javaagent:leakhound.jar=heapProof=true (or leakhound attach PID --options heapProof=true).")
                    .contains("pauses this JVM", "second JVM").endsWith("\n");
            assertThat(post.text().lines()).hasSize(1);
            assertThat(Http.get(local, "/debug/leaks/proof").status()).as("POST only, as when on").isEqualTo(405);
            assertThat(Http.get(local, "/debug/").text())
                    .contains("/debug/leaks/proof\n    POST only, OFF (agent option heapProof=true turns it on)");
        }
    }
}

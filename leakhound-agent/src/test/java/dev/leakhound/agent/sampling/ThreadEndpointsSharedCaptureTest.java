package dev.leakhound.agent.sampling;

import dev.leakhound.agent.AgentOptions;
import dev.leakhound.agent.capture.ThreadSource;
import dev.leakhound.agent.endpoints.ThreadEndpoints;
import dev.leakhound.agent.http.DebugServer;
import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.model.ThreadDump;
import dev.leakhound.testing.BlockedThreads;
import dev.leakhound.testing.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The thread endpoints share captures ({@link SharedCapture}): over real HTTP, with the real thread source
 * wrapped to count its captures, and a clock of the test's own.
 */
@Timeout(120)
class ThreadEndpointsSharedCaptureTest {
    private static final List<String> PATHS = List.of("/debug/threads/count", "/debug/threads",
            "/debug/threads/dump?debug=1", "/debug/threads/dump?debug=2", "/debug/threads/dump?format=json");

    private DebugServer server;
    private SharedCapture captures;
    private final List<AutoCloseable> cleanUp = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable c : cleanUp.reversed()) {
            c.close();
        }
    }

    /**
     * The real source (the JDK's JSON dump), counting its captures and counts; optionally held at a latch, and
     * optionally taking {@code lengthNanos} on the test's clock (which it moves on by that much).
     */
    static final class CountingSource implements ThreadSource {
        final ThreadSource real = ThreadSource.jdkDump();
        final boolean cheapCount;
        final AtomicInteger captures = new AtomicInteger();
        final AtomicInteger counts = new AtomicInteger();
        volatile CountDownLatch started = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);
        private final AtomicLong clock;
        private final long lengthNanos;

        CountingSource(boolean cheapCount) {
            this(cheapCount, new AtomicLong(), 0);
        }

        CountingSource(boolean cheapCount, AtomicLong clock, long lengthNanos) {
            this.cheapCount = cheapCount;
            this.clock = clock;
            this.lengthNanos = lengthNanos;
        }

        @Override
        public ThreadDump capture() {
            captures.incrementAndGet();
            clock.addAndGet(lengthNanos);
            started.countDown();
            try {
                assertThat(release.await(60, TimeUnit.SECONDS)).as("the test released the capture").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return real.capture();
        }

        @Override
        public int count() {
            counts.incrementAndGet();
            clock.addAndGet(lengthNanos);
            return Thread.getAllStackTraces().size();
        }

        @Override
        public boolean countsCheaply() {
            return cheapCount;
        }

        @Override
        public String description() {
            return "counting " + real.description();
        }
    }

    /** The agent's three thread endpoints on a real server, on this source and clock. */
    private URI serve(CountingSource source, AtomicLong nanoClock) throws Exception {
        BlockedSince blocked = new BlockedSince();
        // No allowance: each capture here sets the pace at once, as these tests of the pace want.
        captures = new SharedCapture(source, blocked::observe, SharedCapture.FRESHNESS, nanoClock::get, Duration.ZERO);
        Map<String, Endpoint> e = new LinkedHashMap<>();
        AgentOptions options = AgentOptions.parse("port=0");
        e.put("/debug/threads/count", ThreadEndpoints.count(captures));
        e.put("/debug/threads", ThreadEndpoints.counts(captures));
        e.put("/debug/threads/dump", ThreadEndpoints.dump(captures, blocked, options, () -> 0,
                (groups, at) -> new byte[0]));
        server = DebugServer.start(options, e);
        return server.url();
    }

    /** Sends every request at once, from as many threads; their answers. */
    private static List<Http.Result> parallel(URI url, List<String> requests) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(requests.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Http.Result>> answers = new ArrayList<>();
            for (String r : requests) {
                answers.add(clients.submit(() -> {
                    go.await();
                    return Http.get(url, r);
                }));
            }
            go.countDown();
            List<Http.Result> results = new ArrayList<>();
            for (Future<Http.Result> a : answers) {
                results.add(a.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            clients.shutdownNow();
            assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void requestsWithinTheFreshnessShareOneCaptureAndALaterOneSeesNewThreads() throws Exception {
        CountingSource source = new CountingSource(false);
        AtomicLong clock = new AtomicLong(1_000_000_000L);             // stands still until the test moves it
        URI url = serve(source, clock);

        List<String> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            requests.add(PATHS.get(i % PATHS.size()));
        }
        List<Http.Result> first = parallel(url, requests);
        assertThat(first).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(200));
        assertThat(source.captures).as("12 requests, all within the freshness: one capture").hasValue(1);
        assertThat(source.counts).as("the count is the shared capture's size, not a capture of its own").hasValue(0);

        // A thread started now is not in the shared capture, still fresh...
        String name = "shared-capture-test-late";
        BlockedThreads late = new BlockedThreads(name, 1);
        cleanUp.add(late);
        assertThat(Http.get(url, "/debug/threads/dump?debug=2").text()).doesNotContain(name);
        assertThat(source.captures).hasValue(1);

        // ...and is there once the freshness is over: one new capture, shared again.
        clock.addAndGet(SharedCapture.FRESHNESS.toNanos());
        List<Http.Result> second = parallel(url, List.of("/debug/threads/dump?debug=2", "/debug/threads/dump?debug=2",
                "/debug/threads/dump?format=json", "/debug/threads/count"));
        assertThat(second.subList(0, 3)).allSatisfy(r -> assertThat(r.text()).contains("\"" + name + "0\""));
        assertThat(second.get(3).text()).matches("\\d+\n");
        assertThat(source.captures).hasValue(2);
    }

    @Test
    void aSampleIsACaptureOfItsOwnAndRequestsRightAfterItAnswerFromIt() throws Exception {
        CountingSource source = new CountingSource(false);
        URI url = serve(source, new AtomicLong());
        assertThat(Http.get(url, "/debug/threads").status()).isEqualTo(200);
        assertThat(source.captures).hasValue(1);

        String name = "shared-capture-test-sampled";
        BlockedThreads sampled = new BlockedThreads(name, 1);
        cleanUp.add(sampled);
        assertThat(captures.fresh().threads()).as("never the older capture, fresh as it still is")
                .anyMatch(t -> t.name().equals(name + "0"));
        assertThat(source.captures).hasValue(2);
        assertThat(Http.get(url, "/debug/threads/dump?format=json").text()).contains("\"" + name + "0\"");
        assertThat(Http.get(url, "/debug/threads/count").text()).matches("\\d+\n");
        assertThat(source.captures).as("requests after the sample answer from it").hasValue(2);
    }

    @Test
    void aCheapCountTakesNoCaptureAndIsSharedLikeOne() throws Exception {
        CountingSource source = new CountingSource(true);
        AtomicLong clock = new AtomicLong();
        URI url = serve(source, clock);
        List<Http.Result> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(Http.get(url, "/debug/threads/count"));
        }
        assertThat(source.counts).as("counts within the freshness share one").hasValue(1);
        assertThat(answers).allSatisfy(r -> {
            assertThat(r.text()).matches("\\d+\n");
            assertThat(r.header("Age")).isEqualTo("0");
        });
        clock.addAndGet(SharedCapture.FRESHNESS.toNanos());
        Http.Result later = Http.get(url, "/debug/threads/count");
        assertThat(later.text()).matches("\\d+\n");
        assertThat(source.counts).hasValue(2);
        assertThat(source.captures).hasValue(0);
    }

    /**
     * Counts are charged to the budget too. With no capture to answer from, a request waits out a short rest of the
     * budget (after a count of 10 ms: 190 ms) and takes one; a long one (after a count of 2 s: 38 s) is a 503 that
     * says when to come back, never a capture beyond the budget.
     */
    @Test
    void withNoCaptureToAnswerFromARequestWaitsOutAShortBudgetAndRefusesALongOne() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        CountingSource quick = new CountingSource(true, clock, TimeUnit.MILLISECONDS.toNanos(10));
        URI url = serve(quick, clock);
        assertThat(Http.get(url, "/debug/threads/count").status()).isEqualTo(200);
        assertThat(Http.get(url, "/debug/threads").status()).isEqualTo(200);
        assertThat(quick.captures).hasValue(1);
        server.close();

        AtomicLong clock2 = new AtomicLong(1_000_000_000L);
        CountingSource slow = new CountingSource(true, clock2, TimeUnit.SECONDS.toNanos(2));
        URI url2 = serve(slow, clock2);
        assertThat(Http.get(url2, "/debug/threads/count").status()).isEqualTo(200);
        Http.Result refused = Http.get(url2, "/debug/threads/dump?debug=2");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("39");
        assertThat(refused.text()).contains("CPU budget");
        assertThat(slow.captures).hasValue(0);
    }

    /** The flood (defect 10): a capture longer than the freshness is still shared by the requests after it. */
    @Test
    void aCaptureLongerThanTheFreshnessIsSharedByTheRequestsThatFollowIt() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        long length = SharedCapture.FRESHNESS.toNanos() * 3 / 2;           // 1.5 s, as for ~100k threads
        CountingSource source = new CountingSource(false, clock, length);
        URI url = serve(source, clock);

        assertThat(Http.get(url, "/debug/threads/dump?debug=2").status()).isEqualTo(200);
        assertThat(source.captures).hasValue(1);
        // Right after the capture ended (the clock stands still): 1.5 s after it started, not after it ended.
        List<Http.Result> flood = parallel(url, java.util.Collections.nCopies(10, "/debug/threads/dump?debug=2"));
        // (No allowance here, so the budget alone would refuse a new capture too: SharedCaptureWindowTest pins the
        // window's start without it.)
        assertThat(source.captures).as("shared after its end").hasValue(1);
        assertThat(flood).allSatisfy(r -> {
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.header("Age")).isEqualTo("0");
            assertThat(r.text().lines().skip(1).findFirst().orElseThrow())
                    .startsWith("capture: ended 0.0 s ago, took 1.5 s; the next one in 28.5 s at the earliest");
        });
        assertThat(flood).extracting(Http.Result::text).as("one capture, one answer").containsOnly(flood.get(0).text());
    }

    /**
     * Defect 11: within the budget (a capture of 1.5 s, then none for 28.5 s), every request gets the last capture
     * and its age, in the text (a {@code capture:} line), in JSON ({@code capture.ageMillis}) and in the
     * {@code Age} header; after the budget, a new capture.
     */
    @Test
    void withinTheBudgetRequestsGetTheLastCaptureAndItsAge() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        CountingSource source = new CountingSource(false, clock, TimeUnit.MILLISECONDS.toNanos(1500));
        URI url = serve(source, clock);
        assertThat(Http.get(url, "/debug/threads").status()).isEqualTo(200);
        assertThat(source.captures).hasValue(1);

        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(12_300));          // past the freshness, within the budget
        Http.Result text = Http.get(url, "/debug/threads/dump?debug=1");
        assertThat(source.captures).as("no new capture within the budget").hasValue(1);
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.header("Age")).isEqualTo("12");
        assertThat(text.text()).startsWith("thread profile: total ");
        assertThat(text.text().lines().skip(1).findFirst().orElseThrow())
                .startsWith("capture: ended 12.3 s ago, took 1.5 s; the next one in 16.2 s at the earliest");
        Http.Result json = Http.get(url, "/debug/threads/dump?format=json");
        assertThat(json.header("Age")).isEqualTo("12");
        assertThat(json.text()).contains("\"ageMillis\" : 12300", "\"lengthMillis\" : 1500", "\"nextInMillis\" : 16200");
        assertThat(Http.get(url, "/debug/threads").text()).contains("\"ageMillis\" : 12300");
        Http.Result count = Http.get(url, "/debug/threads/count");
        assertThat(count.header("Age")).isEqualTo("12");
        assertThat(Http.get(url, "/debug/threads/dump?format=pprof").header("Age")).isEqualTo("12");
        assertThat(source.captures).as("no capture within the budget").hasValue(1);

        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(16_200));          // 28.5 s after the end: 5% of 30 s
        Http.Result after = Http.get(url, "/debug/threads/dump?debug=2");
        assertThat(after.header("Age")).isEqualTo("0");
        assertThat(source.captures).hasValue(2);
    }

    @Test
    void atMostOneCaptureRunsAndTheRequestsAndTheSamplerShareIt() throws Exception {
        CountingSource source = new CountingSource(false);
        source.started = new CountDownLatch(1);
        source.release = new CountDownLatch(1);
        URI url = serve(source, new AtomicLong());         // the test's clock: MAX_WAIT never runs out here

        ExecutorService clients = Executors.newFixedThreadPool(2);
        cleanUp.add(() -> {
            clients.shutdownNow();
            assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        });
        Future<Http.Result> first = clients.submit(() -> Http.get(url, "/debug/threads"));
        assertThat(source.started.await(30, TimeUnit.SECONDS)).as("the first request captures").isTrue();
        Future<Http.Result> second = clients.submit(() -> Http.get(url, "/debug/threads/dump?debug=1"));
        // The second request waits for the capture in progress instead of taking its own.
        await().atMost(Duration.ofSeconds(30)).until(() -> captures.waiting() == 1);

        source.release.countDown();
        assertThat(first.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(second.get(60, TimeUnit.SECONDS).text()).startsWith("thread profile: total ");
        assertThat(source.captures).hasValue(1);

        new ThreadSampler(captures, 1000).sampleNow();
        assertThat(source.captures).as("a sample asked for goes through the same captures").hasValue(2);
    }

}
